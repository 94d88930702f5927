"""The kinds of output an office starts with (data: an office adds its own in the back office)."""

from django.db import migrations

KINDS = [
    ("research_report", "调研报告", "Research report", False),
    ("internal_reference", "内参/专报", "Internal reference", False),
    ("article", "文章", "Article", False),
    ("document_draft", "文稿起草", "Speech or document draft", True),
    ("translation", "译稿", "Translation", False),
    ("book_chapter", "著作章节", "Book chapter", False),
    ("other", "其他", "Other", False),
]


def add_kinds(apps, schema_editor):
    OutputKind = apps.get_model("research", "OutputKind")
    for position, (code, zh, en, rounds) in enumerate(KINDS, start=1):
        OutputKind.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "has_rounds": rounds, "position": position})


class Migration(migrations.Migration):
    dependencies = [("research", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
