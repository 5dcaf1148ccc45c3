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
``pre_save``/``post_save`` receivers: it saves the ORM's way otherwise. On SQLite, a value of an integer,
boolean or text field that is already exactly an ``int``, ``bool`` or ``str`` goes as it is, which is what
those two methods would return for it (their calls for the 28 columns were 5 % of a session log's CPU).

``run`` executes such SQL. On SQLite, Django's cursor turns ``%s`` into sqlite3's ``?`` with a regular
expression on every call (5 % of a session log's CPU, the insert has 28 of them): ``run`` keeps each
statement converted by that same method once, and hands it to sqlite3 with Django's checks around it (a
broken transaction refused, sqlite3's errors turned into Django's). When Django logs queries or a
wrapper watches them (``DEBUG``, the tests' query counts), it goes through Django's cursor as usual.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeAlias, TypeVar

from django.db import connections, models
from django.db.backends.utils import CursorWrapper
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
            run(cursor, sql, [prepped[slot] for slot in slots])
            rows: Any = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [self.model.from_db(using, names, row) for row in rows]


#: Statements in Django's ``%s`` style and the same converted for sqlite3 by Django's SQLite cursor.
_QMARK: dict[str, str] = {}


def run(cursor: CursorWrapper, sql: str, params: Sequence[Any]) -> None:
    """``cursor.execute(sql, params)``; on SQLite with SQL converted once (see above)."""
    db = cursor.db
    if db.vendor != "sqlite" or type(cursor) is not CursorWrapper or db.execute_wrappers:
        cursor.execute(sql, params)
        return
    raw = cursor.cursor
    qmark = _QMARK.get(sql)
    if qmark is None:
        qmark = _QMARK[sql] = raw.convert_query(sql)
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        sqlite3.Cursor.execute(raw, qmark, params)


#: Fields whose value goes to SQLite as it is when it is exactly of this type (or None): for these exact
#: classes ``pre_save`` reads the attribute, and ``get_db_prep_save`` returns such a value unchanged
#: (``int(v)``, ``bool``, ``str``; SQLite's operations adapt nothing more). Others take the ORM's path.
_AS_IS: dict[type[Field[Any, Any]], type] = {
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.BooleanField: bool,
    models.CharField: str,
    models.TextField: str,
}

#: The compiled INSERT of each model and database, its fields, and for each field the type of value that
#: goes as it is (None: always the ORM's ``pre_save`` and ``get_db_prep_save``); None for a model that
#: ``insert`` saves the ORM's way.
_Insert: TypeAlias = "tuple[str, tuple[Field[Any, Any], ...], tuple[type | None, ...]]"
_INSERTS: dict[tuple[type[Model], str], _Insert | None] = {}


def _compiled_insert(model: type[Model], using: str) -> _Insert | None:
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
        sqlite = connection.vendor == "sqlite"
        as_is = tuple(_AS_IS.get(type(f)) if sqlite else None for f in fields)
        _INSERTS[key] = (sql, fields, as_is) if plain else None
    return _INSERTS[key]


def insert(instance: Model, using: str = "default") -> None:
    """Insert a new ``instance`` with SQL compiled once for its model and database (see above)."""
    model = type(instance)
    compiled = _compiled_insert(model, using)
    if compiled is None or signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        instance.save(force_insert=True, using=using)
        return
    sql, fields, as_is = compiled
    connection = connections[using]
    values = []
    for field, kind in zip(fields, as_is, strict=True):
        if kind is not None:
            value = getattr(instance, field.attname)
            if type(value) is kind or (value is None and field.null):
                values.append(value)
                continue
        values.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
    with connection.cursor() as cursor:
        run(cursor, sql, values)
    instance._state.adding = False
    instance._state.db = using
