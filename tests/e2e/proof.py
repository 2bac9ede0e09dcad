"""What the browser journeys share: logged-in pages, screenshots and axe-core scans.

axe-core comes pinned inside the `axe-playwright-python` dev dependency (its
`axe.min.js`, installed by `make venv` from uv.lock); it is injected with
`page.evaluate`, which the strict Content-Security-Policy does not block.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import axe_playwright_python
from django.conf import settings
from django.test import Client

from seniorene.accounts.models import Membership
from tests.conftest import login

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING = {"serious", "critical"}
# What a finger presses on a senior's page. A link inside a sentence is exempt (WCAG
# 2.5.5, "inline"), and so are the boxes of checkboxes and radios: the label is the target.
TOUCH_TARGETS = (
    "main button:visible, main .button:visible, main select:visible, "
    "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):visible, "
    "main textarea:visible, main a:visible, main label:has(input[type=checkbox]):visible, "
    "main label:has(input[type=radio]):visible, header a:visible, header button:visible"
)

# True for a link with other text around it in the same element.
IN_A_SENTENCE = """e => e.tagName === 'A' && e.parentElement
    && e.parentElement.textContent.trim().length > e.textContent.trim().length + 1"""


def open_as(browser: Any, live_server: Any, membership: Membership, *, phone: bool) -> Any:
    """A page on the live server, logged in as `membership` (its session as a cookie).

    Staff have two-factor login enrolled; these journeys are about what happens
    after login (tests/e2e/test_invitation_journey.py drives the login itself).
    """
    client = login(Client(), membership)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        base_url=live_server.url,
        **extra,
    )
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations on the page as it is now."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def small_targets(page: Any) -> tuple[int, list[str]]:
    """(controls measured, those smaller than 44 × 44 CSS pixels) on the page."""
    found = []
    controls = page.locator(TOUCH_TARGETS).all()
    for element in controls:
        if element.evaluate(IN_A_SENTENCE):
            continue
        box = element.bounding_box()
        if box and (box["height"] < 44 or box["width"] < 44):
            text = re.sub(r"\s+", " ", element.evaluate("e => e.outerHTML"))[:120]
            found.append(f"{box['width']:.0f}×{box['height']:.0f} {text}")
    return len(controls), found


@dataclass
class Journey:
    """Steps of one journey: each is screenshotted and scanned on desktop and phone."""

    page: Any
    folder: Path
    senior_pages: bool = False
    steps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    targets_measured: int = 0

    def step(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        number = f"{len(self.steps) + 1:02d}"
        self.steps.append(name)
        here = self.page.viewport_size
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.screenshot(
                path=str(self.folder / f"{number}-{name}-{label}.png"), full_page=True
            )
            for v in axe_violations(self.page):
                targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
                self.problems.append(
                    f"{name} ({label}) {v['impact']} {v['id']}: {v['help']} — {targets}"
                )
            if self.senior_pages and label == "phone":
                measured, small = small_targets(self.page)
                self.targets_measured += measured
                self.problems += [f"{name} (phone) touch target {t}" for t in small]
        self.page.set_viewport_size(here)

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)
        assert not self.senior_pages or self.targets_measured > 10


def log_out(page) -> None:
    """Press "Logg ut": in the header on a wide screen, in the "Meny" on a phone."""
    menu = page.locator("details.site-menu")
    if menu.is_visible() and not menu.evaluate("d => d.open"):
        page.locator("summary.site-menu__toggle").click()
    page.get_by_role("button", name="Logg ut").click()
