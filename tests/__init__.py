"""phasebook's tests, a folder per feature; what the folders share lives in tests/support."""

import pytest

# Before tests/support is imported: the shared helpers' asserts report as a test's own do.
pytest.register_assert_rewrite("tests.support")
