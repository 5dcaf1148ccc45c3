"""Render exercise illustrations as standalone SVG documents.

* :func:`exercise_panels_svg` — static panels (start → end) with the earlier position drawn faintly,
  an arrow for the direction of movement and a glow where the stretch should be felt. No CSS, no
  script: it prints and converts anywhere.
* :func:`exercise_print_panels` — the same panels for a PDF, one small SVG each with the captions apart
  (PDF renderers draw SVG slowly; see there).
* :func:`exercise_svg` — the same figure animated with CSS: move into position, hold, come back,
  rest, in a loop timed from the dose. Under ``prefers-reduced-motion: reduce`` the animation stops
  and the held position shows. With ``phase_classes=True`` nothing loops: a class on the ``<svg>``
  (or any ancestor) — ``phase-move``, ``phase-hold``, ``phase-return``, ``phase-rest`` — plays that
  phase once (the nerve glide's ankle pumps loop during ``phase-hold``), so a session player can
  keep the picture in step with its own clock.

Every class, id and keyframe name starts with a per-document prefix, so several SVGs can be inlined
in one HTML page. Nothing refers outside the document: no images, no fonts, no links.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from backhome.illustrate import body, poses
from backhome.illustrate.body import Pose, _f

# Colours: body on white 9.4:1, far limbs on white 3.3:1, text 16:1, arrow 5.5:1.
BG = "#FFFFFF"
BODY = "#1D4E89"
FAR = "#6F8FB6"
GHOST = "#CDD9E6"
MAT = "#E3EBEF"
MAT_LINE = "#4F6D7A"
GLOW = "#FF5A1F"
ARROW = "#0E7C66"
TEXT = "#1B1F24"
MUTED = "#4A5561"

PANEL_W = 220.0
FIG_H = 122.0  # room for the figure above the floor line
FLOOR_Y = 132.0  # floor line, from the top of a panel
CAPTION_Y = 156.0
LINE_H = 15.0
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"
STEPS_PER_MOVE = 4  # sampled positions per movement; CSS interpolates linearly between them


def _uid(exercise_id: str, *parts: str | None) -> str:
    raw = "-".join(p for p in ("bh", exercise_id, *parts) if p)
    return re.sub(r"[^a-zA-Z0-9_-]", "-", raw)


# --------------------------------------------------------------------------- figure


@dataclass(frozen=True, slots=True)
class _Style:
    near: str = BODY
    mid: str = BODY
    far: str = FAR
    halo: bool = True


_GHOST_STYLE = _Style(GHOST, GHOST, GHOST, halo=False)


def _chain(
    pose: Pose,
    layer: str,
    *,
    shapes: dict[str, list[str]] | None = None,
    animated: set[str] | None = None,
    uid: str = "",
) -> str:
    """Nested groups from the pelvis down, holding only ``layer``'s shapes (or the given extras)."""
    sk = pose.skeleton
    animated = animated or set()

    def content(seg: body.Segment) -> str:
        own = ""
        if shapes is not None:
            own = "".join(shapes.get(seg.name, []))
        elif seg.layer == layer:
            own = "".join(f'<path d="{body.capsule_path(c)}"/>' for c in seg.shapes)
        kids = "".join(emit(child) for child in sk.children(seg.name))
        return own + kids

    def emit(seg: body.Segment) -> str:
        inner = content(seg)
        if not inner:
            return ""
        turn = body.local_turn(seg, pose)
        if seg.parent is None:
            tr = f"translate({_f(pose.x, 2)} {_f(pose.y, 2)}) rotate({_f(pose.pelvis, 2)})"
            cls = f' class="{uid}-root"' if "root" in animated else ""
            return f'<g{cls} transform="{tr}">{inner}</g>'
        ax, ay = seg.attach
        if seg.joint and seg.joint in animated:
            return (
                f'<g transform="translate({_f(ax)} {_f(ay)})">'
                f'<g class="{uid}-{seg.joint}" transform="rotate({_f(turn, 2)})">{inner}</g></g>'
            )
        move = f"translate({_f(ax)} {_f(ay)})" if (ax or ay) else ""
        rot = f"rotate({_f(turn, 2)})" if abs(turn) > 1e-9 else ""
        tr = " ".join(t for t in (move, rot) if t)
        return f'<g transform="{tr}">{inner}</g>' if tr else inner

    root = next(s for s in sk.segments if s.parent is None)
    return emit(root)


