"""Every model on every admin site the project serves, seen by an owner of salon A while
salon B has a row of it too: lists, list actions, object pages by URL, add forms, list
filters and the autocomplete endpoint show nothing of B. The cases come from the admin
registry, so a model registered tomorrow is covered without editing this file (and fails
until tests/tenancy/world.py can build a row of it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import User
from django.db.models import Field, Model, UUIDField
from django.test import Client
from django.urls import reverse

from phasebook.salons.tenancy import company_path, is_owner_managed, is_superuser_only
from tests.tenancy.world import ROWS, Registered, belongings, registered, request_of, row_of

REGISTERED = registered()


def salons_may_use(model: type[Model]) -> bool:
    """Whether salon users may open `model` at all: it belongs to salons and is not kept
    for superusers (tenancy.SUPERUSER_ONLY)."""
    return company_path(model) is not None and not is_superuser_only(model)


SCOPED = [entry for entry in REGISTERED if salons_may_use(entry.model)]
REFUSED = [entry for entry in REGISTERED if not salons_may_use(entry.model)]
OWNER_MANAGED = [entry for entry in REGISTERED if is_owner_managed(entry.model)]

Row = tuple[str, Any]  # (model label, pk)


def rows_of_model(rows: set[Row], model: type[Model]) -> set[Any]:
    return {pk for label, pk in rows if label == model._meta.label}


def index_of(entry: Registered) -> str:
    return reverse(f"{entry.site.name}:index")


def test_the_project_serves_an_admin_with_models_of_both_kinds() -> None:
    # The enumerations below would pass vacuously on an empty registry.
    assert SCOPED
    assert REFUSED
    assert OWNER_MANAGED


@pytest.mark.parametrize("entry", REGISTERED, ids=str)
def test_every_registered_model_has_a_row_builder(entry: Registered) -> None:
    assert entry.label in ROWS, f"add a row builder for {entry.label} to tests/tenancy/world.py"


# Lists


@pytest.mark.parametrize("entry", SCOPED, ids=str)
def test_the_list_shows_the_salons_own_row_and_not_the_other_salons(
    entry: Registered, world: SimpleNamespace, owner_client: Client
) -> None:
    own, foreign = row_of(world.a, entry.label), row_of(world.b, entry.label)
    response = owner_client.get(entry.url("changelist"))
    assert response.status_code == 200
    listed = {row.pk for row in response.context["cl"].result_list}
    assert own.pk in listed
    assert foreign.pk not in listed


@pytest.mark.parametrize("entry", REFUSED, ids=str)
def test_a_model_salon_users_may_not_use_is_refused_to_them(
    entry: Registered, world: SimpleNamespace, owner_client: Client
) -> None:
    assert not entry.model_admin.has_module_permission(request_of(world.owner))
    assert owner_client.get(entry.url("changelist")).status_code == 403
    assert owner_client.get(entry.url("add")).status_code == 403


@pytest.mark.parametrize("entry", OWNER_MANAGED, ids=str)
def test_owner_managed_models_are_refused_to_a_member_who_is_not_an_owner(
    entry: Registered, world: SimpleNamespace, member_client: Client
) -> None:
    own = row_of(world.a, entry.label)
    assert not entry.model_admin.has_module_permission(request_of(world.member))
    assert member_client.get(entry.url("changelist")).status_code == 403
    assert member_client.get(entry.url("add")).status_code == 403
    assert member_client.get(entry.url("change", own.pk)).status_code == 403
    assert post_and_compare(member_client, entry, "delete", own).status_code == 403


# Another salon's object by URL


def refusal(entry: Registered, user: User, method: str, page: str) -> tuple[int, str | None]:
    """How the admin answers a row `user` cannot see: as a missing row, a redirect to the
    index; where the user may not use that page on any row (a model of no salon, a
    read-only admin's delete), Django refuses before it looks the row up: 403. History
    looks the row up first."""
    request, admin = request_of(user), entry.model_admin
    allowed = {
        ("get", "change"): admin.has_view_or_change_permission(request),
        ("post", "change"): admin.has_change_permission(request),
        ("get", "delete"): admin.has_delete_permission(request),
        ("post", "delete"): admin.has_delete_permission(request),
        ("get", "history"): True,
    }[method, page]
    return (302, index_of(entry)) if allowed else (403, None)


def answer(response: Any) -> tuple[int, str | None]:
    return response.status_code, getattr(response, "url", None)


def missing_pk(model: type[Model]) -> Any:
    return uuid.uuid4() if isinstance(model._meta.pk, UUIDField) else 987_654_321


@pytest.mark.parametrize("page", ["change", "delete", "history"])
@pytest.mark.parametrize("entry", REGISTERED, ids=str)
def test_the_other_salons_row_is_answered_as_a_missing_one(
    entry: Registered, page: str, world: SimpleNamespace, owner_client: Client
) -> None:
    foreign = row_of(world.b, entry.label)
    response = owner_client.get(entry.url(page, foreign.pk))
    assert answer(response) == refusal(entry, world.owner, "get", page)
    assert answer(response) == answer(owner_client.get(entry.url(page, missing_pk(entry.model))))


@pytest.mark.parametrize("page", ["change", "delete"])
@pytest.mark.parametrize("entry", REGISTERED, ids=str)
def test_posting_to_the_other_salons_row_changes_nothing(
    entry: Registered, page: str, world: SimpleNamespace, owner_client: Client
) -> None:
    response = post_and_compare(owner_client, entry, page, row_of(world.b, entry.label))
    assert answer(response) == refusal(entry, world.owner, "post", page)


def post_and_compare(client: Client, entry: Registered, page: str, row: Model) -> Any:
    """POST to one of `row`'s pages; the answer, after checking the row did not change."""
    stored = entry.model._base_manager.filter(pk=row.pk)
    before = list(stored.values())
    response = client.post(entry.url(page, row.pk), {"post": "yes"})
    assert list(stored.values()) == before
    return response


# Actions on the list


def list_actions() -> Iterator[tuple[Registered, str]]:
    """(model, action) of every action a changelist offers (delete_selected and each admin's
    own), whatever the user: who may run it is decided per request."""
    for entry in SCOPED:
        for _function, name, _description in entry.model_admin._get_base_actions():
            yield entry, name


def selected_by(
    client: Client, entry: Registered, action: str, row: Model, monkeypatch: pytest.MonkeyPatch
) -> list[set[Any]]:
    """POST `action` on the changelist with `row` ticked; the rows the admin handed the
    action (one set per run; none: the admin ran nothing). The action itself only records."""
    runs: list[set[Any]] = []
    offered = entry.model_admin.get_actions

    def recording(request: Any) -> Any:
        actions = offered(request)
        if action in actions:
            _function, name, description = actions[action]
            actions[action] = (
                lambda _admin, _request, queryset: runs.append({r.pk for r in queryset}),
                name,
                description,
            )
        return actions

    monkeypatch.setattr(entry.model_admin, "get_actions", recording)
    client.post(
        entry.url("changelist"),
        {"action": action, "_selected_action": [row.pk], "index": "0", "select_across": "0"},
    )
    monkeypatch.undo()
    return runs


@pytest.mark.parametrize(("entry", "action"), list(list_actions()), ids=str)
def test_a_list_action_runs_on_the_salons_own_row_and_never_on_the_other_salons(
    entry: Registered,
    action: str,
    world: SimpleNamespace,
    owner_client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own, foreign = row_of(world.a, entry.label), row_of(world.b, entry.label)
    offered = action in entry.model_admin.get_actions(request_of(world.owner))

    # Django runs an action on the ticked rows of the (scoped) list: the other salon's
    # ticked row is not among them, so the action gets none.
    assert selected_by(owner_client, entry, action, own, monkeypatch) == (
        [{own.pk}] if offered else []
    )
    assert selected_by(owner_client, entry, action, foreign, monkeypatch) == (
        [set()] if offered else []
    )


# Choices: add forms, list filters, autocomplete


def offered_on_the_form(response: Any) -> dict[str, tuple[type[Model], set[Any]]]:
    """Each choice field of the add form (and of its inlines): its model and the pks offered."""
    forms = [response.context["adminform"].form]
    forms += [inline.formset.empty_form for inline in response.context["inline_admin_formsets"]]
    return {
        f"{form.prefix or 'form'}.{name}": (
            field.queryset.model,
            {row.pk for row in field.queryset},
        )
        for form in forms
        for name, field in form.fields.items()
        # An inline row's hidden id is rendered as that row's own id, never as a list.
        if hasattr(field, "queryset") and name != form._meta.model._meta.pk.name
    }


@pytest.mark.parametrize("entry", SCOPED, ids=str)
def test_the_add_form_offers_the_salons_own_rows_and_none_of_the_other_salons(
    entry: Registered, world: SimpleNamespace, owner_client: Client
) -> None:
    response = owner_client.get(entry.url("add"))
    if not entry.model_admin.has_add_permission(request_of(world.owner)):
        assert response.status_code == 403  # rows are added elsewhere: a refused page offers none
        return
    assert response.status_code == 200
    foreign, own = belongings(world.b), belongings(world.a)
    for name, (model, offered) in offered_on_the_form(response).items():
        assert offered & rows_of_model(foreign, model) == set(), name
        if company_path(model) is None:
            assert offered == set(), name  # a model of no salon: nothing to pick
        else:
            assert offered & rows_of_model(own, model), name


def relation_filters() -> Iterator[tuple[Registered, str]]:
    """(model, path) of every list filter over a relation, as the admins declare them."""
    for entry in REGISTERED:
        for spec in entry.model_admin.list_filter:
            path, filter_class = spec if isinstance(spec, (list, tuple)) else (spec, None)
            if not isinstance(path, str):
                continue  # a SimpleListFilter: its choices are fixed, not rows
            relational = get_fields_from_path(entry.model, path)[-1].is_relation
            if relational or (filter_class and issubclass(filter_class, RelatedFieldListFilter)):
                yield entry, path


@pytest.mark.parametrize(("entry", "path"), list(relation_filters()), ids=str)
def test_list_filters_offer_the_salons_own_rows_and_none_of_the_other_salons(
    entry: Registered, path: str, world: SimpleNamespace
) -> None:
    remote = get_fields_from_path(entry.model, path)[-1].related_model
    offered = filter_choices(entry, path, world.owner)
    assert offered & rows_of_model(belongings(world.b), remote) == set()
    if company_path(remote) is None:
        assert offered == set()
    else:
        assert offered & rows_of_model(belongings(world.a), remote)


def filter_choices(entry: Registered, path: str, user: User) -> set[Any]:
    """The values the list filter on `path` offers `user`, built as the changelist builds
    it (which shows a filter only once it has two choices: one salon's filter is hidden)."""
    request = request_of(user)
    for spec in entry.model_admin.get_list_filter(request):
        if isinstance(spec, (list, tuple)) and spec[0] == path:
            field = get_fields_from_path(entry.model, path)[-1]
            built = spec[1](field, request, {}, entry.model, entry.model_admin, field_path=path)
            return {value for value, _label in built.lookup_choices}
    raise AssertionError(f"{entry} has no filter on {path}")


def autocompletable() -> Iterator[tuple[Registered, Field[Any, Any]]]:
    """(model, relation) of every forward relation of a registered model whose target the
    same site can search: what the autocomplete endpoint answers for."""
    for entry in REGISTERED:
        meta = entry.model._meta
        for field in [*meta.fields, *meta.many_to_many]:
            target = entry.site._registry.get(field.related_model) if field.is_relation else None
            if target is not None and target.search_fields:
                yield entry, field


AUTOCOMPLETE = list(autocompletable())


def autocomplete(client: Client, entry: Registered, field: Field[Any, Any]) -> Any:
    meta = entry.model._meta
    return client.get(
        reverse(f"{entry.site.name}:autocomplete"),
        {"app_label": meta.app_label, "model_name": meta.model_name, "field_name": field.name},
    )


@pytest.mark.parametrize(
    ("entry", "field"),
    [(entry, field) for entry, field in AUTOCOMPLETE if salons_may_use(field.related_model)],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_autocomplete_offers_the_salons_own_rows_and_none_of_the_other_salons(
    entry: Registered, field: Field[Any, Any], world: SimpleNamespace, owner_client: Client
) -> None:
    response = autocomplete(owner_client, entry, field)
    assert response.status_code == 200
    offered = {item["id"] for item in response.json()["results"]}
    remote = field.related_model
    assert offered & {str(pk) for pk in rows_of_model(belongings(world.b), remote)} == set()
    assert offered & {str(pk) for pk in rows_of_model(belongings(world.a), remote)}


@pytest.mark.parametrize(
    ("entry", "field"),
    [(entry, field) for entry, field in AUTOCOMPLETE if not salons_may_use(field.related_model)],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_autocomplete_of_a_model_salon_users_may_not_use_is_refused(
    entry: Registered, field: Field[Any, Any], world: SimpleNamespace, owner_client: Client
) -> None:
    assert autocomplete(owner_client, entry, field).status_code == 403
