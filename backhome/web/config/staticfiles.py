"""The static files' storage: WhiteNoise's compressed storage, with the camera coach's MediaPipe files
served as they are.

Those files (a 6 MB model, 13 MB of WebAssembly and its 0.3 MB loader) load only when a person turns the
camera on, and the service worker keeps them after the first time. Compressing them again at every
`backhome serve` start took tens of seconds and wrote files larger than a server with a small
file-size limit may write (tests/integration/test_db_faults_serve.py).
"""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedStaticFilesStorage

#: Static paths served uncompressed.
AS_THEY_ARE = ("practice/coach/vendor/",)


class _Compressor(Compressor):
    def should_compress(self, filename: str) -> bool:
        return not filename.startswith(AS_THEY_ARE) and bool(super().should_compress(filename))


class StaticFilesStorage(CompressedStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return _Compressor(**kwargs)
