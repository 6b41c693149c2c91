"""`phasebook calcom_check`: exit 0 only when the key may list and cancel the team's bookings
and every phase can be booked in Cal.com."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.calcom.management.session import calcom_session, companies_or_fail
from phasebook.calcom.setup_check import (
    Finding,
    access_problem,
    record_access,
    setup_findings,
)
from phasebook.salons.models import Company


class Command(BaseCommand):
    help = (
        "Prüft, ob der API-Key die Buchungen des Cal.com-Teams lesen und stornieren darf, und "
        "listet jede Kombination (Leistung, Segment mit Personal, Stylist:in) ohne buchbaren "
        "Cal.com-Event-Type; Exit-Status 0 nur, wenn alles stimmt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Salon-Slug (sonst alle mit Cal.com-Verbindung)")

    def handle(self, *args: Any, **options: Any) -> None:
        access: list[str] = []
        findings: list[Finding] = []
        for company in companies_or_fail(options["company"]):
            problem, found = self.check_company(company)
            access += [problem] if problem else []
            findings += found
        if access or findings:
            unbookable = [f"{len(findings)} Phasen nicht buchbar:"] if findings else []
            lines = access + unbookable + [f"  {finding}" for finding in findings]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            "Alle Phasen haben einen buchbaren Cal.com-Event-Type, und der API-Key darf die "
            "Buchungen des Teams lesen und stornieren."
        )

    def check_company(self, company: Company) -> tuple[str | None, list[Finding]]:
        with calcom_session(company) as (client, team_id):
            problem = access_problem(company, client, team_id)
            findings = setup_findings(company, client, team_id)
        record_access(company, problem)
        return problem, findings
