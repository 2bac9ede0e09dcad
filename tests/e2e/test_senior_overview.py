"""Issue 20 in Chromium: a leader opens "Seniorene" from the menu, filters it, and the page
passes axe on desktop and phone."""

from __future__ import annotations

import pytest

from openings.models import JobInterest
from tests.conftest import make_cast
from tests.e2e.proof import PHONE, axe_violations, open_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_reads_the_overview_of_seniors(browser, live_server):
    cast = make_cast("Hjemme")
    JobInterest.objects.create(
        organization=cast.organization, membership=cast.senior_a, visits_per_week=2
    )
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    page.goto(live_server.url + "/hjem/")
    page.get_by_role("navigation").get_by_role("link", name="Seniorene").first.click()
    page.get_by_role("heading", name="Seniorene", level=1).wait_for()
    table = page.get_by_role("table")
    assert table.get_by_role("row", name=cast.senior_a.user.name).count() == 1
    assert table.get_by_role("row", name=cast.senior_b.user.name).count() == 0
    assert axe_violations(page) == []

    page.get_by_label("Bare de som vil ta jobber").check()
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url("**meldt=1**")
    assert page.get_by_role("table").get_by_role("row").count() == 2  # the head and senior_a
    assert axe_violations(page) == []

    page.set_viewport_size(PHONE)
    assert axe_violations(page) == []
