"""Issue 22 in Chromium: the lead opens "Kvalitet" from the start page, picks March 2026 and
department A, and reads charts and tables that pass axe on desktop and phone."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_cast
from tests.e2e.proof import PHONE, axe_violations, open_as
from tests.quality.helpers import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_reads_the_quality_page(browser, live_server):
    cast = make_cast("Hjemme")
    build_world(cast)
    page = open_as(browser, live_server, cast.lead, phone=False)
    page.goto(live_server.url + "/hjem/")
    assert axe_violations(page) == []  # the headline panel on the start page
    page.get_by_role("link", name="Kvalitet: slik går det").click()
    page.get_by_role("heading", name="Kvalitet: slik går det", level=1).wait_for()
    page.get_by_label("En dag i perioden").fill("2026-03-18")
    page.get_by_label("Avdeling", exact=True).select_option(str(cast.dept_a.pk))
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url("**dag=2026-03-18**")
    # Named by its title and its description.
    assert page.get_by_role("img", name=re.compile(r"^Besøk To søyler")).count() == 1
    visits = page.get_by_role("table", name="Besøk", exact=True)
    assert visits.get_by_role("row", name="Planlagt 8 3 +5").count() == 1
    assert axe_violations(page) == []
    page.set_viewport_size(PHONE)
    assert axe_violations(page) == []
