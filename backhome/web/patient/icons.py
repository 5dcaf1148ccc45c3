"""backhome's app icons (the web app manifest's PNGs), drawn by this code from the favicon's own shapes.

The favicon (``static/patient/favicon.svg``) is a rounded blue square with a curved spine and three
dots. Browsers that add a site to a home screen want PNGs, so this draws the same shapes into pixels with
the standard library alone (zlib for PNG): no image library, no artwork from elsewhere.
``python -m backhome.web.patient.icons`` writes them to ``static/patient/icons/``; a test checks that the
committed files are this code's output.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

#: Where the icons are kept (served as static files).
FOLDER = Path(__file__).parent / "static" / "patient" / "icons"
#: (file name, size in pixels, maskable): "maskable" fills the square and keeps the drawing in the middle
#: 80 %, so a phone may cut it to a circle or a rounded square of its own.
ICONS = (("icon-192.png", 192, False), ("icon-512.png", 512, False), ("maskable-512.png", 512, True))

BLUE = (11, 74, 143)
WHITE = (255, 255, 255)
#: The favicon's spine in its 32-unit box: two cubic curves (the SVG's "M11 5c5 4 5 8 1 11s-4 7 1 11").
SPINE = (((11, 5), (16, 9), (16, 13), (12, 16)), ((12, 16), (8, 19), (8, 23), (13, 27)))
STROKE = 3.5
DOTS = ((21, 10), (21, 17), (21, 24))
DOT_R = 2.5
CORNER = 7


def _bezier(p: tuple[tuple[float, float], ...], t: float) -> tuple[float, float]:
    u = 1 - t
    x = u**3 * p[0][0] + 3 * u * u * t * p[1][0] + 3 * u * t * t * p[2][0] + t**3 * p[3][0]
    y = u**3 * p[0][1] + 3 * u * u * t * p[1][1] + 3 * u * t * t * p[2][1] + t**3 * p[3][1]
    return x, y


def _disc(cover: list[float], size: int, cx: float, cy: float, r: float) -> None:
    """Cover a disc of radius ``r`` (pixels), with a soft one-pixel edge."""
    for y in range(max(0, int(cy - r - 1)), min(size, int(cy + r + 2))):
        for x in range(max(0, int(cx - r - 1)), min(size, int(cx + r + 2))):
            c = min(1.0, max(0.0, r + 0.5 - math.hypot(x + 0.5 - cx, y + 0.5 - cy)))
            i = y * size + x
            if c > cover[i]:
                cover[i] = c


def draw(size: int, maskable: bool = False) -> bytes:
    """The icon as RGBA rows, ``size`` pixels square."""
    # The 32-unit drawing: the whole square (maskable: in its middle 80 %).
    scale = size / 32 * (0.8 if maskable else 1.0)
    shift = size * 0.1 if maskable else 0.0
    back = [0.0] * (size * size)
    corner = 0.0 if maskable else CORNER * size / 32
    for y in range(size):
        for x in range(size):
            # distance outside the rounded square (negative inside)
            dx = max(corner - (x + 0.5), (x + 0.5) - (size - corner), 0.0)
            dy = max(corner - (y + 0.5), (y + 0.5) - (size - corner), 0.0)
            outside = math.hypot(dx, dy) - corner if corner else -1.0
            back[y * size + x] = min(1.0, max(0.0, 0.5 - outside))
    fore = [0.0] * (size * size)
    for curve in SPINE:
        steps = size
        for k in range(steps + 1):
            px, py = _bezier(curve, k / steps)
            _disc(fore, size, shift + px * scale, shift + py * scale, STROKE / 2 * scale)
    for dx, dy in DOTS:
        _disc(fore, size, shift + dx * scale, shift + dy * scale, DOT_R * scale)
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # PNG filter: none
        for x in range(size):
            i = y * size + x
            f = fore[i] * back[i]
            rgb = (round(BLUE[c] * (1 - f) + WHITE[c] * f) for c in range(3))
            rows.extend((*rgb, round(255 * back[i])))
    return bytes(rows)


def png(size: int, maskable: bool = False) -> bytes:
    """The icon as a PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(draw(size, maskable), 9))
        + chunk(b"IEND", b"")
    )


def main() -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in ICONS:
        (FOLDER / name).write_bytes(png(size, maskable))
        print(FOLDER / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
