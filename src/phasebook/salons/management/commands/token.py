"""`phasebook token issue|list|revoke --company SLUG`: a salon's API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.salons.models import ApiToken, Company


class Command(BaseCommand):
    help = (
        "API-Tokens eines Salons: issue zeigt ein neues Token genau einmal, list zeigt "
        "Name, Anfang (Hinweis) und letzte Nutzung, revoke sperrt eines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="ein neues Token ausgeben")
        issue.add_argument("--name", default="API", help="wofür es ist, z. B. Telefon-Assistent")
        listing = actions.add_parser("list", help="die Tokens des Salons")
        revoke = actions.add_parser("revoke", help="ein Token sperren")
        revoke.add_argument("token_id", type=int, help="die ID aus `phasebook token list`")
        for action in (issue, listing, revoke):
            action.add_argument("--company", required=True, help="Salon-Slug")

    def handle(self, *args: Any, action: str, company: str, **options: Any) -> None:
        salon = Company.objects.filter(slug=company).first()
        if salon is None:
            raise CommandError(f"Unbekannter Salon „{company}“ (unknown company slug)")
        if action == "issue":
            self.issue(salon, options["name"])
        elif action == "list":
            self.list(salon)
        else:
            self.revoke(salon, options["token_id"])

    def issue(self, company: Company, name: str) -> None:
        token, raw = ApiToken.issue(company, name)
        self.stdout.write(f"Token {token.pk} für {company.slug} ({name}), nur jetzt sichtbar:")
        self.stdout.write(raw)

    def list(self, company: Company) -> None:
        tokens = ApiToken.objects.filter(company=company).order_by("pk")
        for token in tokens:
            self.stdout.write(_line(token, company))
        if not tokens:
            self.stdout.write(f"{company.slug} hat keine API-Tokens.")

    def revoke(self, company: Company, token_id: int) -> None:
        token = ApiToken.objects.filter(company=company, pk=token_id).first()
        if token is None:  # another salon's token is unknown here too
            raise CommandError(f"{company.slug} hat kein API-Token {token_id}.")
        if token.revoked_at is None:
            token.revoke()
        self.stdout.write(f"Token {token.pk} ({token.name}) von {company.slug} ist gesperrt.")


def _line(token: ApiToken, company: Company) -> str:
    state = f"gesperrt {_local(token.revoked_at, company)}" if token.revoked_at else "aktiv"
    return (
        f"{token.pk}\t{token.name}\t{token.hint or '-'}…\t"
        f"angelegt {_local(token.created_at, company)}\t"
        f"zuletzt {_local(token.last_used_at, company)}\t{state}"
    )


def _local(instant: datetime | None, company: Company) -> str:
    """`instant` in the salon's time zone, to the minute."""
    return f"{instant.astimezone(company.zone):%Y-%m-%d %H:%M}" if instant else "nie"
