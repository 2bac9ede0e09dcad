"""A senior, on a 390×844 phone, opts in to Omsorg jobs, finds the job from the agenda and
answers "Jeg kan ta den" with a note; every page passes axe with 44 px targets."""

from __future__ import annotations

import pytest

from omsorg.models import ServiceArea
from openings.models import AnswerChoice, InterestStatus, JobAnswer, JobInterest
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, open_as, small_targets
from tests.openings.senior_helpers import RECIPIENT_NAME, RECIPIENT_STREET, make_opening
from tests.training.helpers import clear_for_assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fit_for_a_phone(page) -> None:
    """No serious axe findings, every control at least 44 × 44 px, nothing sideways, and
    never the recipient's name or street."""
    assert axe_violations(page) == []
    measured, small = small_targets(page)
    assert measured >= 2
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    text = page.content()
    assert RECIPIENT_NAME not in text
    assert RECIPIENT_STREET not in text


def test_a_senior_opts_in_and_answers_a_job_on_the_phone(browser, live_server, tmp_path_factory):
    cast = make_cast("Hjemme")
    senior = cast.senior_a
    clear_for_assignment(senior)
    ServiceArea.objects.create(organization=cast.organization, name="Turer")
    opening = make_opening(cast.dept_a, area="Sagene", service_area_names=("Handling",))
    shots = tmp_path_factory.mktemp("senior-jobs")
    page = open_as(browser, live_server, senior, phone=True)

    page.goto("/mine-jobber/")
    page.get_by_role("heading", name="Vil du ta omsorgsjobber?").wait_for()
    assert page.get_by_text("Sagene").count() == 0  # not opted in: no jobs yet
    assert_fit_for_a_phone(page)
    page.get_by_role("link", name="Jeg vil gjerne ta omsorgsjobber").click()

    page.get_by_role("heading", name="Jeg vil gjerne ta omsorgsjobber").wait_for()
    page.get_by_label("Turer").check()
    page.get_by_label("Hvor mange besøk i uka vil du ha?").select_option("2")
    page.get_by_label("Postnummeret der du bor").fill("0461")
    page.get_by_label("Til avdelingslederen (valgfritt)").fill("Har bil")
    assert_fit_for_a_phone(page)
    page.screenshot(path=str(shots / "opt-in.png"), full_page=True)
    page.get_by_role("button", name="Ja, jeg vil gjerne ta omsorgsjobber").click()

    page.get_by_text("Takk! Du får nå se ledige jobber i avdelingen din.").wait_for()
    interest = JobInterest.objects.get(membership=senior)
    assert (interest.status, interest.visits_per_week, interest.postal_code) == (
        InterestStatus.ACTIVE,
        2,
        "0461",
    )

    # The agenda says there is a job to answer, and leads to it.
    page.goto("/mine-besok/")
    page.get_by_role("link", name="1 ledig jobb").click()
    page.get_by_role("heading", name="Faste besøk · Sagene").wait_for()
    assert_fit_for_a_phone(page)
    page.screenshot(path=str(shots / "jobs.png"), full_page=True)
    page.get_by_role("link", name="Se jobben i Sagene og svar").click()

    page.get_by_role("heading", name="Kan du ta jobben?").wait_for()
    assert page.get_by_text("Handling").is_visible()
    page.get_by_label("Merknad til lederen (valgfritt)").fill("kan bare tirsdager")
    assert_fit_for_a_phone(page)
    page.screenshot(path=str(shots / "job.png"), full_page=True)
    page.get_by_role("button", name="Jeg kan ta den").click()

    page.get_by_text("Du har svart: Jeg kan ta den").wait_for()
    assert_fit_for_a_phone(page)
    row = JobAnswer.objects.get(opening=opening, senior=senior)
    assert (row.answer, row.note) == (AnswerChoice.YES, "kan bare tirsdager")
    page.screenshot(path=str(shots / "answered.png"), full_page=True)
    page.context.close()
