"""A senior sees a booked Bli kjent meeting on the agenda on a phone and opens the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omsorg import services
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, small_targets
from tests.factories import TEST_PASSWORD, CareRecipientFactory, make_criteria
from tests.training.helpers import clear_for_assignment
from visits.civil_time import local_datetime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_booked_bli_kjent_is_on_the_agenda_and_its_link_opens_the_interview(
    phone, tmp_path_factory
):
    cast = make_cast("Hjemme")
    screening, _training = make_criteria(cast.organization)
    clear_for_assignment(cast.senior_a)
    recipient = CareRecipientFactory(
        department=cast.dept_a,
        name="Åse Ødegård",
        address="Thereses gate 12",
        postal_code="0452",
        city="Oslo",
    )
    services.screening_record(
        recipient=recipient, by=cast.leader_a, answers={c.pk: (True, "") for c in screening}
    )
    # Tomorrow at 13.00 Oslo time (a civil date and time, never wall-clock arithmetic).
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    interview = services.interview_book(
        recipient=recipient,
        by=cast.leader_a,
        senior=cast.senior_a,
        starts_at=local_datetime(tomorrow, dt.time(13)),
    )
    shots = tmp_path_factory.mktemp("meeting")
    page = phone
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(cast.senior_a.user.email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.get_by_role("heading", name="Mine besøk", exact=True).wait_for()  # the senior's home

    card = page.locator("li.agenda-meeting")
    card.get_by_text("Bli kjent-møte").wait_for()
    assert card.get_by_text("13.00–14.00").is_visible()
    assert card.get_by_text("Åse Ødegård").first.is_visible()
    assert card.get_by_role("link", name="Kart: Thereses gate 12, 0452 Oslo").is_visible()
    page.screenshot(path=str(shots / "agenda-with-meeting.png"), full_page=True)
    assert axe_violations(page) == []
    measured, small = small_targets(page)
    assert measured
    assert small == []
    for link in card.get_by_role("link").all():
        box = link.bounding_box()
        assert box["height"] >= 44, link.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    card.get_by_role("link", name="Intervjuskjema for Åse Ødegård").click()
    page.wait_for_url(f"**/bli-kjent/{interview.pk}/skjema/")
    page.get_by_label("Hva liker brukeren særlig å snakke om?").wait_for()
    page.screenshot(path=str(shots / "interview-from-agenda.png"), full_page=True)
