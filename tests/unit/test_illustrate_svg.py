"""The SVG renderer: well-formed, accessible, self-contained documents."""

import re
import xml.etree.ElementTree as ET

import pytest

from backhome.core.model import EXERCISE_IDS
from backhome.illustrate import gallery, poses, svg

NS = "{http://www.w3.org/2000/svg}"


def variants():
    for exercise_id in EXERCISE_IDS:
        ill = poses.load(exercise_id)
        yield exercise_id, {"animated": False}
        yield exercise_id, {"animated": True}
        yield exercise_id, {"animated": True, "phase_classes": True}
        if ill.spec.per_side:
            yield exercise_id, {"animated": True, "side": "left"}
        for mode in ill.modes:
            yield exercise_id, {"animated": True, "mode": mode}


VARIANTS = list(variants())
IDS = [f"{e}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for e, kw in VARIANTS]


@pytest.mark.parametrize(("exercise_id", "kwargs"), VARIANTS, ids=IDS)
def test_every_svg_is_well_formed_and_has_a_text_alternative(exercise_id, kwargs):
    doc = svg.exercise_svg(exercise_id, **kwargs)
    root = ET.fromstring(doc)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text and len(title.text) > 3
    assert desc is not None and desc.text and len(desc.text) > 40
    labelled = root.get("aria-labelledby", "").split()
    assert labelled == [title.get("id"), desc.get("id")]


@pytest.mark.parametrize(("exercise_id", "kwargs"), VARIANTS, ids=IDS)
def test_no_svg_refers_to_anything_outside_itself(exercise_id, kwargs):
    doc = svg.exercise_svg(exercise_id, **kwargs)
    urls = re.findall(r"https?://[^\s\"')]+", doc)
    assert set(urls) <= {"http://www.w3.org/2000/svg"}
    assert "<image" not in doc and "href" not in doc
    assert "@font-face" not in doc and "@import" not in doc
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", doc))


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_animation_respects_reduced_motion_and_shows_the_held_position(exercise_id):
    doc = svg.exercise_svg(exercise_id)
    assert "@keyframes" in doc and "infinite" in doc
    assert re.search(r"@media \(prefers-reduced-motion:\s*reduce\)\{[^}]*animation:none", doc)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_static_panels_need_no_css_and_show_arrows_and_the_stretch(exercise_id):
    doc = svg.exercise_panels_svg(exercise_id)
    assert "<style" not in doc and "@keyframes" not in doc
    assert "<polygon" in doc  # an arrow head
    assert "-glow)" in doc  # the place where the stretch is felt
    assert doc.count('<circle cx="16"') == len(poses.load(exercise_id).spec.panels)  # numbered panels


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_svg_stays_small(exercise_id):
    assert len(svg.exercise_svg(exercise_id).encode()) < 20_000
    assert len(svg.exercise_panels_svg(exercise_id).encode()) < 30_000


def test_phase_classes_switch_the_pose_without_a_loop():
    doc = svg.exercise_svg("prone-press-up", phase_classes=True)
    for phase in ("phase-move", "phase-hold", "phase-return"):
        assert f".{phase} " in doc
    assert "infinite" not in doc and "forwards" in doc


def test_the_nerve_glide_has_no_hold_phase_and_its_move_phase_moves_the_ankle():
    doc = svg.exercise_svg("sciatic-nerve-glide", mode="slider", phase_classes=True)
    assert ".phase-hold" not in doc
    assert re.search(r"\.phase-move [^{]*ankle_near[^{]*\{animation:", doc)


def test_the_other_side_is_mirrored_and_named():
    right = svg.exercise_svg("single-knee-to-chest", side="right")
    left = svg.exercise_svg("single-knee-to-chest", side="left")
    assert "scale(1 -1)" in right and "scale(-1 -1)" in left
    assert "left side" in left


def test_an_unknown_side_or_mode_is_refused():
    with pytest.raises(ValueError):
        svg.exercise_svg("single-knee-to-chest", side="middle")
    with pytest.raises(ValueError):
        svg.exercise_svg("prone-lying", mode="slider")


def test_a_dose_hold_time_changes_the_animation_length():
    short = svg.exercise_svg("prone-press-up", hold_s=10)
    long = svg.exercise_svg("prone-press-up", hold_s=30)
    assert "18s linear infinite" in short and "38s linear infinite" in long


def test_the_gallery_is_one_self_contained_page_with_every_exercise(tmp_path):
    path = gallery.write_gallery(tmp_path / "g")
    html = path.read_text()
    assert path.name == "index.html"
    for exercise_id in EXERCISE_IDS:
        assert f'id="{exercise_id}"' in html
    assert "<script" not in html and 'src="' not in html and "<link" not in html
    assert set(re.findall(r"https?://[^\s\"')]+", html)) <= {"http://www.w3.org/2000/svg"}
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # inline SVGs do not clash


def test_no_animated_caption_is_wider_than_its_picture() -> None:
    for exercise_id in EXERCISE_IDS:
        illustration = poses.load(exercise_id)
        for mode in (None, *illustration.modes):
            for step in illustration.timeline(mode, None):
                width = svg.caption_font_size(step.caption) * svg.CHAR_EM * len(step.caption)
                assert width <= svg.PANEL_W - 16 + 0.01, (exercise_id, mode, step.caption)
                assert svg.caption_font_size(step.caption) >= 7, (exercise_id, step.caption)
