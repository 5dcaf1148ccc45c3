"""The print panels: the plan page's pictures made light for a PDF renderer (few nodes, no text but the
number, captions apart), one well-formed, self-contained SVG per teaching position."""

import re
import xml.etree.ElementTree as ET

import pytest

from backhome.core.model import EXERCISE_IDS
from backhome.illustrate import poses, svg

NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_there_is_one_print_panel_per_teaching_position_with_its_caption(exercise_id):
    ill = poses.load(exercise_id)
    panels = svg.exercise_print_panels(exercise_id)
    assert [p.number for p in panels] == list(range(1, len(ill.spec.panels) + 1))
    assert [p.caption for p in panels] == [ill.spec.poses[p.pose].caption for p in ill.spec.panels]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_print_panel_is_well_formed_titled_and_refers_to_nothing_outside(exercise_id):
    ill = poses.load(exercise_id)
    for panel, spec in zip(svg.exercise_print_panels(exercise_id), ill.spec.panels, strict=True):
        root = ET.fromstring(panel.svg)
        title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
        assert title is not None and title.text and title.text.endswith(f": {panel.number}")
        assert desc is not None and desc.text == panel.caption
        assert "<style" not in panel.svg and "href" not in panel.svg and "<image" not in panel.svg
        assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", panel.svg))
        assert spec.ghost or "<polygon" not in panel.svg  # an arrow only where there is a movement
    arrows = sum(p.svg.count("<polygon") for p in svg.exercise_print_panels(exercise_id))
    assert arrows == svg.exercise_panels_svg(exercise_id).count("<polygon")  # the plan page's arrows


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_a_print_panel_has_no_text_but_its_number_and_label_and_a_fraction_of_the_nodes(exercise_id):
    ill = poses.load(exercise_id)
    web = ET.fromstring(svg.exercise_panels_svg(exercise_id))
    web_nodes = sum(1 for _ in web.iter())
    print_nodes = 0
    for panel, spec in zip(svg.exercise_print_panels(exercise_id), ill.spec.panels, strict=True):
        root = ET.fromstring(panel.svg)
        texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
        assert texts == [str(panel.number)] + ([spec.label] if spec.label else [])
        assert not list(root.iter(f"{NS}tspan"))
        # no nested transforms: the figure sits in one placed group
        assert sum(1 for g in root.iter(f"{NS}g") if g.get("transform")) == 1
        print_nodes += sum(1 for _ in root.iter())
    assert print_nodes * 4 < web_nodes


def test_the_web_panels_are_not_changed_by_the_print_ones():
    """The plan page still gets the full picture: captions inside, one group per body part."""
    doc = svg.exercise_panels_svg("prone-press-up")
    assert "<tspan" in doc and doc.count("<g ") > 50
