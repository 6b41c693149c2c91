"""Tenant scoping for the admin: every queryset, foreign-key choice and new row is limited
to the salons the signed-in user is a member of (superusers see all)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline

from phasebook.salons.models import Company


def companies_of(request: HttpRequest) -> QuerySet[Company]:
    user = request.user
    if user.is_superuser:
        return Company.objects.all()
    return Company.objects.filter(memberships__user_id=user.pk or 0)


class TenantScoped:
    """Mixin: `company_path` is the lookup from the model to its Company."""

    company_path = "company"

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.company_path}__in": companies_of(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None:
            field.queryset = _scoped_choices(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None:
            field.queryset = _scoped_choices(request, field.queryset)
        return field


def _scoped_choices(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if request.user.is_superuser:
        return queryset
    model: type[Model] = queryset.model
    if model is Company:
        return queryset.filter(pk__in=companies_of(request))
    if any(field.name == "company" for field in model._meta.get_fields()):
        return queryset.filter(company__in=companies_of(request))
    return queryset.none() if model._meta.app_label in {"salons", "booking"} else queryset


class TenantAdmin(TenantScoped, ModelAdmin):
    pass


class TenantInline(TenantScoped, TabularInline):
    pass


class ReadOnlyTenantAdmin(TenantAdmin):
    """For records the system writes (histories, outboxes): viewable, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
