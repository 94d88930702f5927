"""Who sees and who records awards and competitions, registered with the one policy.

- An award belongs to the organization that records it: read by those who read that organization's
  internal content (its readers and the members of the organizations under it) and by its
  recipients; recorded by the research coordinator and the managers of the organization or above
  (`research.permissions.can_record_in`).
- A competition is read the same way from its organizing organization, and by its judges and
  entrants. Its managers (the organization's, or above) set it up, move its state, take entries
  on others' behalf, name judges and see every entry with its entrants.
- An entry (with its entrants' names) is seen by the competition's managers and by its own
  entrants; everyone who reads the competition sees the entries once the results are published
  (the competition's own results, per entry; there is no list of people elsewhere).
- An entry is changed by its entrants and the competition's managers while the competition is
  open (`edits.entry_update` refuses it afterwards).
- A judge reaches entries only through the judging pages (`views_judging.py`), which under blind
  scoring show neither names nor organizations, and never an entry the judge may not score.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from branchwork.awards.models import Award, Competition, CompetitionStatus, Entry, Judge
from branchwork.core import permissions
from branchwork.research.permissions import can_record_in


def _person_id(user):
    return permissions.reader(user).person_id


def visible_awards(user) -> QuerySet[Award]:
    qs = Award.objects.all()
    if permissions.reader(user).is_superuser:
        return qs
    q = permissions.internal_content_filter(user)
    person_id = _person_id(user)
    if person_id is not None:
        own = Q(recipients__person_id=person_id)
        q = own if q is None else q | own
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Award.objects.filter(q).values("pk"))


def can_record_awards(user, award: Award | None) -> bool:
    return can_record_in(user, None if award is None else award.organization)


def visible_competitions(user) -> QuerySet[Competition]:
    qs = Competition.objects.all()
    if permissions.reader(user).is_superuser:
        return qs
    q = permissions.internal_content_filter(user)
    person_id = _person_id(user)
    if person_id is not None:
        own = Q(judges__person_id=person_id) | Q(entries__entrants__person_id=person_id)
        q = own if q is None else q | own
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Competition.objects.filter(q).values("pk"))


def can_manage_competition(user, competition: Competition | None) -> bool:
    if competition is None:
        access = permissions.reader(user)
        return access.is_superuser or bool(access.manage_paths)
    return permissions.can_manage_org(user, competition.organization)


def judge_of(user, competition: Competition) -> Judge | None:
    person_id = _person_id(user)
    if person_id is None:
        return None
    return Judge.objects.filter(competition=competition, person_id=person_id).first()


def can_judge(user, competition: Competition | None) -> bool:
    return competition is not None and judge_of(user, competition) is not None


def can_enter(user, competition: Competition | None) -> bool:
    """Submit an entry of their own: a member of the institution who reads the competition."""
    if competition is None or competition.status != CompetitionStatus.OPEN:
        return False
    access = permissions.reader(user)
    return access.person_id is not None and (
        access.is_member and permissions.can_read_internal_of(user, competition.organization))


def can_edit_entry(user, entry: Entry) -> bool:
    """Change the entry (while the competition is open: services): its entrants and the
    competition's managers."""
    if can_manage_competition(user, entry.competition):
        return True
    person_id = _person_id(user)
    return person_id is not None and entry.entrants.filter(person_id=person_id).exists()


def visible_entries(user) -> QuerySet[Entry]:
    qs = Entry.objects.all()
    access = permissions.reader(user)
    if access.is_superuser:
        return qs
    q = None
    managed = permissions.org_filter(access.manage_paths, prefix="competition__organization__")
    if managed is not None:
        q = managed
    published = Q(competition__in=visible_competitions(user), competition__status=CompetitionStatus.PUBLISHED)
    q = published if q is None else q | published
    if access.person_id is not None:
        q |= Q(entrants__person_id=access.person_id)
    return qs.filter(pk__in=Entry.objects.filter(q).values("pk"))


def register() -> None:
    permissions.register(Award, visible=visible_awards,
                         detail=lambda qs: qs.select_related("organization", "grade", "output", "talk",
                                                             "entry__competition"),
                         record=can_record_awards)
    permissions.register(Competition, visible=visible_competitions,
                         detail=lambda qs: qs.select_related("organization"),
                         manage=can_manage_competition, judge=can_judge, enter=can_enter)
    permissions.register(Entry, visible=visible_entries,
                         detail=lambda qs: qs.select_related("competition__organization", "organization",
                                                             "output", "talk", "grade"))
