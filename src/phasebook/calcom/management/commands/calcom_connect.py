"""`phasebook calcom_connect`: set a company's Cal.com base URL, team and API key."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.calcom.connection import CalcomNotConfigured, companies_for
from phasebook.calcom.models import CalcomConnection


class Command(BaseCommand):
    help = (
        "Setzt Basis-URL, Team-ID und API-Key der Cal.com-Verbindung eines Salons. "
        "Den Key besser über PHASEBOOK_CALCOM_API_KEY übergeben (nicht in der Shell-History)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="Salon-Slug")
        parser.add_argument("--base-url", help="z. B. https://api.cal.com (ohne /v2)")
        parser.add_argument("--team-id", type=int, help="Cal.com-Team der Phasen-Event-Types")
        parser.add_argument("--api-key", help="sonst aus PHASEBOOK_CALCOM_API_KEY")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            (company,) = companies_for(options["company"])
        except CalcomNotConfigured as error:
            raise CommandError(str(error)) from error
        api_key = options["api_key"] or os.environ.get("PHASEBOOK_CALCOM_API_KEY", "")
        connection = CalcomConnection.objects.filter(company=company).first()
        connection = connection or CalcomConnection(company=company)  # saved only if valid
        if options["base_url"]:
            connection.base_url = options["base_url"].rstrip("/").removesuffix("/v2")
        if options["team_id"] is not None:
            connection.team_id = options["team_id"]
        if api_key:
            connection.api_key = api_key
        try:
            connection.full_clean()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        connection.save()
        key_state = "gesetzt" if connection.has_api_key else "FEHLT"
        self.stdout.write(
            f"{company.slug}: {connection.base_url}, Team {connection.team_id or 'FEHLT'}, "
            f"API-Key {key_state}"
        )
