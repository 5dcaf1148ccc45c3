"""`backhome export`: one person's record from the command line, as a FHIR R4 Bundle (--fhir) or as the
data page's JSON export (--json); to standard output, or to a file with -o."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

# The command reads the database: Django is set up as the integration tests set it up.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backhome.web.config.settings")
os.environ.setdefault("BACKHOME_DATA_DIR", tempfile.mkdtemp(prefix="backhome-test-data-"))
os.environ.setdefault("BACKHOME_SECRET_KEY", "test-only-" + "k" * 50)

import django

django.setup()

import pytest  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

from tests.cli.helpers import run  # noqa: E402
from tests.integration.fhir_checks import of_type, validated  # noqa: E402
from tests.integration.people import WALT_WEB, person_with_plan  # noqa: E402

pytestmark = pytest.mark.django_db


def test_export_fhir_prints_a_valid_bundle_of_the_person() -> None:
    dana, screening = person_with_plan()
    result = run("export", "--fhir", "--person", str(dana.pk))
    assert (result.code, result.err) == (0, "")
    bundle = validated(json.loads(result.out))
    [patient] = of_type(bundle, "Patient")
    assert patient["identifier"][0]["value"] == str(dana.pk)
    [plan] = of_type(bundle, "CarePlan")
    assert len(plan["activity"]) == screening.items.count()


def test_export_fhir_writes_a_file_with_o(tmp_path: Path) -> None:
    walt, _ = person_with_plan(WALT_WEB)
    out = tmp_path / "walt.fhir.json"
    result = run("export", "--fhir", "--person", str(walt.pk), "-o", str(out))
    assert result.code == 0 and result.out == ""
    bundle = validated(json.loads(out.read_text("utf-8")))
    assert result.err == f"wrote {out} (FHIR Bundle, {len(bundle['entry'])} resources)\n"


def test_export_json_is_the_data_pages_export_with_the_account() -> None:
    dana, _ = person_with_plan()
    dana.user = get_user_model().objects.create_user(username="dana@example.org", email="dana@example.org")
    dana.save()
    result = run("export", "--json", "--person", str(dana.pk))
    document = json.loads(result.out)
    assert document["schema"] == "backhome.export/1"
    assert document["account"]["email"] == "dana@example.org"
    assert document["person"]["id"] == dana.pk


def test_an_unknown_person_exits_2_and_prints_nothing() -> None:
    result = run("export", "--fhir", "--person", "999999")
    assert (result.code, result.out) == (2, "")
    assert result.err == "backhome export: there is no person 999999\n"


def test_the_format_must_be_chosen_and_only_one() -> None:
    assert run("export", "--person", "1").code == 2
    assert run("export", "--fhir", "--json", "--person", "1").code == 2
