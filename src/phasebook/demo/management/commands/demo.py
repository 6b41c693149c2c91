"""`phasebook demo`: migrate, load the demo salon, start the server, print how to use it."""

from __future__ import annotations

import os
import secrets
from datetime import date
from typing import Any

import uvicorn
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from phasebook.calcom_emulator import start_in_thread
from phasebook.demo.calcom import DemoCalcom, connect_demo_calcom
from phasebook.demo.portal import book_demo_day, ensure_salon_user
from phasebook.demo.retell import DemoRetell, connect_demo_retell
from phasebook.demo.salon import issue_demo_token, load_demo_salon

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = "Run the demo: migrate, load 'Friseur Demo', start the API and admin on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--calcom-port", type=int, default=8765)

    def handle(self, *args: Any, port: int, calcom_port: int, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        company = load_demo_salon()
        token = issue_demo_token(company, os.environ.get("PHASEBOOK_DEMO_TOKEN"))
        password = ensure_demo_admin()
        ensure_salon_user(company, password)
        # The demo's Cal.com is the emulator on loopback: starting the demo allows it.
        settings.PHASEBOOK_CALCOM_ALLOW_LOOPBACK = True
        running = start_in_thread(host=HOST, port=calcom_port)
        try:
            calcom = connect_demo_calcom(
                company, running.emulator, running.url, os.environ.get("PHASEBOOK_DEMO_CALCOM_KEY")
            )
            booked_day = book_demo_day(company)
            retell = connect_demo_retell(
                company, f"http://{HOST}:{port}", os.environ.get("PHASEBOOK_DEMO_RETELL_KEY")
            )
            self.serve(company.name, port, token, password, calcom, booked_day, retell)
        finally:
            running.stop()

    def serve(
        self,
        name: str,
        port: int,
        token: str,
        password: str,
        calcom: DemoCalcom,
        booked_day: date,
        retell: DemoRetell,
    ) -> None:
        base = f"http://{HOST}:{port}"
        self.stdout.write(
            f"\nphasebook demo — {name}\n"
            f"  Portal:    {base}/admin/   (salon: salon / {password}, everything: admin / "
            f"{password})\n"
            f"  Terminbuch with demo bookings: {base}/admin/terminbuch/?date={booked_day}\n"
            f"  API:       {base}/api/v1/   (docs: {base}/api/v1/docs)\n"
            f"  API token: {token}\n"
            f"  Try:       curl -H 'Authorization: Bearer {token}' {base}/api/v1/services\n"
            f"  Cal.com:   {calcom.url}   (Emulator, API-Key: {calcom.api_key}; "
            f"{len(calcom.provisioned.created_ids)} Event Types angelegt)\n"
            f"  Bookings:  {calcom.curl_example()}\n"
            f"  Retell:    API-Key {retell.api_key} (signs X-Retell-Signature)\n"
            f"             Webhook   {retell.webhook_url}\n"
            f"             Inbound   {retell.inbound_url}\n"
            f"             Functions {retell.functions_url}   (Tools: {retell.tools_url})\n"
            f"  Metrics:   curl -H 'Authorization: Bearer {metrics_token()}' {base}/metrics\n"
            "  Stop with Ctrl+C.\n"
        )
        self.stdout.flush()
        # uvicorn installs its own SIGINT/SIGTERM handlers and shuts down gracefully.
        uvicorn.run(
            "phasebook.asgi:application", host=HOST, port=port, log_level="warning", lifespan="off"
        )


def metrics_token() -> str:
    """PHASEBOOK_METRICS_TOKEN, or for this demo run a new one (/metrics is never open)."""
    if not settings.PHASEBOOK_METRICS_TOKEN:
        # Read per request (phasebook.monitoring.access), so setting it here takes effect.
        settings.PHASEBOOK_METRICS_TOKEN = secrets.token_urlsafe(16)
    token: str = settings.PHASEBOOK_METRICS_TOKEN
    return token


def ensure_demo_admin() -> str:
    """The demo superuser 'admin'; its password is PHASEBOOK_DEMO_ADMIN_PASSWORD or new."""
    password = os.environ.get("PHASEBOOK_DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password(password)
    user.save()
    return password
