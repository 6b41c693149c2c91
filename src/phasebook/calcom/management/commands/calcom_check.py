"""`phasebook calcom_check`: exit 0 only when every phase can be booked in Cal.com."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.calcom.management.session import calcom_session, companies_or_fail
from phasebook.calcom.setup_check import Finding, setup_findings
from phasebook.salons.models import Company


class Command(BaseCommand):
    help = (
        "Listet jede Kombination (Leistung, Segment mit Personal, Stylist:in) ohne buchbaren "
        "Cal.com-Event-Type; Exit-Status 0 nur, wenn alle buchbar sind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Salon-Slug (sonst alle mit Cal.com-Verbindung)")

    def handle(self, *args: Any, **options: Any) -> None:
        companies = companies_or_fail(options["company"])
        findings = [finding for company in companies for finding in self.findings_for(company)]
        if findings:
            raise CommandError(
                f"{len(findings)} Phasen nicht buchbar:\n" + "\n".join(f"  {f}" for f in findings)
            )
        self.stdout.write("Alle Phasen haben einen buchbaren Cal.com-Event-Type.")

    def findings_for(self, company: Company) -> list[Finding]:
        with calcom_session(company) as (client, team_id):
            return setup_findings(company, client, team_id)
