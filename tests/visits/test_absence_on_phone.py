"""A senior, on a phone, says from the agenda when they are away, and takes it back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, small_targets
from tests.factories import TEST_PASSWORD
from visits.civil_time import date_span
from visits.models import SeniorAbsence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fit_for_a_phone(page) -> None:
    """No serious axe findings, every control at least 44 × 44 px, nothing sideways."""
    assert axe_violations(page) == []
    measured, small = small_targets(page)
    assert measured > 3
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_senior_adds_an_absence_from_the_agenda(phone, tmp_path_factory):
    cast = make_cast("Hjemme")
    first = timezone.localdate() + dt.timedelta(days=10)
    last = first + dt.timedelta(days=6)
    shots = tmp_path_factory.mktemp("absence")
    page = phone
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(cast.senior_a.user.email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.get_by_role("heading", name="Mine besøk", exact=True).wait_for()  # the senior's home

    page.get_by_role("link", name="Når kan jeg ta besøk?", exact=False).click()
    page.get_by_role("heading", name="Når kan jeg ta besøk?").wait_for()
    assert_fit_for_a_phone(page)
    page.screenshot(path=str(shots / "availability.png"), full_page=True)

    page.get_by_role("link", name="Legg inn at jeg er borte", exact=False).click()
    page.get_by_label("Borte fra og med").fill(first.isoformat())
    page.get_by_label("Til og med").fill(last.isoformat())
    page.get_by_label("Merknad (valgfritt)").fill("Bortreist")
    assert_fit_for_a_phone(page)
    page.get_by_role("button", name="Lagre", exact=True).click()

    page.get_by_text(f"Lagret: borte {date_span(first, last)}").wait_for()
    absence = SeniorAbsence.objects.get()
    assert (absence.membership_id, absence.starts_on, absence.ends_on, absence.note) == (
        cast.senior_a.pk,
        first,
        last,
        "Bortreist",
    )
    assert_fit_for_a_phone(page)
    page.screenshot(path=str(shots / "absence-saved.png"), full_page=True)

    # Taking it back asks first, then it is gone.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Slett", exact=False).click()
    page.get_by_text("Ingen perioder lagt inn.").wait_for()
    assert not SeniorAbsence.objects.exists()


def test_the_leaders_absence_pages_pass_axe(browser, live_server, tmp_path_factory):
    """The leader's list of a senior's absences and the one-screen reassignment (desktop)."""
    from tests.e2e.proof import open_as
    from tests.factories import CareRecipientFactory, VisitFactory
    from tests.training.helpers import clear_for_assignment
    from visits.absences import absence_add
    from visits.civil_time import local_datetime

    cast = make_cast("Hjemme")
    clear_for_assignment(cast.senior_a2)
    first = timezone.localdate() + dt.timedelta(days=10)
    recipient = CareRecipientFactory(department=cast.dept_a, name="Åse Ødegård", status="active")
    VisitFactory(
        recipient=recipient, senior=cast.senior_a, starts_at=local_datetime(first, dt.time(11))
    )
    absence = absence_add(
        membership=cast.senior_a, by=cast.senior_a, starts_on=first, ends_on=first
    )
    shots = tmp_path_factory.mktemp("absence-leader")
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    page.goto("/besok/folg-opp/")
    page.get_by_role("link", name="Gi besøkene til andre").click()
    page.get_by_role("heading", name="er borte", exact=False).wait_for()
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / "reassign.png"), full_page=True)
    page.get_by_label("Ny senior for besøket", exact=False).select_option(str(cast.senior_a2.pk))
    page.get_by_role("button", name="Gi de valgte besøkene til de nye seniorene").click()
    page.get_by_text("1 besøk har fått ny senior").wait_for()
    assert absence.membership.visits.count() == 0
    page.goto(f"/seniorer/{cast.senior_a.pk}/borte/")
    assert axe_violations(page) == []
    page.context.close()
