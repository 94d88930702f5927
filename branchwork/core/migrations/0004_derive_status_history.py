"""Turn each person's undated status into a dated history (MembershipStatusChange rows).

Today's status becomes where the history ends. Where the date of joining the Party is known, the
person became a probationary member that day and a full member one year later, when the
probationary period ended (Party Constitution, Art. 7). What cannot be derived is said in the
note of the rows written (they are marked `derived`), printed while migrating, and listed
afterwards by `branchwork status_history_report`.

The rules are those of core.services.derive_status_history, copied here as a migration must not
follow later changes of the code.
"""


from django.db import migrations
from django.utils import timezone

NO_DATE = "no date of joining: status recorded without a date"
OVERDUE = "probationary for more than a year: full membership not recorded"
TOO_SOON = "full member less than a year after joining: date of full membership not known"


def _one_year_later(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def derive(status, joined_on, today):
    if status not in ("probationary", "full"):
        return [], ""
    if joined_on is None:
        return [(status, None)], NO_DATE
    if status == "probationary":
        if _one_year_later(joined_on) <= today:
            return [("probationary", joined_on)], OVERDUE
        return [("probationary", joined_on)], ""
    became_full = _one_year_later(joined_on)
    if became_full > today:
        return [("probationary", joined_on), ("full", today)], TOO_SOON
    return [("probationary", joined_on), ("full", became_full)], ""


def forwards(apps, schema_editor):
    Person = apps.get_model("core", "Person")
    Change = apps.get_model("core", "MembershipStatusChange")
    today = timezone.localdate()
    rows, report = [], []
    people = Person.objects.exclude(pk__in=Change.objects.values("person_id")).order_by("pk")
    for person in people.only("pk", "name", "membership_status", "joined_party_on").iterator():
        steps, gap = derive(person.membership_status, person.joined_party_on, today)
        for status, day in steps:
            rows.append(Change(person_id=person.pk, status=status, effective_on=day, derived=True,
                               note=gap))
        if gap:
            report.append(f"  {person.pk} {person.name}: {gap}")
    Change.objects.bulk_create(rows, batch_size=500)
    if report:
        print(f"\n  Status history: {len(report)} people could not be derived in full "
              "(branchwork status_history_report lists them):")
        print("\n".join(report))


def backwards(apps, schema_editor):
    # The cached status on Person is where each history ends: nothing else to restore.
    apps.get_model("core", "MembershipStatusChange").objects.filter(derived=True).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_membership_status_history")]

    operations = [migrations.RunPython(forwards, backwards)]
