"""ORM reads and inserts compiled to SQL once per process, then run with new values.

The session log runs the same two reads and the same insert on every request. Building and compiling
an ORM query cost more CPU than running it (about 0.25 ms for a read, 0.2 ms for the insert of a
28-column row), and so did ``Model.objects.raw``'s machinery around the compiled SQL.

A ``Prepared`` read compiles its queryset once, with sample values, for the connection's database, and
keeps the SQL, where each value goes among its parameters, and the ORM's own converters of each column
(UUIDs, JSON, booleans, dates, by database). A call runs that SQL with the values converted for the
database by the field each one filters, applies the converters to the rows and builds the model
instances with ``Model.from_db``, as the ORM does.

``insert`` writes a new instance with an ``INSERT`` compiled once per model and database: each field's
``pre_save`` (``auto_now_add``) and ``get_db_prep_save``, as ``Model.save(force_insert=True)``. It is only
for models without a generated primary key, a parent model, a field with its own SQL placeholder, or
``pre_save``/``post_save`` receivers: it saves the ORM's way otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Field, Model, QuerySet, signals

M = TypeVar("M", bound=Model)

#: For one database: the SQL, the slot of each parameter, the columns' attribute names, the compiler and
#: its converters of the columns.
_Compiled = tuple[str, tuple[int, ...], tuple[str, ...], Any, dict[int, Any]]


class Prepared(Generic[M]):
    """``build(*values)`` is the queryset; ``fields`` the field each value filters, in order."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]], fields: Sequence[Field[Any, Any]]):
        self.model, self.build, self.fields = model, build, tuple(fields)
        self._compiled: dict[str, _Compiled] = {}

    def _samples(self) -> list[Any]:
        samples: list[Any] = []
        for number, field in enumerate(self.fields, 1):
            target = getattr(field, "target_field", field)
            samples.append(uuid.UUID(int=number) if target.get_internal_type() == "UUIDField" else -number)
        return samples

    def _compile(self, using: str) -> _Compiled:
        found = self._compiled.get(using)
        if found is None:
            connection = connections[using]
            samples = self._samples()
            compiler = self.build(*samples).query.get_compiler(using)
            sql, params = compiler.as_sql()
            columns = [column for column, _, _ in compiler.select]
            names = tuple(column.target.attname for column in columns)
            concrete = tuple(f.attname for f in self.model._meta.concrete_fields)
            if names != concrete or compiler.annotation_col_map:
                raise ValueError(
                    f"{self.model.__name__}: a prepared read must select the model's own columns"
                )
            prepped = [f.get_db_prep_value(s, connection) for f, s in zip(self.fields, samples, strict=True)]
            # each parameter is one of the values (a value may be used more than once)
            slots = tuple(prepped.index(p) for p in params)
            found = self._compiled[using] = (sql, slots, names, compiler, compiler.get_converters(columns))
        return found

    def __call__(self, *values: Any, using: str = "default") -> list[M]:
        sql, slots, names, compiler, converters = self._compile(using)
        connection = connections[using]
        prepped = [f.get_db_prep_value(v, connection) for f, v in zip(self.fields, values, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, [prepped[slot] for slot in slots])
            rows: Any = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [self.model.from_db(using, names, row) for row in rows]


#: The compiled INSERT of each model and database, or None for a model that ``insert`` saves the ORM's way.
_INSERTS: dict[tuple[type[Model], str], tuple[str, tuple[Field[Any, Any], ...]] | None] = {}


def _compiled_insert(model: type[Model], using: str) -> tuple[str, tuple[Field[Any, Any], ...]] | None:
    key = (model, using)
    if key not in _INSERTS:
        meta, connection = model._meta, connections[using]
        fields = tuple(f for f in meta.local_concrete_fields if not f.generated)
        plain = (
            meta.pk is not None
            and not meta.pk.db_returning
            and not meta.parents
            and not any(hasattr(f, "get_placeholder") for f in fields)
        )
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        holders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({holders})"
        _INSERTS[key] = (sql, fields) if plain else None
    return _INSERTS[key]


def insert(instance: Model, using: str = "default") -> None:
    """Insert a new ``instance`` with SQL compiled once for its model and database (see above)."""
    model = type(instance)
    compiled = _compiled_insert(model, using)
    if compiled is None or signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        instance.save(force_insert=True, using=using)
        return
    sql, fields = compiled
    connection = connections[using]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
    instance._state.adding = False
    instance._state.db = using
