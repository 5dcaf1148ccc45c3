"""Checks of a FHIR Bundle made by ``backhome.web.fhir.bundle.person_bundle``, with the R4B models of
``fhir.resources``: the whole Bundle, then each resource with its own model, and every reference inside
points at an entry of the Bundle."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle


def validated(bundle: dict[str, Any]) -> dict[str, Any]:
    """The Bundle, after checking it parses as an R4B Bundle, that each entry's resource parses with its
    own model, that full URLs are unique ``urn:uuid:`` ones equal to the resource ids, and that every
    reference resolves inside the Bundle. Returns it unchanged."""
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert not [url for url, n in Counter(urls).items() if n > 1], "full URLs are unique"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)
        assert entry["fullUrl"].startswith("urn:uuid:")
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    dangling = sorted(set(references(bundle)) - set(urls))
    assert not dangling, f"references to nothing in the Bundle: {dangling}"
    return bundle


def references(value: Any) -> list[str]:
    """Every ``reference`` inside a JSON value."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(references(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(references(item))
    return found


def of_type(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]


def by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def site(observation: dict[str, Any]) -> str:
    """The SNOMED CT body site code of a pain score."""
    codings = observation["bodySite"]["coding"]
    assert codings[0]["system"] == "http://snomed.info/sct"
    return str(codings[0]["code"])


BACK = "37822005"
LEG = "61685007"
