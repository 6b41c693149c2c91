"""Browser tests: Playwright for Python drives Debian's Chromium against a live server.

- The browser is /usr/bin/chromium (`executable_path`); Playwright never downloads one.
  Without it the tests skip, unless PHASEBOOK_REQUIRE_SERVICES=1 (CI), where they fail.
- They run in the PostgreSQL pass of `./dev test` only and are deselected in the SQLite
  pass: they test what a person sees over HTTP, and the booking rules under it are tested
  on both databases already; one pass keeps them within their share of CI time.
- `look(page, name)` (screenshots.py) writes a screenshot in light mode, in dark mode and at
  390×844 to var/screenshots/ (not committed) and fails if the phone width scrolls sideways.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from tests.browser.screenshots import DESKTOP
from tests.support.environment import unavailable
from tests.support.portal import salon_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "salon-pw-1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    browser_tests = [item for item in items if "tests/browser/" in str(item.path)]
    if browser_tests:
        config.hook.pytest_deselected(items=browser_tests)
        items[:] = [item for item in items if item not in browser_tests]


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the test thread, and Django refuses ORM
    # calls from a thread with a running loop. The tests only make plain, synchronous
    # calls between browser steps, so the check is lifted while this package's tests run
    # (package scope: Playwright and the lifted check end before any other test starts).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session", autouse=True)
def _live_server_ends_before_the_test_database(
    django_db_setup: None, live_server: Any
) -> Iterator[None]:
    """Fixtures end in the reverse order of their start: requested here after the database,
    the live server is gone before the test database is dropped. Connections of threads that
    have ended (the live server's, the sync runner's) close when they are collected."""
    yield
    gc.collect()


@pytest.fixture
def member(salon: SimpleNamespace) -> User:
    user = salon_user(salon.company, "salon")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def page(chromium: Any, live_server: Any, member: User) -> Iterator[Any]:
    """A German desktop browser tab, signed in as the salon user through the login form."""
    context = chromium.new_context(viewport=DESKTOP, locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    log_in(tab, member.username, PASSWORD)
    yield tab
    context.close()


def log_in(tab: Any, username: str, password: str) -> None:
    tab.goto(f"{tab.base_url}/admin/")  # as a person would: the portal asks them to log in
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{tab.base_url}/admin/terminbuch/")
