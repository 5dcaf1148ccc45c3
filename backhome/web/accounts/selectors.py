"""Every read of the accounts app. Writes are in services.py.

A person's data are found by walking the relations that point at ``Person`` (and, from those models, the
relations that point at them, and so on), so a model added later with a foreign key to ``Person`` is in
the export, the "has data" test and the deletion without a change here. Each model is placed once, at
its shallowest place in that walk: ``PlanItem`` under its screening, ``ExerciseLog`` under its session,
``DoseChange`` directly under the person (it points at the person as well as at a screening).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import ForeignObjectRel
from django.utils import timezone

from backhome.web.patient.models import Person

EXPORT_SCHEMA = "backhome.export/1"


# --------------------------------------------------------------------------- the person's data


@dataclass(frozen=True)
class Branch:
    """A model whose rows belong to the person through ``parent_field`` (a foreign key to the model above)."""

    model: type[models.Model]
    parent_field: str
    key: str  # the name of its list in the export: the relation's name, e.g. "screenings", "items"
    children: tuple[Branch, ...] = field(default=())


def _relations(model: type[models.Model]) -> list[ForeignObjectRel]:
    """The foreign keys (and one-to-one links) of other models that point at ``model``, hidden ones too."""
    found = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if isinstance(f, ForeignObjectRel) and (f.one_to_many or f.one_to_one)
    ]
    return sorted(found, key=lambda rel: (rel.field.model._meta.label, rel.field.name))


def _key(rel: ForeignObjectRel) -> str:
    if rel.hidden:
        return str(rel.field.model._meta.model_name) + "s"
    return str(rel.get_accessor_name())


def person_tree() -> tuple[Branch, ...]:
    """The models that hold a person's data, as a tree under ``Person`` (breadth first: shallowest place)."""
    placed: set[type[models.Model]] = {Person}
    # Breadth first: a level's models are all placed before any of their children are looked at.
    level: list[tuple[type[models.Model], list[tuple[ForeignObjectRel, list[Any]]]]] = []
    top: list[tuple[ForeignObjectRel, list[Any]]] = []
    level.append((Person, top))
    while level:
        next_level = []
        for model, slots in level:
            for rel in _relations(model):
                child = rel.field.model  # the model the foreign key is on
                if child in placed:
                    continue
                placed.add(child)
                grandchildren: list[tuple[ForeignObjectRel, list[Any]]] = []
                slots.append((rel, grandchildren))
                next_level.append((child, grandchildren))
        level = next_level

    def build(slots: list[tuple[ForeignObjectRel, list[Any]]]) -> tuple[Branch, ...]:
        return tuple(
            Branch(rel.field.model, rel.field.name, _key(rel), build(grandchildren))
            for rel, grandchildren in slots
        )

    return build(top)


def person_models() -> set[type[models.Model]]:
    """Every model that holds rows of a person's data (not ``Person`` itself)."""

    def walk(branches: tuple[Branch, ...]) -> Iterator[type[models.Model]]:
        for branch in branches:
            yield branch.model
            yield from walk(branch.children)

    return set(walk(person_tree()))


def _value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    """Every stored field of one row, foreign keys as the id they point at, values as JSON."""
    return {f.name: _value(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _ordered(model: type[models.Model]) -> list[str]:
    return [*(o for o in model._meta.ordering or () if isinstance(o, str)), "pk"]


def _records(branches: tuple[Branch, ...], parents: dict[Any, dict[str, Any]]) -> None:
    """Add each branch's rows under the parent rows they point at (one query per model)."""
    for branch in branches:
        fk = branch.model._meta.get_field(branch.parent_field)
        assert isinstance(fk, models.ForeignObject)  # a Branch is made from a foreign key's relation
        for parent in parents.values():
            if branch.key in parent:
                raise RuntimeError(f"{branch.key!r} is both a field and a relation of a parent row")
            parent[branch.key] = []
        rows = branch.model._default_manager.filter(**{f"{branch.parent_field}__in": list(parents)}).order_by(
            *_ordered(branch.model)
        )
        mine: dict[Any, dict[str, Any]] = {}
        for obj in rows:
            row = _row(obj)
            parents[getattr(obj, fk.attname)][branch.key].append(row)
            mine[obj.pk] = row
        if branch.children:
            _records(branch.children, mine)


def person_records(person: Person) -> dict[str, Any]:
    """The person's row with, nested under it, every row of every model that belongs to them."""
    rows = {person.pk: _row(person)}
    _records(person_tree(), rows)
    return rows[person.pk]


def person_row_ids(person: Person) -> dict[type[models.Model], list[Any]]:
    """The primary keys of every row of the person's data, by model (Person itself not included)."""
    found: dict[type[models.Model], list[Any]] = {}

    def walk(branches: tuple[Branch, ...], parent_ids: list[Any]) -> None:
        for branch in branches:
            ids = list(
                branch.model._default_manager.filter(
                    **{f"{branch.parent_field}__in": parent_ids}
                ).values_list("pk", flat=True)
            )
            found.setdefault(branch.model, []).extend(ids)
            if branch.children and ids:
                walk(branch.children, ids)

    walk(person_tree(), [person.pk])
    return found


def person_has_data(person: Person) -> bool:
    """Has this person given any answer or done anything? (A lock counts: it came from their answers.)"""
    if person.locked:
        return True
    return any(
        branch.model._default_manager.filter(**{branch.parent_field: person.pk}).exists()
        for branch in person_tree()
    )


def account_person(user: User) -> Person | None:
    return Person.objects.filter(user_id=user.pk).first()


def account_person_id(user: User) -> int | None:
    found: int | None = Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    return found


def export_document(*, person: Person | None, user: User | None) -> dict[str, Any]:
    """Everything stored about this person: the ``backhome.export/1`` document (docs/web-accounts.md)."""
    account = None
    if user is not None and user.is_authenticated:
        email = user.email or user.get_username()
        account = {
            "email": email,
            "joined_at": _value(user.date_joined),
            "last_login": _value(user.last_login),
        }
    return {
        "schema": EXPORT_SCHEMA,
        "exported_at": timezone.now().isoformat(),
        "account": account,
        "person": person_records(person) if person is not None else None,
    }


# --------------------------------------------------------------------------- email addresses


def normalise_email(email: str) -> str:
    """An email address as an account's username: trimmed, lower case (so unique whatever its case)."""
    return email.strip().lower()
