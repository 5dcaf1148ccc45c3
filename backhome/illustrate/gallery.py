"""A static HTML gallery of every exercise: one self-contained page, no external assets."""

from __future__ import annotations

from html import escape
from pathlib import Path

from backhome.illustrate import poses, svg

_CSS = """
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;
color:#1B1F24;background:#F3F6F9;line-height:1.45}main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:1.6rem;margin:.4rem 0 1rem}h2{font-size:1.25rem;margin:0 0 .5rem}
section{background:#fff;border:1px solid #C5D0DA;border-radius:14px;padding:14px;margin:0 0 18px}
.row{display:grid;grid-template-columns:1fr;gap:12px}figure{margin:0}
figcaption{font-size:.95rem;color:#3B4652;margin-top:4px}svg{width:100%;height:auto;display:block}
.anims{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
@media (min-width:900px){.row{grid-template-columns:3fr 2fr}}
p.note{font-size:.95rem;color:#3B4652}.narrow{display:none}
@media (max-width:560px){.wide{display:none}.narrow{display:block}.narrow svg{max-width:420px;margin:0 auto 8px}}
"""


def _variants(ill: poses.Illustration) -> list[tuple[str | None, str | None, str]]:
    """(side, mode, label) of every animation worth showing."""
    sides: list[str | None] = ["right", "left"] if ill.spec.per_side else [None]
    out: list[tuple[str | None, str | None, str]] = []
    for side in sides:
        out.append((side, None, f"{side.capitalize()} side" if side else "Animation"))
    for mode in ill.modes:
        out.append((sides[0], mode, mode.replace("_", " ").capitalize()))
    return out


def gallery_html() -> str:
    sections = []
    for exercise_id in poses.available():
        ill = poses.load(exercise_id)
        anims = "".join(
            f"<figure>{svg.exercise_svg(exercise_id, side=side, mode=mode)}"
            f"<figcaption>{escape(label)}</figcaption></figure>"
            for side, mode, label in _variants(ill)
        )
        sections.append(
            f'<section id="{escape(exercise_id)}"><h2>{escape(ill.title)}</h2>'
            f'<div class="row"><figure><div class="wide">{svg.exercise_panels_svg(exercise_id)}</div>'
            f'<div class="narrow">{svg.exercise_panels_svg(exercise_id, columns=1, uid=f"bh-{exercise_id}-p1")}</div>'
            f"<figcaption>{escape(ill.alt)}</figcaption></figure>"
            f'<div class="anims">{anims}</div></div></section>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>backhome — exercise illustrations</title><style>{_CSS}</style></head><body><main>"
        "<h1>Exercise illustrations</h1><p class=note>Every picture is drawn from the body model and the "
        "keyframes in <code>backhome/core/content/poses</code>. Orange shows where the stretch may be felt. "
        "With reduced motion, the animations show the held position.</p>"
        + "".join(sections)
        + "</main></body></html>"
    )


def write_gallery(folder: Path) -> Path:
    """Write ``index.html`` (everything inline) into ``folder``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(gallery_html(), encoding="utf-8")
    return path
