"""Two complete salons for the tenancy tests, each with a row of every model the admin serves.

ROWS says, per model label, how to make one row of that model for a salon. A model that is
registered in the admin but missing here makes every tenancy test of it fail (row_for): who
adds a model to the admin adds a row builder here, and the tests then cover it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.sites import all_sites
from django.contrib.auth.models import Group, User
from django.db.models import Model
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.calcom.models import CalcomConnection, CalcomEventMap, CalcomEventMapChange
from phasebook.calsync.models import CalcomSyncSettings, DriftKind, PhaseSyncTask, SyncDrift
from phasebook.phone.models import Call
from phasebook.salons.models import Absence, ApiToken, ExternalBusyBlock, Membership
from phasebook.salons.tenancy import COMPANY_PATHS, of_company
from tests.factories import ACTOR, make_salon, next_weekday


@dataclass(frozen=True)
class Registered:
    """One model as one admin site serves it."""

    site: AdminSite
    model: type[Model]
    model_admin: ModelAdmin[Model]

    @property
    def label(self) -> str:
        return self.model._meta.label

    def url(self, page: str, *args: object) -> str:
        from django.urls import reverse

        meta = self.model._meta
        return reverse(f"{self.site.name}:{meta.app_label}_{meta.model_name}_{page}", args=args)

    def __str__(self) -> str:  # the test id
        return f"{self.site.name}:{self.label}"


def served_sites() -> list[AdminSite]:
    """Every admin site the project's URL configuration serves."""
    namespaces = get_resolver().namespace_dict
    return sorted((site for site in all_sites if site.name in namespaces), key=lambda s: s.name)


