"""The clinic's article (source S0) as fingerprints of its six-word runs, so that a data test can tell
copied wording without the article's text being in the repository.

The article is the clinic's, not ours: the repository keeps only ``article-runs.txt``, one short
SHA-256 prefix per run of six words. To make the file again from a copy of the article::

    python -m tests.data.article_runs PATH/TO/lower-back-exercises-article.txt
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

RUNS_FILE = Path(__file__).with_name("article-runs.txt")
RUN = 6


def words(text: str) -> list[str]:
    """Lower-case words, apostrophes kept ("don't"), curly ones made straight."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def fingerprint(run: Iterable[str]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def runs(text: str) -> list[tuple[str, ...]]:
    found = words(text)
    return [tuple(found[i : i + RUN]) for i in range(len(found) - RUN + 1)]


def article_fingerprints() -> frozenset[str]:
    return frozenset(RUNS_FILE.read_text("utf-8").split())


def main(argv: list[str]) -> int:
    article = Path(argv[0]).read_text("utf-8")
    RUNS_FILE.write_text("".join(f"{f}\n" for f in sorted({fingerprint(r) for r in runs(article)})), "utf-8")
    print(f"wrote {RUNS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
