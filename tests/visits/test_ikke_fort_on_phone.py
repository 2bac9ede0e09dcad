"""On a phone (390×844, touch): yesterday's visit waits under "Ikke ført" and is logged from
there; "Hvem ringer jeg?" is one tap from the agenda. axe on each page, 44 px targets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, open_as, small_targets
from tests.factories import CareRecipientFactory, VisitFactory
from visits.civil_time import local_datetime
from visits.models import VisitLog, VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_yesterdays_visit_is_logged_from_ikke_fort_and_who_to_call_is_one_tap_away(
    browser, live_server
):
    cast = make_cast("Hjemme")
    leader = cast.leader_a.user
    leader.name, leader.phone = "Kari Leder", "+4791112222"
    leader.save()
    lead = cast.lead.user
    lead.name, lead.phone = "Hilde Fag", "+4793334444"
    lead.save()
    recipient = CareRecipientFactory(
        department=cast.dept_a, name="Åse Ødegård", status="active", seniors=[cast.senior_a]
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    visit = VisitFactory(
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=local_datetime(yesterday, dt.time(11)),
        duration_minutes=60,
    )
    page = open_as(browser, live_server, cast.senior_a, phone=True)
    page.goto("/mine-besok/")

    unlogged = page.locator("section[aria-labelledby=h-unlogged]")
    unlogged.get_by_role("heading", name="Ikke ført").wait_for()
    assert unlogged.get_by_text("11.00–12.00").is_visible()
    assert axe_violations(page) == []
    _measured, small = small_targets(page)
    assert [s for s in small if "Ikke ført" in s or "Skriv besøksrapport" in s] == []
    write = unlogged.get_by_role("link", name="Skriv besøksrapport for Åse Ødegård")
    assert write.bounding_box()["height"] >= 44

    # Who to call: one tap from the top of the agenda, and back.
    who = page.get_by_role("link", name="Hvem ringer jeg?")
    assert who.bounding_box()["height"] >= 44
    who.tap()
    page.get_by_role("heading", name="Hvem ringer jeg?", level=1).wait_for()
    call_leader = page.get_by_role("link", name="Ring Kari Leder, 91 11 22 22")
    call_lead = page.get_by_role("link", name="Ring Hilde Fag, 93 33 44 44")
    assert call_leader.get_attribute("href") == "tel:+4791112222"
    assert call_lead.get_attribute("href") == "tel:+4793334444"
    first, second = call_leader.bounding_box(), call_lead.bounding_box()
    assert first["height"] >= 44
    assert second["height"] >= 44
    assert second["y"] - (first["y"] + first["height"]) >= 16  # a slip does not call the other
    assert axe_violations(page) == []
    assert small_targets(page)[1] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="← Mine besøk").tap()

    # Yesterday's visit, logged from "Ikke ført" with the plan's times on its own date.
    page.locator("section[aria-labelledby=h-unlogged]").get_by_role(
        "link", name="Skriv besøksrapport for Åse Ødegård"
    ).tap()
    assert page.get_by_label("Kom", exact=True).input_value() == "11:00"
    assert page.get_by_label("Gikk", exact=True).input_value() == "12:00"
    page.get_by_label("Notatbok: hva gikk bra?").fill("Vi så på gamle bilder.")
    page.get_by_role("button", name="Lagre besøket").first.tap()
    page.get_by_text("Besøket er ført. Takk!").wait_for()
    assert page.locator("section[aria-labelledby=h-unlogged]").count() == 0
    log = VisitLog.objects.get(visit=visit)
    assert timezone.localtime(log.checked_in_at) == local_datetime(yesterday, dt.time(11))
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