def _figure(
    pose: Pose,
    style: _Style,
    *,
    animated: set[str] | None = None,
    uid: str = "",
    glow: dict[str, list[str]] | None = None,
) -> str:
    parts = [f'<g fill="{style.far}">{_chain(pose, "far", animated=animated, uid=uid)}</g>']
    parts.append(f'<g fill="{style.mid}">{_chain(pose, "mid", animated=animated, uid=uid)}</g>')
    near = _chain(pose, "near", animated=animated, uid=uid)
    if near:
        parts.append(f'<g fill="{style.near}">{near}</g>')
    front = _chain(pose, "front", animated=animated, uid=uid)
    if front:
        if style.halo:
            parts.append(f'<g fill="{BG}" stroke="{BG}" stroke-width="3.5">{front}</g>')
        parts.append(f'<g fill="{style.near}">{front}</g>')
    if glow:
        parts.append(_chain(pose, "glow", shapes=glow, animated=animated, uid=uid))
    return "".join(parts)


def _flat_figure(pose: Pose, style: _Style, *, glow: list[str] | None = None) -> str:
    """The figure for print: every shape in model coordinates, one ``<path>`` per colour layer and no
    nested transforms (PDF renderers walk each node and transform in Python; this draws the same
    outline with about a tenth of the nodes)."""
    layers = {seg.name: seg.layer for seg in pose.skeleton.segments}
    paths: dict[str, list[str]] = {"far": [], "mid": [], "near": [], "front": []}
    for c in body.capsules(pose):
        layer = layers[c.segment]
        if layer in paths:
            paths[layer].append(body.capsule_path(body.Capsule(c.x0, c.y0, c.r0, c.x1, c.y1, c.r1)))
    if style == _GHOST_STYLE:  # one colour: one path
        return f'<path fill="{style.far}" d="{"".join(d for ds in paths.values() for d in ds)}"/>'
    parts = [
        f'<path fill="{colour}" d="{"".join(paths[layer])}"/>'
        for layer, colour in (("far", style.far), ("mid", style.mid), ("near", style.near))
        if paths[layer]
    ]
    front = "".join(paths["front"])
    if front:
        if style.halo:
            parts.append(f'<path fill="{BG}" stroke="{BG}" stroke-width="3.5" d="{front}"/>')
        parts.append(f'<path fill="{style.near}" d="{front}"/>')
    return "".join(parts) + "".join(glow or ())


def _flat_glow(ill: poses.Illustration, pose: Pose, uid: str) -> list[str]:
    """The stretch's glow for print: each ellipse placed in model coordinates (a rotation about its
    centre), filled with the same gradient."""
    frames = body.frames(pose)
    out = []
    for st in ill.spec.stretch:
        if st.view != pose.view or st.segment not in frames:
            continue
        frame = frames[st.segment]
        cx, cy = frame.apply(st.x, st.y)
        turn = (
            f' transform="rotate({_f(frame.angle, 2)} {_f(cx)} {_f(cy)})"' if abs(frame.angle) > 1e-9 else ""
        )
        out.append(
            f'<ellipse cx="{_f(cx)}" cy="{_f(cy)}" rx="{_f(st.rx)}" ry="{_f(st.ry)}"{turn} fill="url(#{uid}-glow)"/>'
        )
    return out


