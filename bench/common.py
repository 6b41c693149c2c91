"""Set-up shared by the benchmarks: a PostgreSQL database of their own, migrated."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/phasebook_bench"
REPO = Path(__file__).resolve().parent.parent


def _ensure_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def setup(url: str, *, migrate: bool = True) -> None:
    """Point Django at `url` (created if missing), migrate it quietly."""
    if not url.startswith("postgres"):
        sys.exit("the benchmarks need PostgreSQL (its exclusion constraints are the point)")
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phasebook.settings")
    sys.path.insert(0, str(REPO))  # for tests.support.overlaps
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)


def reset() -> None:
    """Empty every table the benchmarks fill."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE booking_appointmentphase, booking_appointment, salons_customer, "
            "salons_company CASCADE"
        )


def demo_salon(stylists: int) -> tuple[Any, list[Any]]:
    """The demo salon with `stylists` stylists, each offering every service."""
    from phasebook.demo.salon import load_demo_salon
    from phasebook.salons.models import Staff

    company = load_demo_salon()
    first = Staff.objects.filter(company=company).first()
    assert first is not None
    for number in range(Staff.objects.filter(company=company).count(), stylists):
        extra = Staff.objects.create(
            company=company, name=f"Stylist {number + 1}", working_hours=first.working_hours
        )
        extra.services.add(*company.services.all())
    return company, list(Staff.objects.filter(company=company).order_by("pk"))
