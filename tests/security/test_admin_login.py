"""The admin login cannot be guessed through: strong passwords, a lockout after a few wrong
ones, sessions of one working day, and a Content-Security-Policy on every page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "Kamm-und-Schere-2026"


@pytest.fixture
def owner(db: None) -> User:
    return User.objects.create_user("owner", password=PASSWORD, is_staff=True)


def _login(client: Client, username: str, password: str, **headers: str):
    return client.post(LOGIN, {"username": username, "password": password}, headers=headers)


@pytest.mark.parametrize("password", ["1", "Friseur", "12345678901", "password123"])
def test_weak_passwords_are_refused(owner: User, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, owner)


def test_a_long_unusual_password_is_accepted(owner: User) -> None:
    validate_password(PASSWORD, owner)  # raises if refused


def test_after_five_wrong_passwords_even_the_right_one_is_locked_out(owner: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "owner", "falsch").status_code == 200  # the form again

    locked = _login(client, "owner", "falsch")
    again = _login(client, "owner", PASSWORD)

    assert (locked.status_code, again.status_code) == (429, 429)
    assert again["Retry-After"] == str(15 * 60)
    assert "Zu viele fehlgeschlagene Anmeldungen" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_english_to_an_english_browser(owner: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "owner", "wrong")

    page = _login(client, "owner", PASSWORD, **{"Accept-Language": "en"}).content.decode()

    assert "Too many failed logins. Please try again in 15 minutes" in page


def test_a_locked_out_user_does_not_lock_out_another(owner: User) -> None:
    User.objects.create_user("stylist", password=PASSWORD, is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "owner", "falsch")

    assert _login(client, "stylist", PASSWORD).status_code == 302


def test_a_successful_login_lasts_one_working_day(owner: User) -> None:
    client = Client()

    assert _login(client, "owner", PASSWORD).status_code == 302
    assert client.session.get_expiry_age() == 10 * 3600


def test_admin_pages_carry_a_policy_that_runs_no_inline_script(owner: User) -> None:
    policy = Client().get(LOGIN)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))

    assert directives["script-src"] == "'self' 'unsafe-eval'"  # Alpine.js, no inline script
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_the_api_docs_load_nothing_from_another_site(db: None) -> None:
    page = Client().get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "https://" not in page
