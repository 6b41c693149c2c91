"""`phasebook calcom_reconcile [--company SLUG]`: compare with Cal.com, repair, print counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.calcom.connection import CalcomNotConfigured
from phasebook.calcom.errors import CalcomError
from phasebook.calsync.env import default_env
from phasebook.calsync.reconcile import reconcile_company
from phasebook.calsync.sync import sync_appointment
from phasebook.salons.models import Company


class Command(BaseCommand):
    help = (
        "Gleicht die Phasen-Buchungen mit Cal.com ab: fehlende neu anlegen, verwaiste "
        "stornieren, Fremdtermine als Belegt-Zeiten übernehmen, Abweichungen melden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Salon-Slug (sonst alle verbundenen Salons)")

    def handle(self, *args: Any, **options: Any) -> None:
        companies = Company.objects.filter(calcom_connection__is_enabled=True)
        if options["company"]:
            companies = companies.filter(slug=options["company"])
            if not companies.exists():
                raise CommandError(f"Kein mit Cal.com verbundener Salon „{options['company']}“.")
        env = default_env()
        for company in companies:
            try:
                report = reconcile_company(company, env)
            except (CalcomError, CalcomNotConfigured) as error:
                raise CommandError(f"{company.slug}: {error}") from error
            if report.refused:
                raise CommandError(report.summary())
            # Synchronously: this process ends afterwards, background threads would die with it.
            for appointment_id in report.appointments:
                sync_appointment(appointment_id, env)
            self.stdout.write(report.summary())
