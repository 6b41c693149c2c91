"""What the test folders share: helpers to import and fixtures that tests/conftest.py
registers once (`pytest_plugins`). A test folder imports from its own modules, from here and
from tests.factories (the salon builder); never from a conftest.py, whose fixtures pytest
hands out by name, nor from another test folder (tests/test_layers.py checks)."""
