"""The history page's SVG charts (backhome/web/history/charts.py): pure functions of plain data, so these
tests need no database. Well-formed XML, readable without colour, every text escaped."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

from backhome.web.history import charts
from backhome.web.history.charts import Series

SVG = "{http://www.w3.org/2000/svg}"
DAY = dt.date(2025, 5, 1)


def _days(values: list[int], start: dt.date = DAY) -> tuple[tuple[dt.date, int], ...]:
    return tuple((start + dt.timedelta(days=i), v) for i, v in enumerate(values))


def _pain(back: list[int], leg: list[int], colour: str = "#000000", **kwargs: object) -> ET.Element:
    series = (
        Series("Back pain", "Back", _days(back), "solid", "circle", colour, "back"),
        Series("Leg pain", "Leg", _days(leg), "dashed", "square", colour, "leg"),
    )
    markup = charts.line_chart(series, uid="pain", title="Pain by day", desc="Back and leg.", **kwargs)  # type: ignore[arg-type]
    return ET.fromstring(markup)


def _group(root: ET.Element, key: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@class='series series-{key}']")
    assert found is not None
    return found


def _end_labels(root: ET.Element) -> dict[str, float]:
    return {
        (text.text or "").split()[0]: float(text.get("y", "0"))
        for text in root.iter(f"{SVG}text")
        if text.get("class") == "end-label"
    }


def test_the_pain_chart_is_well_formed_svg_with_a_title_and_a_description() -> None:
    root = _pain([6, 5, 4], [4, 3, 1])
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 340 230"
    assert root.get("width") == "100%"
    assert root.get("aria-labelledby") == "pain-title"
    assert root.get("aria-describedby") == "pain-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Pain by day" and title.get("id") == "pain-title"
    assert desc is not None and desc.text == "Back and leg." and desc.get("id") == "pain-desc"


def test_the_two_series_differ_by_line_style_marker_shape_and_label_even_in_one_colour() -> None:
    root = _pain([6, 5, 4, 4], [4, 3, 1, 0], colour="#000000")
    back, leg = _group(root, "back"), _group(root, "leg")
    back_line, leg_line = back.find(f"{SVG}polyline"), leg.find(f"{SVG}polyline")
    assert back_line is not None and leg_line is not None
    assert back_line.get("stroke") == leg_line.get("stroke")  # same colour on purpose
    assert back_line.get("stroke-dasharray") is None
    assert leg_line.get("stroke-dasharray") == "6 4"
    assert len(back.findall(f"{SVG}circle")) == 4 and back.findall(f"{SVG}rect") == []
    assert len(leg.findall(f"{SVG}rect")) == 4 and leg.findall(f"{SVG}circle") == []
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "end-label"]
    assert labels == ["Back 4", "Leg 0"]


def test_a_square_marker_is_hollow_so_a_circle_on_the_same_spot_shows_inside_it() -> None:
    root = _pain([3, 3], [3, 3])
    square = _group(root, "leg").find(f"{SVG}rect")
    circle = _group(root, "back").find(f"{SVG}circle")
    assert square is not None and circle is not None
    assert square.get("fill") == "#ffffff"
    assert float(circle.get("r", "0")) * 2 < float(square.get("width", "0"))
    # the back series is drawn after the leg series, so its dots sit on top
    groups = [g.get("class") for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("series")]
    assert groups == ["series series-leg", "series series-back"]


def test_end_labels_never_overlap_even_when_both_lines_end_on_the_same_value() -> None:
    for back, leg in (([5, 3], [4, 3]), ([0, 0], [0, 0]), ([10, 10], [9, 10]), ([2, 5], [2, 4])):
        ys = _end_labels(_pain(back, leg))
        assert abs(ys["Back"] - ys["Leg"]) >= charts.LABEL_GAP, (back, leg, ys)


def test_the_widest_end_label_fits_inside_the_chart() -> None:
    root = _pain([10, 10], [9, 10])
    for text in root.iter(f"{SVG}text"):
        if text.get("class") == "end-label":
            # a bold character of the system font is at most about 0.65 of the font size wide
            width = len(text.text or "") * charts.FONT * 0.65
            assert float(text.get("x", "0")) + width <= charts.WIDTH, text.text


def test_the_value_axis_runs_from_0_to_10_with_gridlines_and_titles() -> None:
    root = _pain([6, 5], [4, 3])
    grid = root.find(f"{SVG}g[@class='grid']")
    assert grid is not None
    assert [t.text for t in grid.iter(f"{SVG}text")] == ["0", "2", "4", "6", "8", "10"]
    assert len(grid.findall(f"{SVG}line")) == 6
    titles = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "axis-title"]
    assert titles == ["Pain, 0 to 10", "Date"]


def test_at_most_four_dates_are_written_and_they_are_far_enough_apart_not_to_touch() -> None:
    root = _pain([5] * 84, [3] * 84)
    dates = root.find(f"{SVG}g[@class='dates']")
    assert dates is not None
    texts = dates.findall(f"{SVG}text")
    labels = [t.text for t in texts]
    assert len(labels) == 4 and labels[0] == "1 May" and labels[-1] == "23 Jul"
    xs = [float(t.get("x", "0")) for t in texts]
    # "28 May" is about 45 units wide at font size 13
    assert min(b - a for a, b in itertools.pairwise(xs)) > 60


def test_one_day_gives_one_marker_per_series_and_no_line() -> None:
    root = _pain([4], [2])
    assert _group(root, "back").find(f"{SVG}polyline") is None
    assert len(_group(root, "back").findall(f"{SVG}circle")) == 1
    assert len(_group(root, "leg").findall(f"{SVG}rect")) == 1


def test_an_empty_chart_is_still_well_formed() -> None:
    root = ET.fromstring(charts.line_chart((), uid="empty", title="Nothing", desc="No days yet."))
    assert root.find(f"{SVG}title") is not None


def test_every_text_is_escaped() -> None:
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    series = (Series(nasty, nasty, _days([1, 2]), key="back"),)
    markup = charts.line_chart(series, uid='a"b', title=nasty, desc=nasty, y_title=nasty, x_title=nasty)
    assert "<script>" not in markup
    root = ET.fromstring(markup)
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == nasty
    assert desc is not None and desc.text == nasty
    assert root.get("aria-labelledby") == 'a"b-title'
    assert any(t.text == f"{nasty} 2" for t in root.iter(f"{SVG}text"))
    step = charts.step_chart(
        _days([5, 10]), end=DAY + dt.timedelta(days=3), uid="s", title=nasty, desc=nasty, y_max=20, unit=nasty
    )
    assert "<script>" not in step
    assert ET.fromstring(step).find(f"{SVG}title") is not None


def test_no_chart_uses_a_style_attribute_the_content_security_policy_would_refuse() -> None:
    markups = [
        charts.line_chart((Series("Back pain", "Back", _days([6, 5, 3])),), uid="p", title="t", desc="d"),
        charts.step_chart(
            _days([10, 15]), end=DAY + dt.timedelta(days=5), uid="h", title="t", desc="d", y_max=30
        ),
        charts.key_sample("dashed", "square"),
    ]
    for markup in markups:
        root = ET.fromstring(markup)
        assert all("style" not in element.attrib for element in root.iter())
        assert root.find(f".//{SVG}style") is None


def test_the_hold_chart_steps_up_at_each_change_and_labels_the_latest_hold() -> None:
    steps = ((DAY, 10), (DAY + dt.timedelta(days=4), 15), (DAY + dt.timedelta(days=8), 20))
    markup = charts.step_chart(
        steps, end=DAY + dt.timedelta(days=10), uid="hold", title="Hold", desc="Up.", y_max=30
    )
    root = ET.fromstring(markup)
    line = root.find(f".//{SVG}polyline")
    assert line is not None
    ys = [float(point.split(",")[1]) for point in (line.get("points") or "").split()]
    # two points per step (flat), each step higher on the page than the one before
    assert ys[0] == ys[1] and ys[2] == ys[3] and ys[4] == ys[5]
    assert ys[0] > ys[2] > ys[4]
    assert len(root.findall(f".//{SVG}rect[@class='bar']")) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "20 s" in texts and "30 s" in texts and "0 s" in texts
    assert "1 May" in texts and "11 May" in texts


def test_the_key_sample_shows_the_same_line_style_and_marker_as_its_series() -> None:
    solid = ET.fromstring(charts.key_sample("solid", "circle"))
    dashed = ET.fromstring(charts.key_sample("dashed", "square"))
    assert solid.get("aria-hidden") == "true"
    solid_line, dashed_line = solid.find(f"{SVG}line"), dashed.find(f"{SVG}line")
    assert solid_line is not None and dashed_line is not None
    assert solid_line.get("stroke-dasharray") is None and dashed_line.get("stroke-dasharray") == "6 4"
    assert solid.find(f"{SVG}circle") is not None and dashed.find(f"{SVG}rect") is not None