def _glow_shapes(ill: poses.Illustration, view: body.View, uid: str) -> dict[str, list[str]]:
    names = {s.name for s in body.SKELETONS[view].segments}
    out: dict[str, list[str]] = {}
    for st in ill.spec.stretch:
        if st.segment in names and st.view == view:
            out.setdefault(st.segment, []).append(
                f'<ellipse cx="{_f(st.x)}" cy="{_f(st.y)}" rx="{_f(st.rx)}" ry="{_f(st.ry)}" fill="url(#{uid}-glow)"/>'
            )
    return out


def _glow_def(uid: str) -> str:
    return (
        f'<radialGradient id="{uid}-glow"><stop offset="0" stop-color="{GLOW}" stop-opacity=".95"/>'
        f'<stop offset=".55" stop-color="{GLOW}" stop-opacity=".75"/>'
        f'<stop offset="1" stop-color="{GLOW}" stop-opacity="0"/></radialGradient>'
    )


# --------------------------------------------------------------------------- arrows


def _arrow(ill: poses.Illustration, a: str, b: str, spec: poses.ArrowSpec) -> str:
    pa, _pb = ill.pose(a), ill.pose(b)
    anchor = ill.anchor_for(pa.view)
    pts = []
    for i in range(13):
        t = i / 12
        p = body.placed(body.interpolate(ill.raw_pose(a), ill.raw_pose(b), t), anchor)
        pts.append(body.points(p)[spec.point])
    length = sum(math.dist(pts[i], pts[i + 1]) for i in range(len(pts) - 1))
    if length < 1:
        return ""
    # offset every point sideways from the path
    off = []
    for i, (x, y) in enumerate(pts):
        x0, y0 = pts[max(i - 1, 0)]
        x1, y1 = pts[min(i + 1, len(pts) - 1)]
        dx, dy = x1 - x0, y1 - y0
        n = math.hypot(dx, dy) or 1.0
        off.append((x - dy / n * spec.offset, y + dx / n * spec.offset))
    if length < 18:  # a small movement still gets an arrow that can be seen: straight, 18 long
        (ax, ay), (bx, by) = off[0], off[-1]
        n = math.hypot(bx - ax, by - ay) or 1.0
        ux, uy, mx, my = (bx - ax) / n, (by - ay) / n, (ax + bx) / 2, (ay + by) / 2
        off = [(mx - 9 * ux, my - 9 * uy), (mx + 2 * ux, my + 2 * uy)]
    else:  # trim the ends so the arrow does not touch the figure's start and end
        off = _trim(off, 4.0, 0)
        off = _trim(off, 11.0, -1)
    if len(off) < 2:
        return ""
    d = "M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in off)
    (x0, y0), (x1, y1) = off[-2], off[-1]
    ang = math.atan2(y1 - y0, x1 - x0)
    tip = (x1 + 8 * math.cos(ang), y1 + 8 * math.sin(ang))
    left = (x1 + 5.5 * math.cos(ang + math.pi / 2), y1 + 5.5 * math.sin(ang + math.pi / 2))
    right = (x1 + 5.5 * math.cos(ang - math.pi / 2), y1 + 5.5 * math.sin(ang - math.pi / 2))
    head = " ".join(f"{_f(x)},{_f(y)}" for x, y in (tip, left, right))
    return (
        f'<path d="{d}" fill="none" stroke="{BG}" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>'
        f'<path d="{d}" fill="none" stroke="{ARROW}" stroke-width="3.5" stroke-linecap="round" '
        f'stroke-linejoin="round"/><polygon points="{head}" fill="{ARROW}" stroke="{ARROW}" '
        'stroke-width="1.5" stroke-linejoin="round"/>'
    )


def _trim(pts: list[tuple[float, float]], dist: float, end: int) -> list[tuple[float, float]]:
    seq = pts if end == 0 else pts[::-1]
    while len(seq) > 1 and dist > 0:
        d = math.dist(seq[0], seq[1])
        if d > dist:
            t = dist / d
            seq = [
                (seq[0][0] + (seq[1][0] - seq[0][0]) * t, seq[0][1] + (seq[1][1] - seq[0][1]) * t),
                *seq[1:],
            ]
            break
        dist -= d
        seq = seq[1:]
    return seq if end == 0 else seq[::-1]


