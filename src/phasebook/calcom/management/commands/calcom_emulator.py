"""`phasebook calcom_emulator`: a thin wrapper; the emulator itself does not depend on Django."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand

from phasebook.calcom_emulator import cli


class Command(BaseCommand):
    help = "Serve a local Cal.com API v2 emulator (stops on SIGTERM/SIGINT)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli.run(argparse.Namespace(**options))
