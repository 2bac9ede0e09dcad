"""A senior opens today's visits on a phone: the map link and the call link are there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_cast
from tests.factories import TEST_PASSWORD, CareRecipientFactory, VisitFactory
from visits.civil_time import local_datetime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_senior_sees_todays_visit_with_map_and_call_links(phone, tmp_path_factory):
    cast = make_cast("Hjemme")
    recipient = CareRecipientFactory(
        department=cast.dept_a,
        name="Åse Ødegård",
        address="Thereses gate 12",
        postal_code="0452",
        city="Oslo",
        phone="+4722334455",
        status="active",
        seniors=[cast.senior_a],
    )
    today = timezone.localdate()
    VisitFactory(
        recipient=recipient, senior=cast.senior_a, starts_at=local_datetime(today, dt.time(12))
    )
    VisitFactory(
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=local_datetime(today + dt.timedelta(days=2), dt.time(11)),
    )
    shots = tmp_path_factory.mktemp("agenda")
    page = phone
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(cast.senior_a.user.email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    # A senior's home is the agenda: no menu to go through.
    page.wait_for_url("**/mine-besok/")

    today_section = page.locator("section.agenda-day").first
    today_section.get_by_role("heading", name="I dag", exact=False).wait_for()
    today_section.get_by_text("12.00–13.00").wait_for()
    assert today_section.get_by_role("link", name="Åse Ødegård", exact=True).is_visible()
    map_link = today_section.get_by_role("link", name="Kart: Thereses gate 12, 0452 Oslo")
    assert map_link.is_visible()
    assert map_link.get_attribute("href") == (
        "https://www.google.com/maps/search/?api=1&query=Thereses%20gate%2012%2C%200452%20Oslo"
    )
    call = today_section.get_by_role("link", name="Ring 22 33 44 55")
    assert call.get_attribute("href") == "tel:+4722334455"
    box = call.bounding_box()
    assert box["height"] >= 44  # a finger-sized target
    # Nothing runs off the side of the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("section.agenda-day").count() == 2
    page.screenshot(path=str(shots / "agenda.png"), full_page=True)
