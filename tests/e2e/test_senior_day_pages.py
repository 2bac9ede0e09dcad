"""The pages issue 18 added that no journey walks yet, each under axe (and 44 px
targets on the phone): the leader's "Før for senioren" form and visit page with "Lukk
uten rapport", the leader's page to move or cancel a Bli kjent meeting, and the senior's
"Tidligere besøk" on a phone; issue 22's pages to correct a logged visit, the export and
km or outlays entered by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omsorg.models import IntakeInterview, InterviewStatus
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, open_as, small_targets
from tests.factories import CareRecipientFactory, VisitFactory
from tests.visits.helpers import sample_concern, sample_logged_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page, *, phone: bool) -> None:
    """axe finds nothing; on the phone, every target is 44 px and nothing scrolls sideways
    (the leaders' desk pages are held to axe: 44 px is the phone pages' promise)."""
    assert axe_violations(page) == []
    if phone:
        measured, small = small_targets(page)
        assert measured >= 1
        assert small == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_leaders_new_pages_pass_axe(browser, live_server):
    cast = make_cast("Hjemme")
    recipient = CareRecipientFactory(
        department=cast.dept_a, status="active", name="Åse Ødegård", seniors=[cast.senior_a]
    )
    yesterday = VisitFactory(
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=1),
    )
    meeting = IntakeInterview.objects.create(
        organization=cast.organization,
        recipient=CareRecipientFactory(department=cast.dept_a, status="bli_kjent"),
        senior=cast.senior_a,
        starts_at=timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=3),
        booked_by=cast.leader_a.user,
        status=InterviewStatus.BOOKED,
    )
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    page.goto(f"/besok/{yesterday.pk}/")
    page.get_by_role("heading", name="Åse Ødegård").first.wait_for()
    assert page.get_by_role("button", name="Lukk uten rapport").is_visible()
    assert_accessible(page, phone=False)
    page.goto(f"/besok/{yesterday.pk}/for-senioren/")
    assert page.get_by_label("Hvorfor fører du besøket for senioren?", exact=False).count() == 1
    assert_accessible(page, phone=False)
    page.goto(f"/bli-kjent/{meeting.pk}/endre/")
    assert page.get_by_role("button", name="Flytt møtet", exact=False).is_visible()
    assert_accessible(page, phone=False)
    # Issue 22: correcting a logged visit, the export page, km and outlays by hand.
    logged = sample_logged_visit(cast, cast.senior_a, cast.dept_a)
    page.goto(f"/besok/{logged['pk']}/rett/")
    assert page.get_by_role("button", name="Lagre rettingen").is_visible()
    assert_accessible(page, phone=False)
    page.goto("/besok/eksport/")
    assert page.get_by_role("button", name="Last ned CSV", exact=False).is_visible()
    assert_accessible(page, phone=False)
    page.goto("/besok/eksport/for-hand/")
    assert page.get_by_role("button", name="Før", exact=True).is_visible()
    assert_accessible(page, phone=False)


def test_the_seniors_past_visits_pass_axe_on_a_phone(browser, live_server):
    cast = make_cast("Hjemme")
    logged = sample_logged_visit(cast, cast.senior_a, cast.dept_a)
    page = open_as(browser, live_server, cast.senior_a, phone=True)
    page.goto("/mine-besok/tidligere/")
    page.get_by_role("heading", name="Tidligere besøk").wait_for()
    assert page.locator(f"a[href='/mine-besok/{logged['pk']}/']").count() >= 1
    assert_accessible(page, phone=True)
    # Issue 22: the senior's correction page and km or outlays by hand, on the phone.
    page.goto(f"/mine-besok/{logged['pk']}/rett/")
    assert page.get_by_role("button", name="Lagre rettingen").is_visible()
    assert_accessible(page, phone=True)
    page.goto("/mine-besok/km-og-utlegg/")
    assert page.get_by_role("button", name="Før", exact=True).is_visible()
    assert_accessible(page, phone=True)


def test_the_concern_pages_pass_axe(browser, live_server):
    """Issue 22: *Følg opp* with a concern first, the concern with its answer form, the
    list of concerns and the leader's choice of alert; the senior's "Mine meldinger"."""
    cast = make_cast("Hjemme")
    concern = sample_concern(cast, cast.senior_a, cast.dept_a)["pk"]
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    page.goto("/besok/folg-opp/")
    page.get_by_role("heading", name="Noe lederen bør vite").wait_for()
    assert_accessible(page, phone=False)
    page.goto(f"/besok/meldinger/{concern}/")
    page.get_by_text("Røykvarsleren piper").wait_for()
    assert_accessible(page, phone=False)
    page.get_by_role("button", name="Lagre svaret").click()
    page.get_by_text("Skriv hva som ble gjort.").first.wait_for()  # required, in Norwegian
    assert_accessible(page, phone=False)
    page.goto("/besok/meldinger/")
    assert_accessible(page, phone=False)
    page.goto("/besok/meldinger/varsling/")
    assert page.get_by_label("E-post").is_checked()
    assert_accessible(page, phone=False)
    phone = open_as(browser, live_server, cast.senior_a, phone=True)
    phone.goto("/mine-besok/meldinger/")
    phone.get_by_text("Røykvarsleren piper").wait_for()
    assert_accessible(phone, phone=True)
