"""The settings fail loudly, the deployment check is clean, and the README documents every knob."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from branchwork import settings as bw_settings

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "helper, raw",
    [(bw_settings.env_bool, "maybe"), (bw_settings.env_int, "twelve")],
)
def test_a_bad_value_stops_the_start_with_the_variables_name(monkeypatch, helper, raw):
    monkeypatch.setenv("BW_PROBE", raw)
    with pytest.raises(ImproperlyConfigured, match="BW_PROBE"):
        helper("BW_PROBE", 0)


def test_choices_are_checked(monkeypatch):
    monkeypatch.setenv("BW_PROBE", "celery")
    with pytest.raises(ImproperlyConfigured, match="expected one of"):
        bw_settings.env_choice("BW_PROBE", "a", {"a", "b"})


def _run(args, **env):
    # Not inherited: the test database, the test settings, and the browser fixture's async waiver.
    skip = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in skip}
    return subprocess.run(
        [sys.executable, "-m", "branchwork", *args], cwd=REPO, env={**base, **env}, capture_output=True, text=True,
        timeout=120,
    )


def test_the_deployment_check_is_clean_for_a_production_configuration(tmp_path):
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0", BASE_URL="https://branch.example.org", ALLOWED_HOSTS="branch.example.org",
        SECRET_KEY=secrets.token_urlsafe(50), BRANCHWORK_INSTANCE=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"BRANCHWORK_INSTANCE": str(tmp_path / "empty")}
    result = _run(["check"], **env, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_https_turns_on_secure_cookies_and_hsts(tmp_path):
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    result = _run(["shell", "-c", code], BASE_URL="https://branch.example.org", SECRET_KEY="x" * 50,
                  BRANCHWORK_INSTANCE=str(tmp_path))
    assert result.stdout.split()[-4:] == ["True", "True", "31536000", "True"], result.stderr


def test_the_readme_documents_every_environment_variable():
    source = (REPO / "branchwork" / "settings.py").read_text() + (REPO / "branchwork" / "instance.py").read_text()
    names = set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= set(re.findall(r'os\.environ(?:\.get)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= set(re.findall(r'os\.environ\["([A-Z][A-Z0-9_]+)"\]', source))
    readme = (REPO / "README.md").read_text()
    assert names, "no variables found: has the settings' style changed?"
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"


def test_passwords_are_hashed_with_argon2_in_production():
    assert bw_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_migrations_match_the_models(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
