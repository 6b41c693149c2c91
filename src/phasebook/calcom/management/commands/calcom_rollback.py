"""`phasebook calcom_rollback`: restore the ids the newest provisioning run replaced (Part 8)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from phasebook.calcom.management.session import companies_or_fail
from phasebook.calcom.provisioning import NothingToRollBack, rollback


class Command(BaseCommand):
    help = "Setzt die Cal.com-Zuordnungen des neuesten Provisionierungslaufs zurück."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Salon-Slug (sonst alle mit Cal.com-Verbindung)")

    def handle(self, *args: Any, **options: Any) -> None:
        for company in companies_or_fail(options["company"]):
            try:
                undone = rollback(company)
            except NothingToRollBack as error:
                self.stdout.write(str(error))
                continue
            self.stdout.write(f"{company.name} ({company.slug}): {len(undone)} Zuordnungen:")
            for change in undone:
                self.stdout.write(
                    f"  {change.service} {change.segment_key} / {change.staff}: "
                    f"{change.old_event_type_id} → {change.new_event_type_id or 'keine'}"
                )
