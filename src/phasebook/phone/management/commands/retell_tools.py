"""`phasebook retell_tools --company SLUG`: the agent's tool definitions, as tools.json."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.phone.manifest import manifest
from phasebook.salons.models import Company


class Command(BaseCommand):
    help = "Gibt die Tool-Definitionen für den Retell-Agenten eines Salons aus (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="Salon-Slug")
        parser.add_argument(
            "--base-url",
            default=settings.PHASEBOOK_PUBLIC_URL,
            help="Öffentliche Adresse von phasebook (Standard: PHASEBOOK_PUBLIC_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["company"]
        if not Company.objects.filter(slug=slug).exists():
            raise CommandError(f"Den Salon „{slug}“ gibt es nicht.")
        base_url = f"{options['base_url'].rstrip('/')}/retell/{slug}"
        self.stdout.write(json.dumps(manifest(base_url), ensure_ascii=False, indent=2))
