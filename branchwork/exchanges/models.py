"""International exchanges: the knowledge base of foreign parties, foreign guests (contacts),
and the events where they meet the office, with their delegations and participants.

Countries are ISO 3166 alpha-3 codes (`exchanges.countries` names them and puts them in
regions). Contacts and participants are personal data: only foreign-affairs staff and an
event's managers see them (`exchanges.permissions`). Passport numbers and dates of birth are
kept on the participant, for one event, until the event's retention date
(`services.purge_passport_data`).
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from branchwork.core.language import is_chinese
from branchwork.exchanges import countries


def _chinese() -> bool:
    return is_chinese(get_language())


class PartyFamily(models.TextChoices):
    # ParlGov's party families, and "other" for parties outside them.
    COMMUNIST = "communist", _("Communist and socialist")
    SOCIAL_DEMOCRATIC = "social_democratic", _("Social democracy")
    GREEN = "green", _("Green and ecologist")
    LIBERAL = "liberal", _("Liberal")
    CHRISTIAN_DEMOCRATIC = "christian_democratic", _("Christian democracy")
    CONSERVATIVE = "conservative", _("Conservative")
    AGRARIAN = "agrarian", _("Agrarian")
    RIGHT_WING = "right_wing", _("Right-wing")
    SPECIAL_ISSUE = "special_issue", _("Special issue")
    OTHER = "other", _("Other")


class PartyStanding(models.TextChoices):
    GOVERNMENT = "government", _("In government")
    COALITION_PARTNER = "coalition", _("Junior partner in government")
    SUPPORT = "support", _("Supports the government")
    OPPOSITION = "opposition", _("In opposition")
    EXTRA_PARLIAMENTARY = "extra_parliamentary", _("Outside parliament")
    DISSOLVED = "dissolved", _("Dissolved")


class PartyNetwork(models.Model):
    """An international network of parties (an "international", a regional alliance)."""

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("party network")

    def __str__(self) -> str:
        return self.name_zh if _chinese() else self.name_en


class Party(models.Model):
    """A political party abroad. Identifiers tie it to the sources it was imported from;
    `staff_edited` names the fields staff changed by hand, which imports never overwrite."""

    # Fields an importer may set; any other field is the office's own.
    IMPORTED_FIELDS = ("name_native", "name_en", "name_short", "country", "founded", "dissolved",
                       "family", "wikipedia", "wikidata_id")

    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True,
                               help_text=_("The office's official Chinese rendering."))
    name_native = models.CharField(_("name in its own language"), max_length=300, blank=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    name_short = models.CharField(pgettext_lazy("exchanges", "short name"), max_length=60, blank=True)
    country = models.CharField(_("country"), max_length=3, db_index=True)
    founded = models.PositiveSmallIntegerField(_("founded (year)"), null=True, blank=True)
    dissolved = models.PositiveSmallIntegerField(_("dissolved (year)"), null=True, blank=True)
    family = models.CharField(_("party family"), max_length=30, choices=PartyFamily.choices,
                              blank=True)
    wikipedia = models.URLField(_("Wikipedia"), max_length=500, blank=True)
    partyfacts_id = models.PositiveIntegerField(_("Party Facts id"), null=True, blank=True, unique=True)
    parlgov_id = models.PositiveIntegerField(_("ParlGov id"), null=True, blank=True, unique=True)
    wikidata_id = models.CharField(_("Wikidata id"), max_length=20, blank=True, db_index=True)
    relationship_notes = models.TextField(_("relationship notes"), blank=True)
    networks = models.ManyToManyField(PartyNetwork, blank=True, related_name="parties",
                                      verbose_name=_("international networks"))
    staff_edited = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "name_en", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if _chinese():
            return self.name_zh or self.name_en or self.name_native or self.name_short
        return self.name_en or self.name_native or self.name_zh or self.name_short

    @property
    def country_name(self) -> str:
        return countries.name(self.country)

    def clean(self) -> None:
        if not (self.name_zh or self.name_native or self.name_en or self.name_short):
            raise ValidationError(_("A party needs a name."))
        if countries.get(self.country) is None:
            raise ValidationError({"country": _("Unknown country code: %(code)s") % {"code": self.country}})
        if self.founded and self.dissolved and self.dissolved < self.founded:
            raise ValidationError({"dissolved": _("A party cannot be dissolved before it was founded.")})

    def get_absolute_url(self) -> str:
        return reverse("exchanges:party", args=[self.pk])

    def standing_on(self, day: datetime.date) -> PartyStatus | None:
        return self.statuses.filter(since__lte=day).order_by("-since").first()


class PartyStatus(models.Model):
    """Where a party stands from a date on (in government, in opposition, …)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="statuses")
    standing = models.CharField(_("standing"), max_length=30, choices=PartyStanding.choices)
    since = models.DateField(_("since"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["party", "-since"]
        constraints = [models.UniqueConstraint(fields=["party", "since"], name="party_status_once_a_day")]

    def __str__(self) -> str:
        return f"{self.get_standing_display()} ({self.since:%Y-%m-%d})"


class Gender(models.TextChoices):
    UNSTATED = "", _("Not given")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Contact(models.Model):
    """A foreign guest: names in three forms, their party and role, how to reach them."""

    name_native = models.CharField(_("name in own script"), max_length=200, blank=True)
    name_latin = models.CharField(_("name in Latin letters (as in the passport)"), max_length=200)
    name_zh = models.CharField(_("Chinese rendering"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    party = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="contacts", verbose_name=_("party"))
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=200, blank=True)
    party_role = models.CharField(_("role in the party"), max_length=200, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_latin", "pk"]
        verbose_name = _("contact")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if _chinese() and self.name_zh:
            return self.name_zh
        return self.name_native or self.name_latin

    def get_absolute_url(self) -> str:
        return reverse("exchanges:contact", args=[self.pk])


class EventKind(models.TextChoices):
    FORUM = "forum", _("Forum")
    DIALOGUE = "dialogue", _("Dialogue")
    SEMINAR = "seminar", _("Seminar")
    DELEGATION_IN = "delegation_in", _("Delegation received")
    DELEGATION_OUT = "delegation_out", _("Delegation sent")


class Event(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title_zh = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    starts_on = models.DateField(pgettext_lazy("exchanges", "from"))
    ends_on = models.DateField(pgettext_lazy("exchanges", "to"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    host = models.CharField(pgettext_lazy("exchanges", "host"), max_length=300, blank=True)
    co_hosts = models.CharField(_("co-hosts"), max_length=500, blank=True)
    languages = models.CharField(_("working languages"), max_length=200, blank=True)
    retention_until = models.DateField(
        _("passport data kept until"), null=True, blank=True,
        help_text=_("Passport numbers and dates of birth of the participants are erased after this day."))
    managers = models.ManyToManyField("core.Person", blank=True, related_name="managed_exchange_events",
                                      verbose_name=_("event managers"))
    activities = models.ManyToManyField("activities.Activity", blank=True, related_name="exchange_events",
                                        verbose_name=_("activities of organizational life"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("event")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_zh if _chinese() or not self.title_en else self.title_en

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An event cannot end before it starts.")})
        if self.retention_until and self.ends_on and self.retention_until < self.ends_on:
            raise ValidationError({"retention_until": _("Passport data is needed until the event ends.")})

    def get_absolute_url(self) -> str:
        return reverse("exchanges:event", args=[self.pk])


class Delegation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="delegations")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="delegations", verbose_name=_("party"))
    country = models.CharField(_("country"), max_length=3)
    head = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("head of delegation"))

    class Meta:
        ordering = ["country", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "party"], name="one_delegation_per_party")]

    def __str__(self) -> str:
        return self.party.display_name if self.party_id else countries.name(self.country)


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", pgettext_lazy("exchanges", "Attended")


def new_badge_code() -> str:
    return secrets.token_hex(5).upper()


class Participant(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    delegation = models.ForeignKey(Delegation, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="participants", verbose_name=_("delegation"))
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="participations",
                                verbose_name=_("contact"))
    status = models.CharField(_("status"), max_length=20, choices=ParticipantStatus.choices,
                              default=ParticipantStatus.INVITED)
    interpretation = models.CharField(_("interpretation language"), max_length=50, blank=True)
    dietary = models.CharField(_("dietary needs"), max_length=200, blank=True)
    access_needs = models.CharField(_("access needs"), max_length=200, blank=True)
    arrives_at = models.DateTimeField(_("arrival"), null=True, blank=True)
    departs_at = models.DateTimeField(_("departure"), null=True, blank=True)
    badge_code = models.CharField(_("badge code"), max_length=16, unique=True, default=new_badge_code)
    passport_number = models.CharField(_("passport number"), max_length=30, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    passport_purged_on = models.DateField(null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["delegation__country", "contact__name_latin", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "contact"], name="one_participation_per_event")]

    def __str__(self) -> str:
        return str(self.contact)

    @property
    def has_passport_data(self) -> bool:
        return bool(self.passport_number or self.date_of_birth)

    def mark_checked_in(self) -> None:
        self.checked_in_at = timezone.now()


# --- Outbound delegations (出访): an event of the kind "delegation sent" with its trip ---


class TripStatus(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    APPROVED = "approved", pgettext_lazy("exchanges", "Approved")
    REPORTED = "reported", _("Report filed")


class Trip(models.Model):
    """The office's own delegation abroad: the application and its approval, who goes, where
    and whom they meet, what they read before, the report after and what is to follow up.
    Dates, title and managers are the event's (`event`, of the kind "delegation sent")."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="trip")
    purpose = models.TextField(_("purpose of the visit"), help_text=_("The application's text."))
    applied_on = models.DateField(_("applied on"))
    applied_by = models.ForeignKey("core.Person", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("applicant"))
    status = models.CharField(_("status"), max_length=20, choices=TripStatus.choices,
                              default=TripStatus.APPLIED)
    approval_number = models.CharField(pgettext_lazy("exchanges", "approval document number"), max_length=100, blank=True)
    approved_on = models.DateField(pgettext_lazy("exchanges", "approved on"), null=True, blank=True)
    briefing_outputs = models.ManyToManyField("research.Output", blank=True, related_name="+",
                                              verbose_name=_("briefing: research outputs"))
    briefing_parties = models.ManyToManyField(Party, blank=True, related_name="briefed_trips",
                                              verbose_name=_("briefing: parties"))
    report = models.ForeignKey("research.Output", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("trip report"))

    class Meta:
        ordering = ["-event__starts_on", "-pk"]
        verbose_name = _("outbound delegation")

    def __str__(self) -> str:
        return str(self.event)

    def clean(self) -> None:
        if self.status != TripStatus.APPLIED and not self.approval_number.strip():
            raise ValidationError({"approval_number": _("An approved trip needs its approval document number.")})

    def get_absolute_url(self) -> str:
        return reverse("exchanges:trip", args=[self.pk])


class TripMember(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="exchange_trips",
                               verbose_name=pgettext_lazy("exchanges", "member"))
    leads = models.BooleanField(_("head of delegation"), default=False)
    role = models.CharField(_("role on the trip"), max_length=200, blank=True)

    class Meta:
        ordering = ["-leads", "pk"]
        constraints = [models.UniqueConstraint(fields=["trip", "person"], name="trip_member_once")]

    def __str__(self) -> str:
        return str(self.person)


class TripStop(models.Model):
    """A leg of the itinerary: a city of a country, from a day to a day, and whom they met."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stops")
    country = models.CharField(_("country"), max_length=3, db_index=True)
    city = models.CharField(_("city"), max_length=200)
    arrives_on = models.DateField(pgettext_lazy("exchanges", "from"))
    leaves_on = models.DateField(pgettext_lazy("exchanges", "to"))
    parties = models.ManyToManyField(Party, blank=True, related_name="trip_stops",
                                     verbose_name=_("parties met"))
    institutions = models.CharField(_("institutions met"), max_length=500, blank=True)

    class Meta:
        ordering = ["arrives_on", "pk"]

    def __str__(self) -> str:
        return f"{countries.name(self.country)} · {self.city}"

    @property
    def country_name(self) -> str:
        return countries.name(self.country)

    def clean(self) -> None:
        if countries.get(self.country) is None:
            raise ValidationError({"country": _("Unknown country code: %(code)s") % {"code": self.country}})
        if self.arrives_on and self.leaves_on and self.leaves_on < self.arrives_on:
            raise ValidationError({"leaves_on": _("A stop cannot end before it starts.")})


class TripFollowUp(models.Model):
    """What the trip left to do: an owner, a deadline, closed when done."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(_("what is to be done"), max_length=500)
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="exchange_follow_ups",
                              verbose_name=_("owner"))
    due_on = models.DateField(pgettext_lazy("exchanges", "deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)
    done_note = models.CharField(_("how it was done"), max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.done_on is None
# The timetable, invitations, letters and presence (see programme_models).
from branchwork.exchanges.programme_models import (  # noqa: E402, F401
    Invitation,
    InvitationTemplate,
    Letter,
    LetterTemplate,
    Presence,
    Session,
)
