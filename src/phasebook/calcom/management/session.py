"""What every Cal.com management command does first: pick the companies, connect, and turn
set-up problems and failed calls into CommandErrors whose message names the fix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.connection import (
    CalcomNotConfigured,
    client_for_connection,
    companies_for,
    connection_for,
    explain_calcom_error,
    team_id_for,
)
from phasebook.calcom.errors import CalcomError
from phasebook.salons.models import Company


def companies_or_fail(slug: str | None) -> list[Company]:
    try:
        return companies_for(slug)
    except CalcomNotConfigured as error:
        raise CommandError(str(error)) from error


@contextmanager
def calcom_session(company: Company) -> Iterator[tuple[CalcomClient, int]]:
    """The company's Cal.com client and team id, for the calls inside the block."""
    try:
        connection = connection_for(company)
        team_id = team_id_for(connection)
    except CalcomNotConfigured as error:
        raise CommandError(str(error)) from error
    with client_for_connection(connection) as client:
        try:
            yield client, team_id
        except CalcomError as error:
            raise CommandError(explain_calcom_error(error, connection)) from error
