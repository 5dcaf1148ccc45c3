"""Where tests put what a person should look at (screenshots, handout PDFs and PNGs, reports).

``artifacts/`` at the top of the repository, or ``$BACKHOME_ARTIFACTS`` when set: `make test` gives the
SQLite and the PostgreSQL passes a folder each, so the two can run at the same time without writing over
each other's files."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("BACKHOME_ARTIFACTS") or REPO / "artifacts").resolve()