# --------------------------------------------------------------------------- layout


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _placement(view: body.View, poses_: list[Pose], mirror: bool) -> str:
    """The transform from model coordinates to a panel: centred, floor on the mat line, y up."""
    xs0, ys0, xs1, ys1 = zip(*(body.bounds(p) for p in poses_), strict=True)
    left, right, top = min(xs0), max(xs1), max(ys1)
    cx = (left + right) / 2
    sx = -1 if mirror and view == "side" else 1
    if view == "top":
        cy = (min(ys0) + top) / 2
        sy = 1 if mirror else -1  # mirrored: the other side is up
        return f"translate({_f(PANEL_W / 2 - sx * cx)} {_f(FLOOR_Y - FIG_H / 2 + 6 + sy * -cy)}) scale({sx} {sy})"
    return f"translate({_f(PANEL_W / 2 - sx * cx)} {FLOOR_Y}) scale({sx} -1)"


def _mat(view: body.View) -> str:
    if view == "top":
        return (
            f'<rect x="8" y="{_f(FLOOR_Y - FIG_H + 18)}" width="{_f(PANEL_W - 16)}" height="{_f(FIG_H - 14)}" '
            f'rx="6" fill="{MAT}" stroke="{MAT_LINE}" stroke-width="1.5"/>'
        )
    return (
        f'<rect x="6" y="{FLOOR_Y}" width="{_f(PANEL_W - 12)}" height="7" rx="3.5" fill="{MAT}"/>'
        f'<path d="M6 {FLOOR_Y}H{_f(PANEL_W - 6)}" stroke="{MAT_LINE}" stroke-width="2" stroke-linecap="round"/>'
    )


def _text(
    x: float, y: float, text: str, *, size: float = 12, weight: str = "normal", fill: str = TEXT
) -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(size)}"{bold} fill="{fill}">{escape(text)}</text>'


def _caption(x: float, y: float, text: str, width: int = 31) -> str:
    lines = _wrap(text, width)
    spans = "".join(
        f'<tspan x="{_f(x)}" dy="{0 if i == 0 else LINE_H}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{_f(x)}" y="{_f(y)}" font-size="12.5" fill="{TEXT}">{spans}</text>'


def _doc(
    uid: str, width: float, height: float, title: str, desc: str, body_: str, extra_class: str = ""
) -> str:
    cls = f"{uid} {extra_class}".strip()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" class="{cls}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{FONT}">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        f"{body_}</svg>"
    )


def _describe(ill: poses.Illustration, side: str | None, mode: str | None) -> tuple[str, str]:
    title = ill.title + (f" — {side} side" if side else "") + (f" ({mode.replace('_', ' ')})" if mode else "")
    felt = ", ".join(dict.fromkeys(s.label for s in ill.spec.stretch))
    desc = ill.alt + (f" You may feel the stretch in the {felt} (shown in orange)." if felt else "")
    return title, desc


def _mirrored(ill: poses.Illustration, side: str | None) -> bool:
    if side is None or not ill.spec.per_side:
        return False
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    return side != ill.spec.drawn_side


# --------------------------------------------------------------------------- static panels


