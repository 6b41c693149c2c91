"""LocaleMiddleware activates a request's language and leaves it active in the thread
afterwards; put the default back so that no other test runs in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_afterwards() -> Iterator[None]:
    yield
    translation.deactivate()
