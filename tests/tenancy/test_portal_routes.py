"""Every portal page whose URL names an object (an appointment, a stylist, a salon), opened
and posted to by an owner of salon A with one of salon B's objects: 404, and nothing of B
changes. The pages come from the URL resolver, so a new one is covered without editing
this file (and fails until it says below which object its parameter names)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.tenancy.world import everything_of

NAMESPACE = "portal"

# Which of a salon's objects a URL parameter names, by the parameter's name.
OBJECT_OF_PARAMETER: dict[str, Callable[[SimpleNamespace], Any]] = {
    "appointment_id": lambda salon: salon.appointment.pk,
    "staff_id": lambda salon: salon.anna.pk,
    "company_id": lambda salon: salon.company.pk,
}


@dataclass(frozen=True)
class Page:
    name: str  # namespace:url_name
    parameters: tuple[str, ...]

    def url(self, salon: SimpleNamespace) -> str:
        for name in self.parameters:
            assert name in OBJECT_OF_PARAMETER, f"say in OBJECT_OF_PARAMETER which object {name} is"
        return reverse(
            self.name, kwargs={name: OBJECT_OF_PARAMETER[name](salon) for name in self.parameters}
        )

    def __str__(self) -> str:
        return self.name


def pages(patterns: list[Any], namespace: str = "") -> Iterator[Page]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from pages(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace == NAMESPACE and pattern.name:
            yield Page(f"{namespace}:{pattern.name}", tuple(pattern.pattern.converters))


OBJECT_PAGES = [page for page in pages(get_resolver().url_patterns) if page.parameters]


def test_the_portal_has_pages_that_name_objects() -> None:
    assert OBJECT_PAGES  # the test below would pass vacuously without


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", OBJECT_PAGES, ids=str)
def test_another_salons_object_is_not_found_and_stays_as_it_was(
    page: Page, method: str, world: SimpleNamespace, owner_client: Client
) -> None:
    before = everything_of(world.b)
    response = getattr(owner_client, method)(page.url(world.b))
    assert response.status_code == 404
    assert everything_of(world.b) == before
    # The salon's own object opens: the 404 is tenancy, not a page that is always missing.
    assert owner_client.get(page.url(world.a)).status_code < 400