def _panel_body(
    ill: poses.Illustration,
    index: int,
    *,
    mirror: bool,
    uid: str,
    flat: bool = False,
    mode: str | None = None,
) -> tuple[str, str]:
    """One panel's mat, figure (with its ghost, arrows and glow), number badge and label, in the
    panel's own coordinates; and the mat's view. ``flat``: the figure drawn for print; ``mode``: the
    panels of that mode (the glide's slider or tensioner, one phase of cat-camel)."""
    panel = ill.panels(mode)[index]
    pose = ill.pose(panel.pose)
    view = pose.view
    ghost = ill.pose(panel.ghost) if panel.ghost else None
    place = _placement(view, [p for p in (pose, ghost) if p is not None], mirror)
    fig = ""
    if flat:
        if ghost is not None:
            fig += _flat_figure(ghost, _GHOST_STYLE)
        fig += _flat_figure(pose, _Style(), glow=_flat_glow(ill, pose, uid) if panel.stretch else None)
    else:
        glow = _glow_shapes(ill, view, uid) if panel.stretch else None
        if ghost is not None:
            fig += _figure(ghost, _GHOST_STYLE)
        fig += _figure(pose, _Style(), glow=glow)
    if panel.ghost:
        fig += "".join(_arrow(ill, panel.ghost, panel.pose, a) for a in panel.arrows)
    badge = (
        f'<circle cx="16" cy="16" r="11" fill="{BODY}"/>'
        f'<text x="16" y="20.5" font-size="13" font-weight="bold" fill="{BG}" text-anchor="middle">{index + 1}</text>'
    )
    label = (
        f'<text x="{_f(PANEL_W - 10)}" y="20" font-size="11.5" fill="{MUTED}" text-anchor="end">'
        f"{escape(panel.label)}</text>"
        if panel.label
        else ""
    )
    return f'{_mat(view)}<g transform="{place}">{fig}</g>{badge}{label}', view


def exercise_panels_svg(
    exercise_id: str,
    *,
    side: str | None = None,
    columns: int | None = None,
    uid: str | None = None,
    mode: str | None = None,
) -> str:
    """Static panels, one per teaching position, for the plan page (print: :func:`exercise_print_panels`).
    ``mode`` draws that mode's own panels (the prescribed glide or cat-camel phase)."""
    ill = poses.load(exercise_id)
    uid = uid or _uid(exercise_id, "panels", side, mode)
    mirror = _mirrored(ill, side)
    panels = ill.panels(mode)
    cols = columns or (len(panels) if len(panels) <= 2 else 2)
    rows = math.ceil(len(panels) / cols)
    gap = 8.0
    caption_lines = max(len(_wrap(ill.spec.poses[p.pose].caption, 31)) for p in panels)
    panel_h = CAPTION_Y + (caption_lines - 1) * LINE_H + 10
    width = cols * PANEL_W + (cols - 1) * gap
    height = rows * panel_h + (rows - 1) * gap
    out = [f"<defs>{_glow_def(uid)}</defs>"]
    for i, panel in enumerate(panels):
        col, row = i % cols, i // cols
        x0, y0 = col * (PANEL_W + gap), row * (panel_h + gap)
        body_, _view = _panel_body(ill, i, mirror=mirror, uid=uid, mode=mode)
        out.append(
            f'<g transform="translate({_f(x0)} {_f(y0)})">'
            f'<rect width="{_f(PANEL_W)}" height="{_f(panel_h)}" rx="10" fill="{BG}" stroke="#C5D0DA"/>'
            f"{body_}"
            f"{_caption(12, CAPTION_Y, ill.spec.poses[panel.pose].caption)}</g>"
        )
    title, desc = _describe(ill, side, mode)
    steps = " ".join(f"{i + 1}. {ill.spec.poses[p.pose].caption}" for i, p in enumerate(panels))
    return _doc(uid, width, height, title, f"{desc} Steps: {steps}", "".join(out))


#: A print panel's height: the figure above the mat, and the mat (no caption: the page prints it).
PRINT_PANEL_H = FLOOR_Y + 12


@dataclass(frozen=True, slots=True)
class PrintPanel:
    """One teaching position for paper: its picture (an SVG without text but the number) and its
    caption, for the page to set as text under it."""

    number: int
    svg: str
    caption: str


