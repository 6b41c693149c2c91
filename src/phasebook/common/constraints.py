"""Database constraints that exist only where the database can enforce them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.operations.base import Operation


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL, and nothing on SQLite.

    SQLite cannot express it; there, invariant 1 holds because every write transaction
    is serialized (settings: transaction_mode IMMEDIATE) and re-runs the availability
    predicate before it writes.
    """

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(
        self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class SameCompanyForeignKey(Operation):
    """A migration operation: on PostgreSQL, FOREIGN KEY (company_id, <field>_id) REFERENCES
    <the field's model> (company_id, id), named `name`; on SQLite, nothing.

    Django's ForeignKey has one column, so it cannot say that the row it points at belongs
    to the same company. This composite key, beside Django's own, makes the database refuse
    a row whose `field` names another company's row (invariant 5 below the service boundary).
    The referenced model needs UNIQUE (company, id) (a UniqueConstraint in its Meta).

    MATCH SIMPLE (PostgreSQL's default): a row whose `field` is NULL is not checked.
    Checked at each statement, not deferred to commit like Django's own keys: Django deletes
    referencing rows before the rows they reference, and nothing writes a row before the
    row it references, so a violation fails at the write that makes it. NO ACTION on update:
    a referenced row cannot move to another company either. On SQLite only the booking
    service checks (booking/placement.py, `_require_own_rows`).
    """

    reversible = True

    def __init__(self, model_name: str, field: str, name: str) -> None:
        self.model_name, self.field, self.name = model_name, field, name

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # the model state does not know composite foreign keys

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        target = model._meta.get_field(self.field).related_model
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD CONSTRAINT {quote(self.name)} "
            f"FOREIGN KEY ({_columns(model, self.field, quote)}) "
            f"REFERENCES {quote(target._meta.db_table)} ({_columns(target, 'pk', quote)})"
        )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} DROP CONSTRAINT {quote(self.name)}"
        )

    def describe(self) -> str:
        return f"Same-company foreign key {self.name} on {self.model_name}.{self.field}"

    @property
    def migration_name_fragment(self) -> str:
        return self.name


def _columns(model: Any, field: str, quote: Callable[[str], str]) -> str:
    """`company_id, <field's column>`, quoted; "pk" is the primary key."""
    column = model._meta.pk.column if field == "pk" else model._meta.get_field(field).column
    return f"{quote(model._meta.get_field('company').column)}, {quote(column)}"
