"""``python -m backhome.core.schemas [--check]``: rewrite (or only check) the contract's JSON Schemas."""

from __future__ import annotations

import argparse
import sys

from backhome.core import schemas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backhome.core.schemas",
        description="Generate intake.schema.json and decision.schema.json from the contract's pydantic models.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file differs from the models"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = schemas.stale()
        for name in stale:
            print(f"{schemas.path(name)} differs from the models: run python -m backhome.core.schemas")
        return 1 if stale else 0
    for name in schemas.write():
        print(f"wrote {schemas.path(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
