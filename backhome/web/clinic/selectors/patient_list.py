"""The patient list (``/clinic/``, and the API's list): the query string read and checked, the rows
filtered, sorted and cut into pages. The rows' numbers are ``patient_rows``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.core.paginator import Page, Paginator

from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.selectors.patient_rows import PatientRow, patient_rows

#: The patient list shows this many patients a page.
PAGE_SIZE = 50

SortKey = Literal["severity", "label", "adherence", "pain", "alerts", "activity"]
SORTS: tuple[str, ...] = ("severity", "label", "adherence", "pain", "alerts", "activity")
#: Each column's first click: the order that puts what needs attention first.
SORT_FIRST = {
    "severity": "desc",
    "label": "asc",
    "adherence": "asc",
    "pain": "desc",
    "alerts": "desc",
    "activity": "asc",
}


@dataclass(frozen=True)
class ListQuery:
    """The list's sort, order, filters and page, as the query string gave them (checked)."""

    sort: str = "severity"
    order: str = "desc"
    has_alerts: bool = False
    low_adherence: bool = False
    no_improvement: bool = False
    find: str = ""
    page: int = 1

    @property
    def filtered(self) -> bool:
        return self.has_alerts or self.low_adherence or self.no_improvement or bool(self.find)


def list_query(params: Any) -> ListQuery:
    """Read the list's query string; an unknown value raises ``ClinicError`` naming the field."""
    sort = params.get("sort") or "severity"
    if sort not in SORTS:
        raise ClinicError("sort", f"Sort by one of: {', '.join(SORTS)}.")
    order = params.get("order") or SORT_FIRST[sort]
    if order not in ("asc", "desc"):
        raise ClinicError("order", "Order is asc or desc.")
    flags = {}
    for name in ("has_alerts", "low_adherence", "no_improvement"):
        value = params.get(name, "")
        if value not in ("", "0", "1", "on"):
            raise ClinicError(name, f"{name} is 1 (on) or left out.")
        flags[name] = value in ("1", "on")
    page_text = params.get("page") or "1"
    if not page_text.isdigit() or int(page_text) < 1:
        raise ClinicError("page", "The page is a whole number from 1.")
    find = " ".join(str(params.get("find", "")).split())[:100]
    return ListQuery(sort=sort, order=order, find=find, page=int(page_text), **flags)


def _sort_key(sort: str) -> Any:
    # Missing values sort last whatever the order: the key puts them in a second group.
    if sort == "label":
        return lambda r: (0, r.label.casefold(), r.person_id)
    if sort == "adherence":
        return lambda r: (0, r.adherence.share, r.label.casefold())
    if sort == "pain":
        return lambda r: (0, r.pain.change, r.label.casefold()) if r.pain.change is not None else None
    if sort == "alerts":
        return lambda r: (0, r.open_alerts, r.label.casefold())
    if sort == "severity":
        # Red flags first: locked, then the most severe open alert, then how many; ties by name A to Z
        # whatever the order (the negated name's code points keep A first when reversed).
        return lambda r: (0, r.severity_rank, r.open_alerts, [-ord(ch) for ch in r.label.casefold()])
    return lambda r: (0, r.last_activity, r.label.casefold()) if r.last_activity else None


def sort_rows(rows: Sequence[PatientRow], sort: str, order: str) -> list[PatientRow]:
    key = _sort_key(sort)
    present = [r for r in rows if key(r) is not None]
    missing = sorted((r for r in rows if key(r) is None), key=lambda r: (r.label.casefold(), r.person_id))
    present.sort(key=key, reverse=order == "desc")
    return present + missing


@dataclass(frozen=True)
class PatientList:
    query: ListQuery
    page: Page[PatientRow]
    total: int  # every patient of the clinic
    shown: int  # after the filters
    counts: dict[str, int]  # how many patients each filter would show


def patient_list(clinic_id: int, query: ListQuery, *, today: dt.date) -> PatientList:
    """The list page: every patient's row computed in one query, then filtered, sorted and cut into
    pages here (the sort keys are computed values, so the database cannot sort by them)."""
    rows = patient_rows(clinic_id, today=today)
    counts = {
        "has_alerts": sum(1 for r in rows if r.open_alerts),
        "low_adherence": sum(1 for r in rows if r.adherence.low),
        "no_improvement": sum(1 for r in rows if r.no_improvement),
    }
    shown = rows
    if query.find:
        needle = query.find.casefold()
        shown = [r for r in shown if needle in r.label.casefold()]
    if query.has_alerts:
        shown = [r for r in shown if r.open_alerts]
    if query.low_adherence:
        shown = [r for r in shown if r.adherence.low]
    if query.no_improvement:
        shown = [r for r in shown if r.no_improvement]
    ordered = sort_rows(shown, query.sort, query.order)
    page = Paginator(ordered, PAGE_SIZE).get_page(query.page)
    return PatientList(query=query, page=page, total=len(rows), shown=len(ordered), counts=counts)
