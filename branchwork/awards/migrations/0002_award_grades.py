"""The grades of award an office starts with (data: an office adds its own in the back office)."""

from django.db import migrations

GRADES = [
    ("special", "特等奖", "Special prize"),
    ("first", "一等奖", "First prize"),
    ("second", "二等奖", "Second prize"),
    ("third", "三等奖", "Third prize"),
    ("merit", "优秀奖", "Award of merit"),
]


def add_grades(apps, schema_editor):
    AwardGrade = apps.get_model("awards", "AwardGrade")
    for position, (code, zh, en) in enumerate(GRADES, start=1):
        AwardGrade.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]
    operations = [migrations.RunPython(add_grades, migrations.RunPython.noop)]