def exercise_print_panels(
    exercise_id: str, *, side: str | None = None, mode: str | None = None
) -> tuple[PrintPanel, ...]:
    """The static panels for a printed page, one SVG each and the captions apart.

    The same drawing as :func:`exercise_panels_svg`, made for PDF renderers, which draw SVG node by
    node in Python and SVG text letter by letter: the figure is one path per colour with no nested
    transforms (a tenth of the nodes), and the captions are left to the page, where they are set as
    ordinary text (faster, larger and selectable)."""
    ill = poses.load(exercise_id)
    mirror = _mirrored(ill, side)
    title, _desc = _describe(ill, side, mode)
    out = []
    for i, panel in enumerate(ill.panels(mode)):
        uid = _uid(exercise_id, "print", side, mode, str(i + 1))
        body_, _view = _panel_body(ill, i, mirror=mirror, uid=uid, flat=True, mode=mode)
        caption = ill.spec.poses[panel.pose].caption
        svg = _doc(
            uid, PANEL_W, PRINT_PANEL_H, f"{title}: {i + 1}", caption, f"<defs>{_glow_def(uid)}</defs>{body_}"
        )
        out.append(PrintPanel(i + 1, svg, caption))
    return tuple(out)


# --------------------------------------------------------------------------- animation


@dataclass(frozen=True, slots=True)
class _Key:
    t: float  # seconds from the start of the sequence
    pose: Pose


def _keys(ill: poses.Illustration, steps: tuple[poses.Step, ...], start: str) -> list[_Key]:
    """Sampled, placed positions along the steps (eased in and out)."""
    anchor = ill.anchor_for(ill.view_of(start))
    keys = [_Key(0.0, ill.pose(start))]
    t, current = 0.0, start
    for st in steps:
        if st.moving:
            a, b = ill.raw_pose(current), ill.raw_pose(st.pose)
            for k in range(1, STEPS_PER_MOVE + 1):
                u = k / STEPS_PER_MOVE
                s = (1 - math.cos(math.pi * u)) / 2
                keys.append(_Key(t + st.seconds * u, body.placed(body.interpolate(a, b, s), anchor)))
        else:
            keys.append(_Key(t + st.seconds, ill.pose(st.pose)))
        t += st.seconds
        current = st.pose
    return keys


def _joint_values(pose: Pose) -> dict[str, str]:
    """CSS transform of every turning group of a pose."""
    out = {"root": f"translate({_f(pose.x, 2)}px,{_f(pose.y, 2)}px) rotate({_f(pose.pelvis, 2)}deg)"}
    for seg in pose.skeleton.segments:
        if seg.joint:
            out[seg.joint] = f"rotate({_f(body.local_turn(seg, pose), 2)}deg)"
    return out


def _moving_joints(keys: list[_Key]) -> set[str]:
    first = _joint_values(keys[0].pose)
    moving = set()
    for k in keys[1:]:
        for j, v in _joint_values(k.pose).items():
            if v != first[j]:
                moving.add(j)
    return moving


def _keyframes(name: str, keys: list[_Key], joint: str, total: float) -> str:
    vals = [(k.t / total * 100, _joint_values(k.pose)[joint]) for k in keys]
    # drop keys that repeat both neighbours
    kept = [vals[0]]
    for i in range(1, len(vals) - 1):
        if not (vals[i][1] == kept[-1][1] == vals[i + 1][1]):
            kept.append(vals[i])
    kept.append(vals[-1])
    if kept[-1][0] < 100:
        kept.append((100.0, kept[-1][1]))
    body_ = "".join(f"{_f(p, 2)}%{{transform:{v}}}" for p, v in kept)
    return f"@keyframes {name}{{{body_}}}"


def _window(name: str, t0: float, t1: float, total: float, prop: str, on: str, off: str) -> str:
    a, b = t0 / total * 100, t1 / total * 100
    frames = []
    if a > 0:
        frames.append(f"0%,{_f(a, 2)}%{{{prop}:{off}}}")
        frames.append(f"{_f(min(a + 0.2, b), 2)}%{{{prop}:{on}}}")
    else:
        frames.append(f"0%{{{prop}:{on}}}")
    frames.append(f"{_f(b, 2)}%{{{prop}:{on}}}")
    if b < 100:
        frames.append(f"{_f(min(b + 0.2, 100), 2)}%,100%{{{prop}:{off}}}")
    return f"@keyframes {name}{{{''.join(frames)}}}"


