"""``backhome library check | list | show``."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree

from backhome.cli import IO, main
from backhome.core.library.check import CONTENT_ROOT
from backhome.core.model import EXERCISE_IDS


def run(*argv: str) -> tuple[int, str, str]:
    io = IO(StringIO(), StringIO(), StringIO())
    code = main(list(argv), io=io)
    return code, io.stdout.getvalue(), io.stderr.getvalue()


def test_checking_the_packaged_library_says_it_is_ok() -> None:
    assert run("library", "check") == (0, "library OK: 9 exercises\n", "")


def test_checking_a_broken_folder_prints_each_problem_and_exits_1(tmp_path: Path) -> None:
    root = tmp_path / "exercises"
    shutil.copytree(CONTENT_ROOT, root)
    (root / "cat-camel.toml").unlink()
    code, out, err = run("library", "check", "--root", str(root))
    assert code == 1
    assert out.splitlines() == [
        "missing-exercise  cat-camel.toml: B11 exercise 'cat-camel' has no file",
        "library has 1 problem",
    ]
    assert err == ""


def test_checking_a_folder_that_does_not_exist_is_a_problem(tmp_path: Path) -> None:
    code, out, _ = run("library", "check", "--root", str(tmp_path / "nowhere"))
    assert code == 1
    assert out.startswith("missing-folder  ")


def test_the_list_shows_every_exercise_in_programme_order_with_its_start_dose() -> None:
    code, out, _ = run("library", "list")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "NAME", "DIRECTION", "START", "DOSE"]
    assert [row.split()[0] for row in rows][:3] == [
        "single-knee-to-chest",
        "double-knee-to-chest",
        "sciatic-nerve-glide",
    ]
    assert sorted(row.split()[0] for row in rows) == sorted(EXERCISE_IDS)
    press_up = next(row for row in rows if row.startswith("prone-press-up"))
    assert (
        "Prone press-up" in press_up
        and "extension" in press_up
        and "10 times, hold each 10 seconds" in press_up
    )


def test_showing_an_exercise_prints_everything_a_person_and_a_clinician_need() -> None:
    code, out, err = run("library", "show", "sciatic-nerve-glide")
    assert (code, err) == (0, "")
    for expected in (
        "Sciatic nerve glide",
        "Also called: Sciatic nerve stretch, Nerve floss",
        "Starting position: ",
        "  1. Lie down face up",
        "You may feel:",
        "This must not happen:",
        "Dose: 10 times on each side to start.",
        "Version 'slider': Gentle glide (slider)",
        "Version 'tensioner': Fuller glide (tensioner)",
        "surgery on the lower back",
        "Rules: EL-02, EL-03, ND-01",
        "  - S42: ",
    ):
        assert expected in out, expected


def test_showing_an_exercise_describes_its_ladders_and_links() -> None:
    _, out, _ = run("library", "show", "prone-press-up")
    assert "Hold: 10 seconds at first, adding 5 seconds at a time up to 30 seconds" in out
    assert "Step back to: prone-on-elbows" in out
    _, out, _ = run("library", "show", "prone-lying")
    assert "Hold: 1 minute at first, adding 1 minute at a time up to 5 minutes" in out
    assert "Next step up: prone-on-elbows" in out


def test_showing_an_unknown_exercise_names_the_known_ones_and_exits_2() -> None:
    code, out, err = run("library", "show", "bird-dog")
    assert (code, out) == (2, "")
    assert "no exercise 'bird-dog'" in err
    assert all(exercise_id in err for exercise_id in EXERCISE_IDS)


def test_show_with_svg_writes_the_animated_illustration(tmp_path: Path) -> None:
    target = tmp_path / "cat.svg"
    code, out, _ = run("library", "show", "cat-camel", "--svg", str(target))
    assert code == 0
    root = ElementTree.fromstring(target.read_text("utf-8"))
    assert root.get("role") == "img"
    assert "Cat-camel" in (root.findtext("{http://www.w3.org/2000/svg}title") or "")
    assert "prefers-reduced-motion" in target.read_text("utf-8")
    assert f"Illustration written to {target}" in out


def test_show_with_svg_and_panels_writes_the_static_panels(tmp_path: Path) -> None:
    target = tmp_path / "press.svg"
    code, _, _ = run("library", "show", "prone-press-up", "--svg", str(target), "--panels")
    assert code == 0
    text = target.read_text("utf-8")
    ElementTree.fromstring(text)
    assert "@keyframes" not in text


def test_show_with_svg_to_a_folder_that_does_not_exist_says_so(tmp_path: Path) -> None:
    code, _, err = run("library", "show", "cat-camel", "--svg", str(tmp_path / "no" / "cat.svg"))
    assert code == 1 and "cannot write" in err


def test_library_without_an_action_prints_its_help() -> None:
    code, out, _ = run("library")
    assert code == 0
    assert "check" in out and "list" in out and "show" in out