def request_of(user: User) -> HttpRequest:
    """A request of `user` to the admin, for calling a ModelAdmin's methods directly."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def registered() -> list[Registered]:
    return [
        Registered(site, model, model_admin)
        for site in served_sites()
        for model, model_admin in site._registry.items()
    ]


def _on_the_day(hour: int) -> datetime:
    return next_weekday(timezone.now(), hour=hour)


def _user(salon: SimpleNamespace, name: str) -> User:
    return User.objects.create_user(f"{salon.company.slug}-{name}", is_staff=True)


def _member(salon: SimpleNamespace) -> User:
    user = _user(salon, "member")
    Membership.objects.create(user=user, company=salon.company)
    return user


def _colleague_membership(salon: SimpleNamespace) -> Membership:
    return Membership.objects.create(user=_user(salon, "colleague"), company=salon.company)


def _absence(salon: SimpleNamespace) -> Absence:
    start = _on_the_day(15)
    return Absence.objects.create(staff=salon.anna, start=start, end=start + timedelta(hours=1))


def _busy_block(salon: SimpleNamespace) -> ExternalBusyBlock:
    start = _on_the_day(16)
    return ExternalBusyBlock.objects.create(
        company=salon.company,
        staff=salon.ben,
        start=start,
        end=start + timedelta(hours=1),
        external_id=f"{salon.company.slug}-busy",
    )


def _event_map(salon: SimpleNamespace) -> CalcomEventMap:
    return CalcomEventMap.objects.create(
        company=salon.company,
        service=salon.colour,
        segment_key="A",
        staff=salon.anna,
        event_type_id=salon.company.pk * 1000,
        event_type_slug=f"{salon.company.slug}-colour-a",
    )


def _event_map_change(salon: SimpleNamespace) -> CalcomEventMapChange:
    return CalcomEventMapChange.objects.create(
        company=salon.company,
        service=salon.colour,
        segment_key="A",
        staff=salon.anna,
        new_event_type_id=salon.company.pk * 1000,
        reason=CalcomEventMapChange.Reason.PROVISION,
    )


def _sync_task(salon: SimpleNamespace) -> PhaseSyncTask:
    appointment = salon.appointment
    return PhaseSyncTask.objects.create(
        phase=appointment.phases.order_by("start_time").first(),
        appointment=appointment,
        company=salon.company,
        action="create",
        next_attempt_at=timezone.now(),
    )


def _drift(salon: SimpleNamespace) -> SyncDrift:
    return SyncDrift.objects.create(
        company=salon.company,
        kind=DriftKind.EXTERNAL_OVERLAP,
        reference=f"{salon.company.slug}-uid",
        detail=f"Fremdbuchung bei {salon.company.name}",
        detected_at=timezone.now(),
    )


def _attempt(salon: SimpleNamespace) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=f"{salon.company.slug}-guess",
        user_agent="test",
        http_accept="*/*",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )


def _access_log(salon: SimpleNamespace) -> AccessLog:
    return AccessLog.objects.create(
        username=f"{salon.company.slug}-member", user_agent="test", http_accept="*/*"
    )


def _failure_log(salon: SimpleNamespace) -> AccessFailureLog:
    return AccessFailureLog.objects.create(
        username=f"{salon.company.slug}-guess", user_agent="test", http_accept="*/*"
    )


RowBuilder = Callable[[SimpleNamespace], Model]

ROWS: dict[str, RowBuilder] = {
    "auth.Group": lambda salon: Group.objects.create(name=f"{salon.company.slug} team"),
    "auth.User": _member,
    "axes.AccessAttempt": _attempt,
    "axes.AccessLog": _access_log,
    "axes.AccessFailureLog": _failure_log,
    "salons.Company": lambda salon: salon.company,
    "salons.Staff": lambda salon: salon.anna,
    "salons.Absence": _absence,
    "salons.Service": lambda salon: salon.colour,
    "salons.Customer": lambda salon: salon.appointment.customer,
    "salons.ExternalBusyBlock": _busy_block,
    "salons.ApiToken": lambda salon: ApiToken.objects.get(company=salon.company),
    "salons.Membership": _colleague_membership,
    "booking.Appointment": lambda salon: salon.appointment,
    "calcom.CalcomConnection": lambda salon: CalcomConnection.objects.create(company=salon.company),
    "calcom.CalcomEventMap": _event_map,
    "calcom.CalcomEventMapChange": _event_map_change,
    "calsync.CalcomSyncSettings": lambda salon: CalcomSyncSettings.objects.create(
        company=salon.company
    ),
    "calsync.PhaseSyncTask": _sync_task,
    "calsync.SyncDrift": _drift,
    "phone.Call": lambda salon: Call.objects.create(
        company=salon.company, call_id=f"{salon.company.slug}-call", from_number="+4917612345601"
    ),
}


def row_of(salon: SimpleNamespace, label: str) -> Model:
    """The row of model `label` built for `salon`; a loud failure for a model without one."""
    try:
        return salon.rows[label]
    except KeyError:
        raise LookupError(
            f"{label} is registered in the admin, but tests/tenancy/world.py has no row "
            "builder for it: add one to ROWS so the tenancy tests cover it"
        ) from None


def build_salon(slug: str) -> SimpleNamespace:
    """make_salon's salon with a booked appointment and one row of every model in ROWS
    (salon.rows, by label)."""
    salon = make_salon(slug)
    wanted = BookingRequest(
        salon.colour.pk, _on_the_day(10), CustomerDetails(f"Kundin {slug}"), str(salon.anna.pk)
    )
    salon.appointment = book_appointment(salon.company, wanted, actor=ACTOR)
    salon.rows = {label: build(salon) for label, build in ROWS.items()}
    return salon


def belongings(salon: SimpleNamespace) -> set[tuple[str, object]]:
    """(model label, pk) of everything built for `salon`: what another salon must not see."""
    return {(row._meta.label, row.pk) for row in _built(salon)}


def _built(salon: SimpleNamespace) -> Iterator[Model]:
    yield from (salon.company, salon.anna, salon.ben, *salon.services)
    yield from (salon.appointment, salon.appointment.customer, *salon.appointment.phases.all())
    yield from ApiToken.objects.filter(company=salon.company)
    for row in salon.rows.values():
        yield row
        if isinstance(row, Membership):
            yield row.user


def everything_of(salon: SimpleNamespace) -> dict[str, list[dict[str, Any]]]:
    """Every row of `salon`, of every model that belongs to salons."""
    return {
        label: list(of_company(apps.get_model(label)._base_manager, salon.company).values())
        for label in COMPANY_PATHS
    }
