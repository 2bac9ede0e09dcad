"""Issue 20's journey in Chromium: the leader publishes a Bli kjent job from the recipient's
card, a cleared, opted-in senior answers it on a phone ("Jeg kan ta den", with a note), the
leader chooses the senior and lands on the booking form already filled in, books, and the
senior's job page then says *Jobben er din*. Never the recipient's name or street on the
senior's pages before the choice; axe-core on the senior's job page (phone) and the leader's.

Every moment is built from a fixed one: the test (and with it the live server, a thread of
the same process) travels to Monday 11 January 2027 09.00 Oslo, with the clock running.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.utils import timezone

from omsorg import services as omsorg
from omsorg.models import IntakeInterview
from openings.models import AnswerChoice, JobAnswer, JobInterest, JobOpening, OpeningStatus
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, open_as
from tests.factories import CareRecipientFactory, make_criteria
from tests.openings.helpers import PUBLISHED_AT
from tests.training.helpers import clear_for_assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME, STREET = "Åse Ødegård", "Thereses gate 12"
FIRST = "2027-01-19"  # a Tuesday, eight days after the fixed moment


def field(page, text: str):
    return page.get_by_label(re.compile(rf"^{re.escape(text)}:?$"))


def assert_axe_clean(page, where: str) -> None:
    problems = [
        f"{where} {v['impact']} {v['id']}: {v['help']} — {v['nodes'][0]['target']}"
        for v in axe_violations(page)
    ]
    assert problems == [], "\n".join(problems)


def test_a_job_published_answered_on_a_phone_chosen_and_booked(
    transactional_db, browser, live_server, tmp_path_factory
):
    shots = tmp_path_factory.mktemp("job-offered")
    with time_machine.travel(PUBLISHED_AT, tick=True):
        cast = make_cast("Hjemme")
        screening, _training = make_criteria(cast.organization)
        # senior_a: cleared (R6) and opted in; senior_a2 opted in but not cleared.
        clear_for_assignment(cast.senior_a)
        for senior in (cast.senior_a, cast.senior_a2):
            JobInterest.objects.create(organization=cast.organization, membership=senior)
        recipient = CareRecipientFactory(
            department=cast.dept_a, name=NAME, address=STREET, postal_code="0452", city="Oslo"
        )
        omsorg.screening_record(
            recipient=recipient, by=cast.leader_a, answers={c.pk: (True, "") for c in screening}
        )
        senior_name = cast.senior_a.user.name

        # 1. The leader (two-factor session) goes from the home page to the card and
        #    publishes a Bli kjent job.
        leader = open_as(browser, live_server, cast.leader_a, phone=False)
        leader.goto("/hjem/")
        leader.get_by_role("navigation").get_by_role("link", name="Brukere").first.click()
        leader.get_by_role("link", name=NAME).first.click()
        leader.get_by_role("link", name="Legg ut som ledig jobb").click()
        leader.get_by_role("heading", name="Legg ut ledig jobb").wait_for()
        assert leader.locator("[data-reaches]").get_attribute("data-reaches") == "1"
        assert field(leader, "Postnummer").input_value() == "0452"
        leader.get_by_label("Bli kjent-møte").check()
        leader.get_by_label("tirsdag").check()
        field(leader, "Klokkeslett").fill("11:00")
        field(leader, "Fra dato").fill(FIRST)
        field(leader, "Kort beskrivelse").fill("Liker kortspill og turer langs elva.")
        leader.screenshot(path=str(shots / "01-leader-publish.png"), full_page=True)
        leader.get_by_role("button", name="Legg ut jobben").click()
        leader.get_by_role("heading", name=f"Bli kjent-møte: {NAME}").wait_for()
        opening = JobOpening.objects.get(recipient=recipient)
        assert opening.status == OpeningStatus.OPEN

        # 2. The senior, on a phone, opens *Ledige jobber* from the menu and answers.
        senior = open_as(browser, live_server, cast.senior_a, phone=True)
        senior.goto("/hjem/")
        senior.get_by_text("Meny", exact=True).click()
        senior.get_by_role("link", name="Ledige jobber").first.click()
        senior.get_by_role("heading", name="Ledige nå").wait_for()
        listing = senior.locator("main").inner_text()
        assert "0452" in listing
        for secret in ("Åse", "Ødegård", "Thereses"):
            assert secret not in listing
        senior.screenshot(path=str(shots / "02-senior-jobs.png"), full_page=True)
        senior.get_by_role("link", name="Se jobben i Oslo og svar").click()
        senior.get_by_role("heading", name="Kan du ta jobben?").wait_for()
        job_page = senior.locator("body").inner_text()
        assert "Liker kortspill" in job_page
        for secret in ("Åse", "Ødegård", "Thereses"):
            assert secret not in job_page
        assert_axe_clean(senior, "senior's job page (phone, open)")
        senior.screenshot(path=str(shots / "03-senior-job.png"), full_page=True)
        senior.get_by_role("textbox").fill("kan bare tirsdager")
        senior.get_by_role("button", name="Jeg kan ta den").click()
        senior.get_by_text("Du har svart: Jeg kan ta den").wait_for()
        answer = JobAnswer.objects.get(opening=opening, senior=cast.senior_a)
        assert (answer.answer, answer.note) == (AnswerChoice.YES, "kan bare tirsdager")

        # 3. The leader opens the job from *Ledige jobber*, sees the answer, and chooses.
        leader.goto("/hjem/")
        leader.get_by_role("navigation").get_by_role("link", name="Ledige jobber").first.click()
        leader.get_by_role("link", name=re.compile("Bli kjent-møte")).first.click()
        leader.get_by_role("heading", name=f"Bli kjent-møte: {NAME}").wait_for()
        answers = leader.locator("[data-answers]")
        answers.get_by_text(senior_name, exact=True).wait_for()
        assert "«kan bare tirsdager»" in answers.inner_text()
        assert_axe_clean(leader, "leader's job page")
        leader.screenshot(path=str(shots / "04-leader-job.png"), full_page=True)
        leader.once("dialog", lambda dialog: dialog.accept())
        leader.get_by_role("button", name=f"Velg {senior_name}").click()

        # 4. The booking form: the senior selected, the date and time from the job.
        leader.get_by_role("button", name="Avtal møtet").wait_for()
        assert f"/brukere/{recipient.pk}/bli-kjent/ny/" in leader.url
        assert field(leader, "Senior").input_value() == str(cast.senior_a.pk)
        assert field(leader, "Dato").input_value() == FIRST
        assert field(leader, "Klokkeslett").input_value() == "11:00"
        leader.screenshot(path=str(shots / "05-leader-booking.png"), full_page=True)
        leader.get_by_role("button", name="Avtal møtet").click()
        leader.get_by_role("heading", name=NAME).wait_for()
        interview = IntakeInterview.objects.get(recipient=recipient)
        assert interview.senior_id == cast.senior_a.pk
        assert timezone.localtime(interview.starts_at).isoformat()[:16] == f"{FIRST}T11:00"
        opening.refresh_from_db()
        assert (opening.status, opening.chosen_id) == (OpeningStatus.FILLED, cast.senior_a.pk)

        # 5. The senior's job page now says the job is theirs.
        senior.goto(f"/mine-jobber/{opening.pk}/")
        senior.get_by_role("heading", name="Jobben er din").wait_for()
        assert_axe_clean(senior, "senior's job page (phone, theirs)")
        senior.screenshot(path=str(shots / "06-senior-job-theirs.png"), full_page=True)
