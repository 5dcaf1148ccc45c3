"""Django's gzip, except for small answers: those go as they are.

Compressing an answer costs about a tenth of a millisecond however short it is (zlib's set-up and the
random padding against BREACH), which was a tenth of the whole cost of recording an exercise (the session
log's JSON answer is about 500 bytes). Under ``MIN_LENGTH`` bytes an answer fits in a network packet or
two with or without compression, so the phone gets it no sooner compressed. Pages, the handout gallery
and everything else larger are compressed as before.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

#: Answers shorter than this many bytes are not compressed.
MIN_LENGTH = 1024


class GZipMiddleware(DjangoGZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.streaming and len(response.content) < MIN_LENGTH:
            return response
        return super().process_response(request, response)
