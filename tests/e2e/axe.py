"""The accessibility scan of a page: axe-core (npm, pinned in package-lock.json, installed by
`npm ci` in `make browser`) injected into a Playwright page; its serious and critical findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    """axe-core's script, or the test fails saying how to install it."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE}): run `make browser` (npm ci)",
                    pytrace=False)
    return AXE.read_text(encoding="utf-8")


def scan(page: Any) -> list[dict[str, Any]]:
    """axe's violations of the page as it is now, serious and critical ones only, each as
    {id, impact, help, nodes: [target selectors and the failure summary]}. The script is run
    through the browser's debugging protocol (page.evaluate), which the page's content security
    policy does not govern: the page is scanned under its real policy."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
    }""")
    return [v for v in result if v["impact"] in BLOCKING]


def describe(url: str, width: int, violations: list[dict[str, Any]]) -> list[str]:
    """One line per violating element, for a failure message a person can act on."""
    return [f"{url} @{width}px: {v['impact']} {v['id']} ({v['help']}): {n['target']}"
            for v in violations for n in v["nodes"]]
