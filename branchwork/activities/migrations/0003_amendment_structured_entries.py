"""Amendments become structured changes (field, old, new, person ids) instead of sentences frozen
in the language of whoever made them.

Each old entry {label: [before, after]} is read back where its label is known (the Chinese or
English name of a field, "出勤：<name>" / "Attendance: <name>" for a person on the list, whose
status words are read back to codes). What cannot be read back stays, as written, in
`legacy_note`; nothing is dropped. Reversible: entries are written back as {label: [old, new]}
with the Chinese labels, and the legacy note is restored as its own entries.
"""

import re

from django.db import migrations, models

FIELDS = {
    "title": ("标题", "title"), "session_number": ("期次", "session number"),
    "starts_at": ("开始时间", "starts at"), "ends_at": ("结束时间", "ends at"),
    "place": ("地点", "place"), "host": ("主持人", "host"), "recorder": ("记录人", "recorder"),
    "lecturer": ("主讲人", "lecturer"), "lecturer_name": ("外请主讲人", "guest lecturer"),
    "agenda": ("议程", "agenda"), "minutes": ("纪要", "minutes"), "resolutions": ("决议", "resolutions"),
}
BY_LABEL = {label.lower(): name for name, labels in FIELDS.items() for label in labels}
STATUSES = {
    "出席": "present", "present": "present", "迟到": "late", "late": "late",
    "请假": "excused", "excused": "excused", "缺席": "absent", "absent": "absent",
    "未登记": "unmarked", "not marked": "unmarked",
}
ATTENDANCE = re.compile(r"^(?:出勤：|Attendance: )(.+)$")
STATUS_TEXT = re.compile(r"^(.+?)(?:（(.*)）|\s*\((.*)\))?$")
PERSON_FIELDS = ("host", "recorder", "lecturer")


def _status(text):
    m = STATUS_TEXT.match((text or "").strip())
    if not m or m.group(1).strip().lower() not in STATUSES:
        return None
    return {"status": STATUSES[m.group(1).strip().lower()], "reason": (m.group(2) or m.group(3) or "").strip()}


def _person_id(Person, name):
    if not name:
        return None, True
    ids = list(Person.objects.filter(models.Q(name=name) | models.Q(name_en=name)).values_list("pk", flat=True)[:2])
    return (ids[0], True) if len(ids) == 1 else (None, False)


def forwards(apps, schema_editor):
    Amendment = apps.get_model("activities", "Amendment")
    Attendance = apps.get_model("activities", "Attendance")
    Person = apps.get_model("core", "Person")
    for m in Amendment.objects.all().iterator():
        entries, legacy = [], []
        for label, pair in (m.changes or {}).items():
            before, after = (list(pair) + ["", ""])[:2] if isinstance(pair, list) else ("", pair)
            name = BY_LABEL.get(str(label).strip().lower())
            entry = None
            if name in PERSON_FIELDS:
                old_id, ok_old = _person_id(Person, before)
                new_id, ok_new = _person_id(Person, after)
                if ok_old and ok_new:
                    entry = {"field": name, "old": old_id, "new": new_id}
            elif name == "resolutions":
                entry = {"field": name, "old": [t for t in str(before or "").splitlines() if t.strip()],
                         "new": [t for t in str(after or "").splitlines() if t.strip()]}
            elif name in ("starts_at", "ends_at"):
                entry = None  # stored as local text without a zone: kept as written
            elif name is not None:
                entry = {"field": name, "old": before, "new": after}
            else:
                match = ATTENDANCE.match(str(label))
                if match:
                    who = match.group(1).strip()
                    row = (Attendance.objects.filter(activity_id=m.activity_id)
                           .filter(models.Q(person__name=who) | models.Q(person__name_en=who) | models.Q(name=who))
                           .first())
                    old, new = _status(before), _status(after)
                    if row is not None and old and new:
                        entry = {"field": "attendance", "person": row.person_id, "old": old, "new": new}
                        if row.person_id is None:
                            entry["name"] = row.name
            if entry is None:
                legacy.append(f"{label}：{before or '—'} → {after or '—'}")
            else:
                entries.append(entry)
        m.entries = entries
        m.legacy_note = "\n".join(legacy)
        m.save(update_fields=["entries", "legacy_note"])


def backwards(apps, schema_editor):
    Amendment = apps.get_model("activities", "Amendment")
    Person = apps.get_model("core", "Person")
    for m in Amendment.objects.all().iterator():
        changes = {}
        for e in m.entries or []:
            name = e.get("field")
            old, new = e.get("old"), e.get("new")
            if name == "attendance":
                who = e.get("name") or ""
                if e.get("person"):
                    who = Person.objects.filter(pk=e["person"]).values_list("name", flat=True).first() or who
                label = f"出勤：{who}"
                old = (old or {}).get("status", "")
                new = (new or {}).get("status", "")
            elif name in PERSON_FIELDS:
                label = FIELDS[name][0]
                old = Person.objects.filter(pk=old).values_list("name", flat=True).first() if old else ""
                new = Person.objects.filter(pk=new).values_list("name", flat=True).first() if new else ""
            else:
                label = FIELDS.get(name, (name,))[0]
                if isinstance(old, list):
                    old, new = "\n".join(old), "\n".join(new or [])
            changes[label] = [old, new]
        for i, line in enumerate(t for t in (m.legacy_note or "").splitlines() if t):
            changes[f"legacy {i + 1}"] = ["", line]
        m.changes = changes
        m.save(update_fields=["changes"])


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0002_minutes_version"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="amendment", name="entries",
            field=models.JSONField(blank=True, default=list, verbose_name="changes"),
        ),
        migrations.AddField(
            model_name="amendment", name="legacy_note",
            field=models.TextField(blank=True, verbose_name="as recorded before structured changes"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="amendment", name="changes"),
    ]
