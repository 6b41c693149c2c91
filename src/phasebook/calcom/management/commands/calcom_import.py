"""`phasebook calcom_import`: link event types that already exist in Cal.com to our maps."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from phasebook.calcom.importing import ImportResult, import_event_types
from phasebook.calcom.management.session import calcom_session, companies_or_fail
from phasebook.calcom.provisioning import Step
from phasebook.salons.models import Company


class Command(BaseCommand):
    help = (
        "Verknüpft vorhandene Single-Host-Team-Event-Types aus Cal.com mit Leistung, Segment und "
        "Stylist:in (nach Slug oder Titel „Leistung: Segment“). Segmente, Dauern, Leistungen und "
        "Mitarbeiterdaten bleiben unverändert; phasebook calcom_rollback macht den Lauf rückgängig."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Salon-Slug (sonst alle mit Cal.com-Verbindung)")
        parser.add_argument("--dry-run", action="store_true", help="nur den Plan zeigen")

    def handle(self, *args: Any, **options: Any) -> None:
        for company in companies_or_fail(options["company"]):
            result = self.import_company(company, options["dry_run"])
            self.report(company, result, options["dry_run"])

    def import_company(self, company: Company, dry_run: bool) -> ImportResult:
        with calcom_session(company) as (client, team_id):
            return import_event_types(company, client, team_id, dry_run=dry_run)

    def report(self, company: Company, result: ImportResult, dry_run: bool) -> None:
        title = "Import-Plan (dry run, nichts geändert)" if dry_run else "Import"
        self.stdout.write(f"{company.name} ({company.slug}) — {title}:")
        for step in result.steps:
            if step.action != "keep":
                self.stdout.write(f"  {describe(step)}")
        kept = sum(step.action == "keep" for step in result.steps)
        not_linked = len(result.steps) - kept - len(result.linked)
        self.stdout.write(
            f"  {len(result.linked)} verknüpft, {kept} unverändert, {not_linked} nicht verknüpft"
            + (f"; Änderungs-Batch {result.batch}" if result.batch else "")
        )


def describe(step: Step) -> str:
    if step.action == "reuse":
        return f"[verknüpfen] {step.target.label}: Event Type {step.event_type_id} ({step.slug})"
    return f"[nicht verknüpft] {step.target.label}: {step.note}"
