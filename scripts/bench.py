"""``make bench``: the engine's decisions per second and the library's load time.

Decisions: 10,000 varied intakes (a fixed seed, so every run decides the same intakes), pinned to
one core; reported for ``decide`` alone and for parsing plus deciding. Library: ``load_library``
of the packaged content, uncached, median of 30 loads after imports; and a cold start in a fresh
interpreter including imports. Targets (product.md): >= 20,000 decisions/s; load < 50 ms.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from typing import Any

from backhome.core.contract import parse_intake
from backhome.core.engine import decide
from backhome.core.library.load import default_library, load_library
from tests.builders import NO_HISTORY, NO_SYMPTOMS

N = 10_000


def varied_intakes(n: int, seed: int = 20261123) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        symptoms: dict[str, Any] = {k: rng.random() < 0.015 for k in NO_SYMPTOMS}
        symptoms["leg_weakness"] = rng.choices(["none", "stable", "worsening"], [0.94, 0.04, 0.02])[0]
        history: dict[str, Any] = {k: rng.random() < 0.08 for k in NO_HISTORY}
        history["lumbar_surgery"] = rng.choices(["none", "recent", "past"], [0.9, 0.05, 0.05])[0]
        doc: dict[str, Any] = {
            "schema": "backhome.intake/1",
            "age": rng.randint(14, 95),
            "pregnant": rng.random() < 0.03,
            "weeks": rng.choice([0.5, 1, 3, 6, 8, 12, 52, 200]),
            "pain": {"back": rng.randint(0, 10), "leg": rng.randint(0, 10)},
            "distal_zone": rng.randint(0, 5),
            "numbness": rng.random() < 0.15,
            "history": history,
            "symptoms": symptoms,
        }
        if rng.random() < 0.6:
            doc["startback"] = {
                "agree": [rng.random() < 0.4 for _ in range(8)],
                "bothersome": rng.choice(["not_at_all", "slightly", "moderately", "very_much", "extremely"]),
            }
        if rng.random() < 0.3:
            doc["directional"] = {
                "extension": rng.choice(["favourable", "no_effect", "worse"]),
                "flexion": rng.choice(["favourable", "no_effect", "worse"]),
            }
        docs.append(doc)
    return docs


def best_of(runs: int, fn: Any) -> float:
    return min(_timed(fn) for _ in range(runs))


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    library = default_library()
    docs = varied_intakes(N)
    intakes = [parse_intake(d) for d in docs]
    tiers: dict[str, int] = {}
    for intake in intakes:
        tier = decide(intake, library=library).tier.value
        tiers[tier] = tiers.get(tier, 0) + 1

    decide_s = best_of(5, lambda: [decide(i, library=library) for i in intakes])
    both_s = best_of(5, lambda: [decide(parse_intake(d), library=library) for d in docs])

    loads = []
    for _ in range(30):
        start = time.perf_counter()
        load_library()
        loads.append(time.perf_counter() - start)
    cold = []
    code = (
        "import time; t=time.perf_counter(); "
        "from backhome.core.library.load import load_library; load_library(); "
        "print(time.perf_counter()-t)"
    )
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        cold.append(float(out.stdout))

    print(f"date: {date.today().isoformat()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.platform()}"
    )
    print(f"intakes: {N:,} varied (seed 20261123); tiers: {dict(sorted(tiers.items()))}")
    print(
        f"decide only, one core:          {N / decide_s:>10,.0f} decisions/s  ({decide_s * 1e6 / N:.1f} us each)"
    )
    print(
        f"parse + decide, one core:       {N / both_s:>10,.0f} decisions/s  ({both_s * 1e6 / N:.1f} us each)"
    )
    print(
        f"load_library (after imports):   {statistics.median(loads) * 1000:>10.1f} ms median of 30 "
        f"(max {max(loads) * 1000:.1f} ms)"
    )
    print(f"cold start incl. imports:       {statistics.median(cold) * 1000:>10.1f} ms median of 5")
    target_ok = N / decide_s >= 20_000 and statistics.median(loads) < 0.050
    print("targets (>= 20,000/s; < 50 ms):", "met" if target_ok else "NOT met")


if __name__ == "__main__":
    main()