def exercise_svg(
    exercise_id: str,
    *,
    animated: bool = True,
    side: str | None = None,
    mode: str | None = None,
    hold_s: float | None = None,
    phase_classes: bool = False,
    uid: str | None = None,
) -> str:
    """A standalone SVG of one exercise.

    ``animated=False`` returns the static panels. ``side`` (``"left"``/``"right"``) picks the side of
    a one-sided exercise (the picture is mirrored for the other side); ``mode`` picks a timeline such
    as ``"slider"``/``"tensioner"`` (nerve glide) or ``"extension_only"`` (cat-camel); ``hold_s``
    overrides the hold time (default: the starting dose). ``phase_classes=True``: see the module doc.
    """
    if not animated:
        return exercise_panels_svg(exercise_id, side=side, uid=uid)
    ill = poses.load(exercise_id)
    if mode is not None and mode not in ill.spec.timelines:
        raise ValueError(f"{exercise_id} has no mode {mode!r}; it has {sorted(ill.spec.timelines)}")
    uid = uid or _uid(exercise_id, "anim", side, mode, "phases" if phase_classes else None)
    mirror = _mirrored(ill, side)
    steps = ill.timeline(mode, hold_s)
    start = ill.spec.start
    keys = _keys(ill, steps, start)
    total = keys[-1].t
    view = keys[0].pose.view
    hold_pose = _held(ill, steps)
    moving = _moving_joints(keys)
    still = ill.pose(start) if phase_classes else ill.pose(hold_pose)
    css: list[str] = []
    if phase_classes:
        css += _phase_css(ill, steps, uid, moving)
    else:
        for j in sorted(moving):
            css.append(_keyframes(f"{uid}-k-{j}", keys, j, total))
            css.append(f".{uid}-{j}{{animation:{uid}-k-{j} {_f(total, 2)}s linear infinite}}")
    css.append(f"@media (prefers-reduced-motion:reduce){{.{uid} *{{animation:none!important}}}}")
    place = _placement(view, [k.pose for k in keys], mirror)
    glow = _glow_shapes(ill, view, uid)
    fig = _figure(still, _Style(), animated=moving, uid=uid, glow=glow)
    height = CAPTION_Y + 14
    captions = "" if phase_classes else _captions(steps, uid, total, css)
    title, desc = _describe(ill, side, mode)
    timing = ", ".join(f"{s.caption.lower()}" for s in steps)
    body_ = (
        f"<defs>{_glow_def(uid)}</defs><style>{''.join(css)}</style>"
        f'<rect width="{_f(PANEL_W)}" height="{_f(height)}" rx="10" fill="{BG}"/>'
        f'{_mat(view)}<g transform="{place}">{fig}</g>{captions}'
    )
    return _doc(uid, PANEL_W, height, title, f"{desc} Animation: {timing}.", body_)


def _held(ill: poses.Illustration, steps: tuple[poses.Step, ...]) -> str:
    """The position shown when motion is reduced: the one held (or the file's ``hold_pose``)."""
    for s in steps:
        if s.phase == "hold" and not s.moving:
            return s.pose
    return ill.spec.hold_pose


#: Bold system sans-serif is about this many em wide per character, on average.
CHAR_EM = 0.6
CAPTION_MAX_FONT = 14.0


def caption_font_size(caption: str) -> float:
    """The animation's one-line caption shrinks, when it is long, to fit the picture's width."""
    room = PANEL_W - 16
    return min(CAPTION_MAX_FONT, room / (CHAR_EM * max(len(caption), 1)))


