"""Accessibility checks for the browser tests: axe-core (from the npm registry, installed by ``npm ci``
into ``node_modules/`` during ``make test``) run on the page a ``Visit`` shows.

``assert_accessible(visit)`` fails listing every **serious or critical** violation: its rule id, impact,
help text and the CSS selectors of the elements at fault. Minor and moderate findings are not failures.

The site's Content-Security-Policy refuses injected inline scripts, and it must stay on for every test
(it is what catches a stray ``style=""`` or inline script). So axe's source is not added as a
``<script>`` tag: it is evaluated through Playwright's ``page.evaluate``, which runs over the DevTools
protocol, outside the page's CSP, and leaves the policy in force for the page itself. It works on a page
whose clock a test controls (``page.clock``): axe keeps the browser's real timers.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# The rules axe runs: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@functools.cache
def axe_source() -> str:
    """The text of axe.min.js; a missing file fails the test (never skips it)."""
    if not AXE.is_file():
        raise AssertionError(
            f"axe-core is not installed ({AXE.relative_to(REPO)} is missing): run `make test` or `npm ci`"
        )
    return AXE.read_text(encoding="utf-8")


@functools.cache
def axe_with_real_timers() -> str:
    """axe's source, run with the browser's own timers. axe waits on ``setTimeout`` between rules; a
    test that controls time with Playwright's ``page.clock`` replaces the page's timers with fake ones
    that only move when the test says, so axe would never finish. Playwright keeps the real ones in
    ``__pwClock.builtins``; axe's references to the timers resolve to these (lexical scope)."""
    return (
        "(() => {\n"
        "const real = (window.__pwClock && window.__pwClock.builtins) || window;\n"
        "const setTimeout = real.setTimeout.bind(window), clearTimeout = real.clearTimeout.bind(window);\n"
        "const setInterval = real.setInterval.bind(window), clearInterval = real.clearInterval.bind(window);\n"
        f"{axe_source()}\n"
        "})();\n"
    )


def axe_violations(visit: Any) -> list[dict[str, Any]]:
    """Every violation axe finds on the page the visit shows now, of any impact."""
    page = visit.page
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_with_real_timers())
    result: dict[str, Any] = page.evaluate(
        "async (options) => JSON.parse(JSON.stringify(await window.axe.run(document, options)))",
        AXE_OPTIONS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def serious_violations(visit: Any) -> list[dict[str, Any]]:
    return [v for v in axe_violations(visit) if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}")
    return "\n".join(lines)


def assert_accessible(visit: Any, *, context: str = "") -> None:
    """Fail listing every serious or critical axe violation on the page the visit shows now."""
    violations = serious_violations(visit)
    if violations:
        where = context or visit.page.url
        width = visit.page.viewport_size["width"] if visit.page.viewport_size else "?"
        raise AssertionError(
            f"axe found {len(violations)} serious or critical accessibility problem(s) on {where} "
            f"at {width} px:\n{describe(violations)}"
        )
