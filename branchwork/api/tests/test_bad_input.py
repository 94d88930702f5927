"""No 500 and nothing stored from bad input: control characters, missing fields, huge numbers,
impossible dates. Each answers 400 (or 404) with a message, as the schema documents."""

import pytest
from django.utils import translation

from branchwork.core.models import AuditEntry, Person

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.mark.parametrize("body", [
    {"phone": "139\x00"},
    {"phone": "139\x1b[31m"},
    {"phone": "139", "nested": {"k\x00": ["ok", "bad\x00"]}},
])
def test_an_api_body_with_one_is_refused_with_400_and_nothing_written(personas, api, body):
    bob = personas.people.bob
    before = (Person.objects.get(pk=bob.pk).phone, AuditEntry.objects.count())
    with translation.override("en"):
        response = api(personas.alice).patch(f"{API}/people/{bob.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert any("control character" in str(v) for v in response.json().values())
    assert (Person.objects.get(pk=bob.pk).phone, AuditEntry.objects.count()) == before


def test_an_api_post_with_a_nul_is_refused_with_400(personas, api):
    before = Person.objects.count()
    response = api(personas.alice).post(f"{API}/people/", {
        "name": "刘\x00新", "organization": "branch-a", "role": "member",
        "start_on": "2025-03-01"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert Person.objects.count() == before


def test_a_form_encoded_api_body_is_checked_too(personas, api):
    bob = personas.people.bob
    response = api(personas.alice).patch(f"{API}/people/{bob.pk}/", {"phone": "1\x00"})
    assert response.status_code == 400


