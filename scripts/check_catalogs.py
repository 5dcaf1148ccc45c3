"""`make lint` (`python -m scripts.check_catalogs`): every gettext catalog compiles and is complete (no untranslated, no fuzzy entry).

Runs ``msgfmt --check --statistics`` on each backhome/locale/*/LC_MESSAGES/*.po and fails, naming the
catalog, when msgfmt refuses it or counts an untranslated or fuzzy message. Also fails when a language
of settings.LANGUAGES other than English has no catalog (a half-done language).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from backhome.core.words import LANGUAGES as OFFERED
from backhome.core.words import SOURCE_LANGUAGE

LOCALE = Path(__file__).resolve().parents[1] / "backhome" / "locale"
#: The languages the site offers other than the source language (settings.LANGUAGES).
LANGUAGES = tuple(lang for lang in OFFERED if lang != SOURCE_LANGUAGE)


def problems() -> list[str]:
    found: list[str] = []
    for code in LANGUAGES:
        if not (LOCALE / code / "LC_MESSAGES" / "django.po").is_file():
            found.append(f"{code}: no catalog backhome/locale/{code}/LC_MESSAGES/django.po")
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        run = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        stats = run.stderr.strip()
        name = po.relative_to(LOCALE.parents[1])
        if run.returncode != 0:
            found.append(f"{name}: msgfmt refuses it: {stats}")
        elif re.search(r"\b(untranslated|fuzzy)\b", stats):
            found.append(f"{name}: {stats}")
        else:
            print(f"{name}: {stats}")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
