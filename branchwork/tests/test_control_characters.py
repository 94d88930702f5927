"""One rule for control characters in typed text: forms, API bodies and (elsewhere) importers.

Text with a NUL or another control character cannot be stored safely (PostgreSQL refuses NUL,
XLSX and XML refuse the C0 controls), so it is refused where it comes in, with a message naming
the character; records that hold one from before still export.
"""

import io

import openpyxl
import pytest
from django import forms
from django.utils import translation

from branchwork.activities.models import Activity
from branchwork.activities.testing import at, held_activity
from branchwork.core import validators
from branchwork.core.models import Person

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("text, found", [
    ("plain 文字\ttab\nline\r\n", []),
    ("a\x00b", ["\x00"]),
    ("\x01\x1f\x7f\x85", ["\x01", "\x1f", "\x7f", "\x85"]),
    ("lone \ud800 surrogate", ["\ud800"]),
    ("\ufffe", ["\ufffe"]),
])
def test_which_characters_are_control_characters(text, found):
    assert validators.control_characters(text) == found
    assert validators.clean_text(text) == "".join(c for c in text if c not in found)


def test_the_message_names_each_character_once_in_the_users_language():
    with translation.override("en"):
        assert validators.problem("a\x00b\x00c\x1b") == (
            "contains 3 control characters (U+0000, U+001B) that cannot be stored; retype the "
            "text or remove them.")
    with translation.override("zh-hans"):
        assert "控制字符" in validators.problem("a\x00")


def test_every_text_field_of_every_form_refuses_them():
    class AnyForm(forms.Form):
        title = forms.CharField()
        notes = forms.CharField(widget=forms.Textarea, required=False)

    form = AnyForm({"title": "Study\x07day", "notes": "line one\r\nline two\twith a tab"})
    assert not form.is_valid()
    assert list(form.errors) == ["title"]
    assert "U+0007" in form.errors["title"][0]


def test_a_model_form_of_the_site_refuses_them(personas):
    from branchwork.core.forms import PersonForm

    bob = personas.people.bob
    form = PersonForm({"name": "王\x00博"}, instance=bob)
    assert not form.is_valid()
    assert "U+0000" in form.errors["name"][0]


def cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for c in row]


def test_records_holding_one_from_before_still_export(personas, client):
    # Written past every check, as records from before the rule may be. PostgreSQL never stores a
    # NUL (it refuses the write), so there the old records hold the other control characters.
    from django.db import connection

    nul = "\x00" if connection.vendor == "sqlite" else "\x01"
    activity = held_activity(by=personas.alice, organization=personas.branch_a,
                             types=["collective_study"], starts_at=at(2026, 3, 1),
                             title=f"Old{nul}title\x1b")
    Activity.objects.filter(pk=activity.pk).update(place="Room\x07 3")
    Person.objects.filter(pk=personas.people.bob.pk).update(phone=f"139{nul}")
    client.force_login(personas.alice)
    for url in (f"/orgs/{personas.branch_a.code}/activities/export.xlsx?year=2026",
                f"/orgs/{personas.branch_a.code}/audit/export.xlsx",
                f"/orgs/{personas.branch_a.code}/people/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        values = [c for c in cells(b"".join(response)) if isinstance(c, str)]
        assert not any(validators.control_characters(v) for v in values), url
    exported = cells(b"".join(client.get(
        f"/orgs/{personas.branch_a.code}/activities/export.xlsx?year=2026")))
    assert "Oldtitle" in exported
