"""The plan page, kept rendered between requests: most requests for it are the same person looking at
the same programme again, and rendering it (five queries and the pictures' templates) cost about seven
times the CPU of a trivial view.

A page is kept under its ``selectors.PlanStamp``: one cheap query that changes whenever anything the page
shows changes (a new screening, a dose change, a clinician's edit, clearance or lock, a self-check's new
decision, the referral card's clinic). A stale page can therefore never be found: a change makes a new
key, and the old page is simply not asked for again. The cache is Django's ``default`` (each process's own
memory, ``CACHES`` in settings), which is safe with several processes for the same reason.

The page is kept with a placeholder for the CSP nonce of the pictures' ``<style>`` elements and gets the
nonce of each response when it is sent (``config.security``). Only pages that show nothing but the plan
are kept: not one with clinicians' changes still to be shown once, not a redirect, not a page with a
form's CSRF token.

Compressing the page (about 46 KB of HTML, mostly the pictures) for each response cost as much CPU as
everything else together, and the nonce changes each time. So the page is kept as its pieces between the
nonces, each piece compressed once into raw deflate blocks that end on a byte boundary (a sync flush,
with no reference outside the piece). A response puts the pieces' blocks in order with the nonce as a
stored (uncompressed) block between them, adds a final empty block, and wraps them in a gzip header and
trailer (CRC-32 and length of the whole page): one valid gzip stream, the same bytes a browser would get
from ``GZipMiddleware`` once decompressed. As ``GZipMiddleware`` does against BREACH, the header carries
a file name of random length.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
import zlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers

from backhome.web.patient.selectors import PlanStamp

#: How long a kept page stays (seconds); a new stamp replaces it long before.
KEEP_SECONDS = 60 * 60
_PLACEHOLDER = 'nonce="{{csp-nonce}}"'


def _key(stamp: PlanStamp, request: HttpRequest) -> str:
    # The page's header says "My account" or "Log in": a logged-in person's page differs from a guest's.
    what = repr((stamp.values, bool(request.user.is_authenticated)))
    return "plan-page:" + hashlib.sha256(what.encode()).hexdigest()


def _nonce(request: HttpRequest) -> str:
    return f'nonce="{getattr(request, "csp_nonce", "")}"'


#: A kept page: its UTF-8 bytes split at the nonce, and each piece as raw deflate blocks.
Kept = tuple[tuple[bytes, ...], tuple[bytes, ...]]

#: The last block of a deflate stream: final, fixed Huffman codes, nothing but the end-of-block code.
_FINAL_BLOCK = b"\x03\x00"
#: Most random bytes in the gzip header's file name (as ``GZipMiddleware.max_random_bytes``).
MAX_RANDOM_BYTES = 100


def _deflated(piece: bytes) -> bytes:
    """Raw deflate blocks of one piece, ending on a byte boundary, never the stream's last block."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _stored(data: bytes) -> bytes:
    """One stored (uncompressed) deflate block, not the last (``data`` is short: a nonce)."""
    return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def kept_page(html: str) -> Kept:
    pieces = tuple(piece.encode() for piece in html.split(_PLACEHOLDER))
    return pieces, tuple(_deflated(piece) for piece in pieces)


def gzipped(kept: Kept, nonce: bytes) -> bytes:
    """The page with ``nonce`` between its pieces, as one gzip stream (header with a random file name)."""
    pieces, deflated = kept
    crc = 0
    for number, piece in enumerate(pieces):
        if number:
            crc = zlib.crc32(nonce, crc)
        crc = zlib.crc32(piece, crc)
    size = sum(map(len, pieces)) + len(nonce) * (len(pieces) - 1)
    name = b"a" * secrets.randbelow(MAX_RANDOM_BYTES) + b"\x00"
    header = b"\x1f\x8b\x08\x08" + b"\x00\x00\x00\x00" + b"\x00\xff" + name  # FNAME, no mtime
    body = _stored(nonce).join(deflated) + _FINAL_BLOCK
    return header + body + struct.pack("<II", crc, size & 0xFFFFFFFF)


def plan_page_get(request: HttpRequest, stamp: PlanStamp) -> HttpResponse | None:
    """The kept page for this stamp, with this response's nonce (gzipped for a browser that accepts it);
    None when there is none."""
    if not stamp.cacheable:
        return None
    kept: Kept | None = cache.get(_key(stamp, request))
    if kept is None:
        return None
    nonce = _nonce(request).encode()
    if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        return HttpResponse(nonce.join(kept[0]), content_type="text/html; charset=utf-8")
    response = HttpResponse(gzipped(kept, nonce), content_type="text/html; charset=utf-8")
    response.headers["Content-Encoding"] = "gzip"  # GZipMiddleware leaves it as it is
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def plan_page_keep(request: HttpRequest, stamp: PlanStamp, response: HttpResponse) -> None:
    """Keep a freshly rendered plan page for the next request with the same stamp."""
    if not stamp.cacheable or response.status_code != 200 or response.streaming:
        return
    page = response.content.decode()
    if "csrfmiddlewaretoken" in page or not getattr(request, "csp_nonce", ""):
        return
    cache.set(_key(stamp, request), kept_page(page.replace(_nonce(request), _PLACEHOLDER)), KEEP_SECONDS)
