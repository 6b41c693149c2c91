"""`phasebook demo`: migrate, load the demo salon, start the server, print how to use it."""

from __future__ import annotations

import os
import secrets
from typing import Any

import uvicorn
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from phasebook.demo.salon import issue_demo_token, load_demo_salon

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = "Run the demo: migrate, load 'Friseur Demo', start the API and admin on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        company = load_demo_salon()
        token = issue_demo_token(company, os.environ.get("PHASEBOOK_DEMO_TOKEN"))
        password = ensure_demo_admin()
        base = f"http://{HOST}:{port}"
        self.stdout.write(
            f"\nphasebook demo — {company.name}\n"
            f"  Admin:     {base}/admin/   (login: admin / {password})\n"
            f"  API:       {base}/api/v1/   (docs: {base}/api/v1/docs)\n"
            f"  API token: {token}\n"
            f"  Try:       curl -H 'Authorization: Bearer {token}' {base}/api/v1/services\n"
            "  Stop with Ctrl+C.\n"
        )
        self.stdout.flush()
        # uvicorn installs its own SIGINT/SIGTERM handlers and shuts down gracefully.
        uvicorn.run(
            "phasebook.asgi:application", host=HOST, port=port, log_level="warning", lifespan="off"
        )


def ensure_demo_admin() -> str:
    """The demo superuser 'admin'; its password is PHASEBOOK_DEMO_ADMIN_PASSWORD or new."""
    password = os.environ.get("PHASEBOOK_DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password(password)
    user.save()
    return password
