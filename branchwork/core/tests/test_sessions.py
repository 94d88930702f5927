"""Sessions read with one plain SELECT (core/sessions.py) and the signed-in user read the same way
(UsernameOrEmailBackend.get_user): what Django's database sessions and ModelBackend do, no less
(issue 13, the load benchmark's floor)."""

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from branchwork.core.auth import UsernameOrEmailBackend
from branchwork.core.sessions import SessionStore
from branchwork.core.testing import PASSWORD

MY = "/my/"


def sign_in(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_deployment_uses_the_plain_select_store():
    assert settings.SESSION_ENGINE == "branchwork.core.sessions"


def test_a_session_is_read_back_as_it_was_written(db):
    store = SessionStore()
    store["answer"] = {"n": 42, "text": "学习"}
    store.create()

    again = SessionStore(store.session_key)
    assert again["answer"] == {"n": 42, "text": "学习"}
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_reads_empty_and_loses_its_key(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))

    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None
    assert SessionStore(None).load() == {}


def test_a_tampered_session_reads_empty(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(session_data="not-signed:data")

    assert SessionStore(store.session_key).load() == {}


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(personas):
    client = sign_in(personas.bob)
    assert client.get(MY).status_code == 200
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert stolen.get(MY).status_code == 200

    client.post("/accounts/logout/")

    assert stolen.get(MY).status_code == 302


def test_a_new_password_ends_the_other_sessions(personas):
    client = sign_in(personas.bob)
    personas.bob.set_password("another-password-2026")
    personas.bob.save()

    assert client.get(MY).status_code == 302


def test_get_user_finds_an_active_user_by_key_and_nobody_else(personas):
    backend = UsernameOrEmailBackend()
    bob = personas.bob

    found = backend.get_user(bob.pk)
    assert found == bob
    assert (found.username, found.password, found.is_active, found.last_login) == (
        bob.username, bob.password, bob.is_active, bob.last_login)
    assert backend.get_user(10**9) is None
    # The session keeps the key as text (as Django writes it); anything else finds nobody.
    assert backend.get_user(str(bob.pk)) == bob
    assert backend.get_user("x1") is None and backend.get_user("") is None
    bob.is_active = False
    bob.save()
    assert backend.get_user(bob.pk) is None
