"""`phasebook retell_connect`: set a salon's Retell API key, agent and phone numbers."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.phone.models import RetellConnection
from phasebook.salons.models import Company


class Command(BaseCommand):
    help = (
        "Setzt API-Key, Agent-ID und Telefonnummern der Retell-Verbindung eines Salons. "
        "Den Key besser über PHASEBOOK_RETELL_API_KEY übergeben (nicht in der Shell-History)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="Salon-Slug")
        parser.add_argument("--api-key", help="sonst aus PHASEBOOK_RETELL_API_KEY")
        parser.add_argument("--agent-id", help="Retell-Agent des Salons (optional)")
        parser.add_argument(
            "--phone-number", action="append", help="Nummer des Salons bei Retell (+49…), mehrfach"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        company = Company.objects.filter(slug=options["company"]).first()
        if company is None:
            raise CommandError(f"Den Salon „{options['company']}“ gibt es nicht.")
        connection, _ = RetellConnection.objects.get_or_create(company=company)
        api_key = options["api_key"] or os.environ.get("PHASEBOOK_RETELL_API_KEY", "")
        if api_key:
            connection.api_key = api_key
        if options["agent_id"] is not None:
            connection.agent_id = options["agent_id"]
        if options["phone_number"]:
            connection.phone_numbers = options["phone_number"]
        try:
            connection.full_clean()
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        connection.save()
        key_state = "gesetzt" if connection.has_api_key else "FEHLT"
        self.stdout.write(
            f"{company.slug}: Retell-API-Key {key_state}, Agent {connection.agent_id or '-'}, "
            f"Nummern {', '.join(connection.phone_numbers) or '-'}"
        )
