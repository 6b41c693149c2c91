"""Which salon every row belongs to, and so what a signed-in user may see (invariant 5).

COMPANY_PATHS is the one table that says, for every model, the lookup from a row to its
Company. A model that is not in it belongs to no salon: superusers see it, everybody else
gets empty querysets and no permissions. Tenancy refuses by default: a new model stays
invisible to salon users until someone says here how it belongs to a salon.

Memberships and API tokens are managed, not just seen: only the salon's owners
(Membership.is_owner) and superusers see and change them (OWNER_MANAGED). Accounts belong
to salons but only superusers administer them (SUPERUSER_ONLY).

Callers:
- the admin (common/admin.py): querysets, foreign-key and many-to-many choices, list-filter
  choices, autocomplete (through the remote model's queryset), actions and history (both
  read the scoped queryset) for every model registered on the site;
- the portal, which shows one of `companies_of(user)`;
- the API and the phone agent, whose token or call names one company: `of_company`
  (booking/access.py builds the tenant-checked lookups on it).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Manager, Model, QuerySet

from phasebook.salons.models import Company

# Model label → lookup from the model to its Company ("pk": the model is the company).
# Labels, not classes: this module sits below the apps it describes and imports none.
COMPANY_PATHS: dict[str, str] = {
    "salons.Company": "pk",
    "salons.ApiToken": "company",
    "salons.Service": "company",
    "salons.Staff": "company",
    "salons.Absence": "staff__company",
    "salons.ExternalBusyBlock": "company",
    "salons.Customer": "company",
    "salons.Membership": "company",
    "booking.Appointment": "company",
    "booking.AppointmentPhase": "appointment__company",
    "booking.AppointmentEvent": "appointment__company",
    "calcom.CalcomConnection": "company",
    "calcom.CalcomEventMap": "company",
    "calcom.CalcomEventMapChange": "company",
    "calsync.PhaseSyncTask": "company",
    "calsync.CalcomSyncSettings": "company",
    "calsync.WebhookDelivery": "company",
    "calsync.SyncDrift": "company",
    "calsync.ReconcileRun": "company",
    "idempotency.IdempotencyKey": "company",
    "phone.RetellConnection": "company",
    "phone.Call": "company",
    "phone.CallEvent": "call__company",
    "phone.CallbackRequest": "company",
    "phone.CallAppointment": "call__company",
    # A user belongs to the salons they are a member of: owners pick colleagues for
    # memberships; creating users stays with superusers (auth's permissions).
    "auth.User": "memberships__company",
}

# Seen and changed only by the owners of the salon (and superusers).
OWNER_MANAGED = frozenset({"salons.Membership", "salons.ApiToken"})

# Rows that belong to salons (owners pick colleagues from them), administered by superusers
# only: an account's password and superuser flag reach beyond any one salon, so whoever may
# change it may leave tenancy (a salon user holding auth.change_user made themselves superuser).
SUPERUSER_ONLY = frozenset({"auth.User"})

User = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)


def company_path(model: type[Model]) -> str | None:
    """The declared lookup from `model` to its Company; None: it belongs to no salon."""
    return COMPANY_PATHS.get(model._meta.label)


def is_owner_managed(model: type[Model]) -> bool:
    return model._meta.label in OWNER_MANAGED


def is_superuser_only(model: type[Model]) -> bool:
    return model._meta.label in SUPERUSER_ONLY


def is_superuser(user: User) -> bool:
    return bool(getattr(user, "is_superuser", False))


def companies_of(user: User) -> QuerySet[Company]:
    """The salons `user` works for; every salon for superusers, none for anonymous users."""
    if is_superuser(user):
        return Company.objects.all()
    return Company.objects.filter(memberships__user_id=user.pk or 0)


def owned_companies_of(user: User) -> QuerySet[Company]:
    """The salons `user` manages (members and tokens); every salon for superusers."""
    if is_superuser(user):
        return Company.objects.all()
    return Company.objects.filter(memberships__user_id=user.pk or 0, memberships__is_owner=True)


def may_use(model: type[Model], user: User) -> bool:
    """Whether `user` may see `model` at all (before Django's own permissions): superusers
    always; anonymous users never (the login page asks without a query); others when the
    model belongs to salons and is not SUPERUSER_ONLY, owner-managed ones only as owners."""
    if is_superuser(user):
        return True
    if not user.is_authenticated or company_path(model) is None or is_superuser_only(model):
        return False
    return not is_owner_managed(model) or owns_a_salon(user)


def owns_a_salon(user: User) -> bool:
    """Whether `user` owns any salon, asked once per user object: the admin's sidebar asks
    for every owner-managed model and permission on every page."""
    cached: bool | None = getattr(user, "_phasebook_owns_a_salon", None)
    if cached is None:
        cached = owned_companies_of(user).exists()
        setattr(user, "_phasebook_owns_a_salon", cached)  # noqa: B010 (a private attribute)
    return cached


def scope(queryset: QuerySet[M], user: User) -> QuerySet[M]:
    """The rows of `queryset` that belong to `user`'s salons (owned salons for
    owner-managed models); all rows for superusers; none of a model without a path."""
    if is_superuser(user):
        return queryset
    model = queryset.model
    companies = owned_companies_of(user) if is_owner_managed(model) else companies_of(user)
    return _in_companies(queryset, companies.values("pk"))


def of_company(rows: QuerySet[M] | Manager[M], company: Company) -> QuerySet[M]:
    """The rows that belong to `company`, for callers that speak for one salon (an API
    token, a phone call, the portal's chosen salon)."""
    return _in_companies(rows.all(), [company.pk])


def _in_companies(queryset: QuerySet[M], companies: Any) -> QuerySet[M]:
    model = queryset.model
    path = company_path(model)
    if path is None:
        return queryset.none()
    lookup = "pk__in" if path == "pk" else f"{path}__pk__in"
    if not _crosses_many(model, path):
        return queryset.filter(**{lookup: companies})
    # A to-many path (a user's memberships) would repeat a row once per match.
    rows = model._base_manager.filter(**{lookup: companies}).values("pk")
    return queryset.filter(pk__in=rows)


def _crosses_many(model: type[Model], path: str) -> bool:
    for name in path.split("__"):
        if name == "pk":
            return False
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model  # type: ignore[assignment]
    return False