def _captions(steps: tuple[poses.Step, ...], uid: str, total: float, css: list[str]) -> str:
    groups: list[tuple[str, float, float, str]] = []  # caption, t0, t1, phase
    t = 0.0
    for s in steps:
        if groups and groups[-1][0] == s.caption:
            c, t0, _, ph = groups[-1]
            groups[-1] = (c, t0, t + s.seconds, ph)
        else:
            groups.append((s.caption, t, t + s.seconds, s.phase))
        t += s.seconds
    shown = next((i for i, g in enumerate(groups) if g[3] == "hold"), 0)
    out = []
    for i, (caption, t0, t1, _) in enumerate(groups):
        name = f"{uid}-c{i}"
        css.append(_window(name, t0, t1, total, "opacity", "1", "0"))
        css.append(f".{name}{{animation:{name} {_f(total, 2)}s linear infinite}}")
        out.append(
            f'<text class="{name}" x="{_f(PANEL_W / 2)}" y="{_f(CAPTION_Y)}" '
            f'font-size="{_f(caption_font_size(caption), 1)}" font-weight="bold" '
            f'fill="{TEXT}" text-anchor="middle" opacity="{1 if i == shown else 0}">{escape(caption)}</text>'
        )
    # a bar that fills while a plain hold lasts
    holds = [
        (s, sum(x.seconds for x in steps[:i]))
        for i, s in enumerate(steps)
        if s.phase == "hold" and not s.moving
    ]
    if holds:
        s, t0 = holds[0]
        x0, x1, y = 40.0, PANEL_W - 40, CAPTION_Y + 8
        length = x1 - x0
        a, b = t0 / total * 100, (t0 + s.seconds) / total * 100
        name = f"{uid}-bar"
        css.append(
            f"@keyframes {name}{{0%,{_f(a, 2)}%{{stroke-dashoffset:{_f(length)}}}"
            f"{_f(b, 2)}%{{stroke-dashoffset:0}}{_f(min(b + 0.2, 100), 2)}%,100%{{stroke-dashoffset:{_f(length)}}}}}"
        )
        css.append(f".{name}{{animation:{name} {_f(total, 2)}s linear infinite}}")
        out.append(
            f'<path d="M{_f(x0)} {_f(y)}H{_f(x1)}" stroke="#D3DCE4" stroke-width="4" stroke-linecap="round"/>'
            f'<path class="{name}" d="M{_f(x0)} {_f(y)}H{_f(x1)}" stroke="{ARROW}" stroke-width="4" '
            f'stroke-linecap="round" stroke-dasharray="{_f(length)}" stroke-dashoffset="0"/>'
        )
    return "".join(out)


def _phase_css(
    ill: poses.Illustration, steps: tuple[poses.Step, ...], uid: str, moving: set[str]
) -> list[str]:
    """One animation per phase, switched by a ``phase-*`` class on the root or an ancestor."""
    css: list[str] = []
    current = ill.spec.start
    for phase in poses.PHASES:
        idx = [i for i, s in enumerate(steps) if s.phase == phase]
        if not idx:
            continue
        first = idx[0]
        before = steps[first - 1].pose if first > 0 else ill.spec.start
        span = tuple(steps[i] for i in range(first, idx[-1] + 1))
        keys = _keys(ill, span, before)
        total = keys[-1].t
        end_vals = _joint_values(keys[-1].pose)
        loops = phase == "hold" and any(s.moving for s in span)
        for j in sorted(moving):
            sel = f".phase-{phase} .{uid}-{j},.phase-{phase}.{uid} .{uid}-{j}"
            css.append(f"{sel}{{transform:{end_vals[j]}}}")
            if any(s.moving for s in span):
                name = f"{uid}-{phase}-{j}"
                css.append(_keyframes(name, keys, j, total))
                how = "infinite" if loops else "1 forwards"
                css.append(f"{sel}{{animation:{name} {_f(total, 2)}s linear {how}}}")
        current = span[-1].pose
    del current
    return css
