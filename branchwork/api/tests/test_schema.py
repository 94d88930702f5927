import re

import pytest
from openapi_spec_validator import validate

API = "/api/v1"


@pytest.mark.parametrize(
    "request_json",
    [{"data": {"format": "json"}}, {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}],
    ids=["format-parameter", "accept-header"],
)
def test_the_schema_validates_as_openapi_3(request_json, personas, api):
    response = api(personas.bob).get(f"{API}/schema/", **request_json)

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_describes_our_api_and_nothing_else(personas, api):
    schema = api(personas.bob).get(f"{API}/schema/", {"format": "json"}).json()

    assert set(schema["paths"]) == {
        f"{API}/me/",
        f"{API}/organizations/",
        f"{API}/organizations/{{code}}/",
        f"{API}/people/",
        f"{API}/people/{{id}}/",
        f"{API}/memberships/",
        f"{API}/memberships/{{id}}/",
        f"{API}/status-changes/",
        f"{API}/status-changes/{{id}}/",
        f"{API}/activities/",
        f"{API}/activities/{{id}}/",
        f"{API}/activities/{{id}}/attendance/",
        f"{API}/activities/{{id}}/minutes/",
        f"{API}/activities/{{id}}/submit/",
        f"{API}/activities/{{id}}/approve/",
        f"{API}/activities/{{id}}/return/",
        f"{API}/activities/{{id}}/amend/",
        f"{API}/compliance/",
        f"{API}/search/",
        f"{API}/research/figures/",
        f"{API}/exchanges/figures/",
        f"{API}/awards/",
        f"{API}/awards/{{id}}/",
        f"{API}/competitions/{{id}}/results/",
    }
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_schema_shows_that_nothing_is_deleted_through_the_api(personas, api):
    schema = api(personas.bob).get(f"{API}/schema/", {"format": "json"}).json()

    assert not any("delete" in operations for operations in schema["paths"].values())


def test_the_docs_page_loads_for_signed_in_users_from_our_own_static_files(personas, login):
    client = login(personas.bob)

    response = client.get(f"{API}/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(url.startswith("/static/drf_spectacular_sidecar/") for url in assets), assets
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content) if asset.streaming else asset.content, url


def test_the_docs_page_sends_strangers_to_the_login_page(personas, login):
    response = login(None).get(f"{API}/docs/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
