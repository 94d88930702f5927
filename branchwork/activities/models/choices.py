"""The controlled vocabularies of organizational life (zh/en names), and the groups of states
the services and selectors ask for."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held, minutes in draft")
    SUBMITTED = "submitted", _("minutes submitted")
    LOCKED = "locked", _("approved and locked")
    CANCELLED = "cancelled", _("cancelled")


HELD_STATES = (ActivityStatus.HELD, ActivityStatus.SUBMITTED, ActivityStatus.LOCKED)
# A member may check in while the record is still a draft (and within the window).
OPEN_STATES_FOR_CHECKIN = (ActivityStatus.PLANNED, ActivityStatus.HELD)


class ThemeDayContent(models.TextChoices):
    """What a theme Party day covered (Regulations on the Work of Party Branches, 2018, Art. 16):
    study, organizational life, democratic deliberation, volunteer service."""

    STUDY = "study", _("political study")
    ORG_LIFE = "org_life", _("organizational life")
    DELIBERATION = "deliberation", _("democratic deliberation")
    VOLUNTEER = "volunteer", _("volunteer service")


class ActivitySource(models.TextChoices):
    WEB = "web", _("entered")
    PLAN = "plan", _("year plan")
    IMPORT = "import", _("imported")
    API = "api", _("API")


class AttendanceRole(models.TextChoices):
    EXPECTED = "expected", _("expected")
    OBSERVER = "observer", _("observer (列席)")


class AttendanceStatus(models.TextChoices):
    UNMARKED = "unmarked", _("not marked")
    PRESENT = "present", _("present")
    LATE = "late", _("late")
    EXCUSED = "excused", _("excused")
    ABSENT = "absent", _("absent")


PRESENT_STATES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Speaking(models.TextChoices):
    """What an attendee is recorded as doing in the meeting, beyond attending."""

    NONE = "", _("—")
    SPOKE = "spoke", pgettext_lazy("attendance", "speaker")
    INTRODUCER = "introducer", pgettext_lazy("attendance", "introducer of a candidate")


class MarkedVia(models.TextChoices):
    NONE = "", _("—")
    QR = "qr", _("QR check-in")
    MANUAL = "manual", _("by the recorder")
    IMPORT = "import", _("imported")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    MATERIAL = "material", _("material")


class ReminderKind(models.TextChoices):
    NOTICE = "notice", _("notice of an activity")
    DIGEST = "digest", _("digest of unmet requirements")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    CHECKING = "checking", _("checking the file")
    WRITING = "writing", _("writing the records")
    DONE = "done", _("imported")
    REFUSED = "refused", _("refused")
    FAILED = "failed", _("failed")
