"""The scan finds what it is for: a page with a nameless button and an image without text fails."""

from __future__ import annotations

from tests.e2e.axe import scan


def test_the_scan_reports_serious_and_critical_findings(page) -> None:
    page.set_content('<html lang="ru"><body><main><img src="data:,"><button></button>'
                     '<input type="text"></main></body></html>')
    found = {v["id"] for v in scan(page)}
    assert {"image-alt", "button-name", "label"} <= found
