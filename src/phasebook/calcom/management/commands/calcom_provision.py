"""`phasebook calcom_provision`: one single-host event type per segment and stylist (seed 1.3)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.calcom.management.session import calcom_session, companies_or_fail
from phasebook.calcom.provisioning import ProvisionResult, provision
from phasebook.salons.models import Company


class Command(BaseCommand):
    help = (
        "Legt je Leistung, Segment mit Personal und Stylist:in einen Single-Host-Event-Type in "
        "Cal.com an und trägt ihn in die Zuordnung ein (idempotent; alte Event Types bleiben)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Salon-Slug (sonst alle mit Cal.com-Verbindung)")
        parser.add_argument("--dry-run", action="store_true", help="nur den Plan zeigen")
        parser.add_argument(
            "--verify", action="store_true", help="Prüfbuchung (und Storno) je neuem Event Type"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        companies = companies_or_fail(options["company"])
        failures = []
        for company in companies:
            result = self.provision_company(company, options["dry_run"], options["verify"])
            failures += result.verify_failures
        if failures:
            raise CommandError("Prüfbuchungen fehlgeschlagen:\n" + "\n".join(failures))

    def provision_company(self, company: Company, dry_run: bool, verify: bool) -> ProvisionResult:
        with calcom_session(company) as (client, team_id):
            result = provision(company, client, team_id, dry_run=dry_run, verify=verify)
        self.report(company, result, dry_run)
        return result

    def report(self, company: Company, result: ProvisionResult, dry_run: bool) -> None:
        title = "Plan (dry run, nichts geändert)" if dry_run else "Ergebnis"
        self.stdout.write(f"{company.name} ({company.slug}) — {title}:")
        for step in result.steps:
            if dry_run or step.action != "keep":
                self.stdout.write(f"  {step}")
        counts = {action: 0 for action in ("create", "reuse", "keep", "skip")}
        for step in result.steps:
            counts[step.action] += 1
        self.stdout.write(
            f"  {counts['create']} anzulegen/angelegt, {counts['reuse']} übernommen, "
            f"{counts['keep']} unverändert, {counts['skip']} übersprungen"
            + (f"; Änderungs-Batch {result.batch}" if result.batch else "")
        )
