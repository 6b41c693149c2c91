"""The admin's tenancy: every model registered on the site is scoped by salons/tenancy.py.

TenantAdminSite wraps each ModelAdmin it registers (ours and third-party ones such as
auth's) in TenantScoped, so no page can forget it: querysets, foreign-key and many-to-many
choices, list-filter choices, actions and history (both read the scoped queryset) and the
autocomplete endpoint show only the user's salons, and a model without a company path is
refused to everybody but superusers. Another salon's object is answered as Django answers
an object that does not exist: a redirect to the index saying so.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.admin import ModelAdmin as DjangoModelAdmin
from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Field, QuerySet
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from unfold.admin import ModelAdmin, TabularInline
from unfold.sites import UnfoldAdminSite

from phasebook.salons.tenancy import may_use, scope

if TYPE_CHECKING:
    AnyModelAdmin = BaseModelAdmin[Any]
else:
    AnyModelAdmin = BaseModelAdmin  # generic for the type checker only


class TenantScoped(AnyModelAdmin):
    """Mixin for model and inline admins: everything is read through tenancy.scope."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and field.queryset is not None:
            field.queryset = scope(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and field.queryset is not None:
            field.queryset = scope(field.queryset, request.user)
        return field

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]  # type: ignore[misc]

    def _scoped_filter(self, entry: Any) -> Any:
        if isinstance(entry, (list, tuple)):
            path, filter_class = entry
            if issubclass(filter_class, RelatedFieldListFilter):
                return (path, scoped_filter(filter_class))
        elif isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:
            return (entry, scoped_filter(RelatedFieldListFilter))
        return entry

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_use(self.model, request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_use(self.model, request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return may_use(self.model, request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_use(self.model, request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_use(self.model, request.user) and super().has_delete_permission(request, obj)


class ScopedChoices(RelatedFieldListFilter):
    """A related-field list filter that offers only the user's salons' rows."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        choices = super().field_choices(field, request, model_admin)
        attname = _choice_attname(field)
        offered = field.related_model._default_manager.filter(
            **{f"{attname}__in": [value for value, _label in choices]}
        )
        allowed = set(scope(offered, request.user).values_list(attname, flat=True))
        return [(value, label) for value, label in choices if value in allowed]


@cache
def scoped_filter(filter_class: type[RelatedFieldListFilter]) -> type[RelatedFieldListFilter]:
    if issubclass(filter_class, ScopedChoices):
        return filter_class
    return type(f"Scoped{filter_class.__name__}", (ScopedChoices, filter_class), {})


def _choice_attname(field: Field[Any, Any] | ForeignObjectRel) -> str:
    """The attribute a relation's choices are values of (as Field.get_choices picks it)."""
    related_field = getattr(field.remote_field, "get_related_field", None)
    if isinstance(field, ForeignObjectRel) or related_field is None:
        return "pk"
    return str(related_field().attname)


class ScopedAutocomplete(AutocompleteJsonView):
    """The autocomplete endpoint answers from the remote model's scoped rows only."""

    def get_queryset(self) -> QuerySet[Any]:
        return scope(super().get_queryset(), self.request.user)


def tenant_scoped(admin_class: type[DjangoModelAdmin[Any]]) -> type[DjangoModelAdmin[Any]]:
    if issubclass(admin_class, TenantScoped):
        return admin_class
    scoped = type(admin_class.__name__, (TenantScoped, admin_class), {})
    scoped.__module__ = admin_class.__module__
    scoped.__qualname__ = admin_class.__qualname__
    return scoped


class TenantAdminSite(UnfoldAdminSite):
    """The portal's admin site (settings: portal.apps.PortalAdminConfig)."""

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        super().register(model_or_iterable, tenant_scoped(admin_class or TenantAdmin), **options)

    def autocomplete_view(self, request: HttpRequest) -> HttpResponseBase:
        return ScopedAutocomplete.as_view(admin_site=self)(request)


class TenantAdmin(TenantScoped, ModelAdmin):
    pass


class TenantInline(TenantScoped, TabularInline):
    pass


class ReadOnlyTenantAdmin(TenantAdmin):
    """For records the system writes (histories, outboxes): viewable, never edited here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
