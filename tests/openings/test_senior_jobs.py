"""The senior's side of jobs (issue 20): opting in, who sees which job, answering, and what
the senior sees once the job is filled or withdrawn — never the recipient's name or street."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from openings.eligibility import is_eligible
from openings.models import (
    AnswerChoice,
    InterestStatus,
    JobAnswer,
    JobInterest,
    OpeningKind,
    OpeningStatus,
)
from openings.senior_selectors import senior_jobs
from seniorene.audit.models import AuditEvent
from tests.factories import make_service_area
from tests.openings.senior_helpers import (
    NOW,
    RECIPIENT_NAME,
    RECIPIENT_STREET,
    TODAY,
    answer,
    make_opening,
    opt_in,
)
from tests.training.helpers import clear_for_assignment

pytestmark = [pytest.mark.django_db]

JOBS = "/mine-jobber/"
INTEREST = "/mine-jobber/onske/"


@pytest.fixture(autouse=True)
def _fixed_moment():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def senior(world):
    """senior_a: opted in and cleared (R6) — offered department A's jobs."""
    cleared = world.home.senior_a
    clear_for_assignment(cleared)
    opt_in(cleared)
    return cleared


def page(client_for, who, url=JOBS) -> str:
    response = client_for(who).get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- Who sees which job ----------------------------------------------------------------


def test_it_lists_only_the_open_jobs_of_the_seniors_own_department(world, client_for, senior):
    make_opening(world.home.dept_a, area="Sagene", service_area_names=("Turer",))
    make_opening(world.home.dept_b, area="Grünerløkka")
    make_opening(world.other.dept_a, area="Bergen sentrum")
    make_opening(world.home.dept_a, area="Torshov", status=OpeningStatus.WITHDRAWN)
    make_opening(world.home.dept_a, area="Lilleborg", status=OpeningStatus.FILLED)
    html = page(client_for, senior)
    assert "Faste besøk · Sagene" in html
    assert "Tirsdag og torsdag kl. 11.00, hver uke, 60 minutter" in html
    assert "tirsdag 19. januar 2027" in html
    assert "Turer" in html
    assert "1 ubesvart" in html
    for elsewhere in ("Grünerløkka", "Bergen sentrum", "Torshov", "Lilleborg"):
        assert elsewhere not in html


def test_the_page_shows_the_same_jobs_as_the_eligibility_rule(world, senior):
    mine = make_opening(world.home.dept_a)
    theirs = make_opening(world.home.dept_b)
    jobs = senior_jobs(membership=senior, on=TODAY, now=NOW)
    assert [c.opening for c in jobs.offered] == [mine]
    assert is_eligible(membership=senior, opening=mine, on=TODAY)
    assert not is_eligible(membership=senior, opening=theirs, on=TODAY)


def test_a_senior_who_has_not_opted_in_is_asked_to_and_sees_no_jobs(world, client_for):
    senior = world.home.senior_a2
    clear_for_assignment(senior)
    make_opening(world.home.dept_a, area="Sagene")
    html = page(client_for, senior)
    assert "Vil du ta omsorgsjobber?" in html
    assert f'href="{INTEREST}"' in html
    assert "Sagene" not in html


@pytest.mark.parametrize(
    ("days", "offered"),
    [(3, False), (0, False), (-1, True)],
    ids=["pause-ends-later", "pause-ends-today", "pause-ended-yesterday"],
)
def test_a_pause_hides_jobs_until_its_last_day_has_passed(world, client_for, days, offered):
    senior = world.home.senior_a
    clear_for_assignment(senior)
    opt_in(senior, status=InterestStatus.PAUSED, paused_until=TODAY + timedelta(days=days))
    make_opening(world.home.dept_a, area="Sagene")
    html = page(client_for, senior)
    assert ("Sagene" in html) is offered
    assert ("Du har pause" in html) is not offered


def test_a_withdrawn_senior_sees_no_jobs_and_may_opt_in_again(world, client_for):
    senior = world.home.senior_a
    clear_for_assignment(senior)
    opt_in(senior, status=InterestStatus.WITHDRAWN)
    make_opening(world.home.dept_a, area="Sagene")
    html = page(client_for, senior)
    assert "Sagene" not in html
    assert "Du tar ikke omsorgsjobber nå" in html


def test_a_senior_not_cleared_is_told_what_is_missing_instead_of_jobs(world, client_for):
    senior = world.home.senior_a
    opt_in(senior)
    opening = make_opening(world.home.dept_a, area="Sagene")
    html = page(client_for, senior)
    assert "Fullfør opplæringen først" in html
    assert "Taushetserklæring" in html
    assert f'href="{reverse("training:my_training")}">Gå til opplæringen</a>' in html
    assert "Sagene" not in html
    assert client_for(senior).get(f"{JOBS}{opening.pk}/").status_code == 404


def test_an_inactive_senior_is_offered_nothing(world, senior):
    opening = make_opening(world.home.dept_a)
    senior.is_active = False
    senior.save(update_fields=["is_active"])
    assert senior_jobs(membership=senior, on=TODAY, now=NOW).offered == []
    assert not is_eligible(membership=senior, opening=opening, on=TODAY)


def test_another_departments_job_is_not_found_by_its_address(world, client_for, senior):
    theirs = make_opening(world.home.dept_b)
    other_org = make_opening(world.other.dept_a)
    client = client_for(senior)
    assert client.get(f"{JOBS}{theirs.pk}/").status_code == 404
    assert client.get(f"{JOBS}{other_org.pk}/").status_code == 404
    assert client.post(f"{JOBS}{theirs.pk}/", {"answer": "yes"}).status_code == 404
    assert not JobAnswer.objects.exists()


def test_only_seniors_reach_the_pages(world, client_for):
    for who in (world.home.leader_a, world.home.lead, world.home.admin):
        assert client_for(who).get(JOBS).status_code == 403


def test_the_seniors_menu_has_ledige_jobber(world, client_for, senior):
    html = page(client_for, senior, "/mine-besok/")
    assert f'<a href="{JOBS}">Ledige jobber</a>' in html


# --- Data minimisation -----------------------------------------------------------------


def test_neither_the_recipients_name_nor_street_is_ever_on_the_pages(world, client_for, senior):
    open_job = make_opening(world.home.dept_a, area="Sagene")
    taken = make_opening(world.home.dept_a, area="Torshov")
    answer(taken, senior)
    taken.status, taken.chosen, taken.chosen_at = OpeningStatus.FILLED, world.home.senior_a2, NOW
    taken.save()
    client = client_for(senior)
    for url in (JOBS, f"{JOBS}{open_job.pk}/", f"{JOBS}{taken.pk}/"):
        html = client.get(url).content.decode()
        assert "Sagene" in html or "Torshov" in html
        assert RECIPIENT_NAME not in html
        assert RECIPIENT_STREET not in html
        assert "Kirkeveien" not in html


# --- Answering -------------------------------------------------------------------------


def test_the_senior_answers_yes_with_a_note_and_then_changes_to_no(world, client_for, senior):
    opening = make_opening(world.home.dept_a, area="Sagene")
    client = client_for(senior)
    url = f"{JOBS}{opening.pk}/"
    html = client.get(url).content.decode()
    assert "Kan du ta jobben?" in html
    assert "Turer og en kopp kaffe." in html

    response = client.post(url, {"answer": "yes", "note": "kan bare tirsdager"}, follow=True)
    assert response.redirect_chain[-1][0] == JOBS
    row = JobAnswer.objects.get(opening=opening, senior=senior)
    assert (row.answer, row.note) == (AnswerChoice.YES, "kan bare tirsdager")
    html = response.content.decode()
    assert "Du har svart: Jeg kan ta den" in html
    assert "«kan bare tirsdager»" in html
    assert "Endre svaret for Sagene" in html

    client.post(url, {"answer": "no", "note": "ignored"})
    row.refresh_from_db()
    assert (row.answer, row.note) == (AnswerChoice.NO, "")
    assert JobAnswer.objects.filter(opening=opening).count() == 1
    events = AuditEvent.objects.filter(action="opening.answered").order_by("pk")
    assert [(e.details["answer"], e.details["before"]) for e in events] == [
        ("yes", None),
        ("no", "yes"),
    ]
    assert all("tirsdager" not in str(e.details) for e in events)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (OpeningStatus.WITHDRAWN, "Jobben er trukket tilbake, så den kan ikke lenger besvares."),
        (OpeningStatus.FILLED, "Jobben er tatt, så den kan ikke lenger besvares."),
    ],
)
def test_a_job_that_closed_meanwhile_cannot_be_answered(world, client_for, senior, status, message):
    opening = make_opening(world.home.dept_a, area="Sagene")
    client = client_for(senior)
    url = f"{JOBS}{opening.pk}/"
    assert client.get(url).status_code == 200  # the senior has the page open …
    opening.status = status  # … when the leader withdraws the job or chooses someone
    if status == OpeningStatus.FILLED:
        opening.chosen, opening.chosen_at = world.home.senior_a2, NOW
    else:
        opening.withdrawn_at = NOW
    opening.save()
    response = client.post(url, {"answer": "yes"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert message in html
    assert "Kan du ta jobben?" not in html
    assert not JobAnswer.objects.exists()


def test_a_paused_senior_who_answered_cannot_change_the_answer(world, client_for, senior):
    opening = make_opening(world.home.dept_a, area="Sagene")
    answer(opening, senior)
    JobInterest.objects.filter(membership=senior).update(status=InterestStatus.PAUSED)
    client = client_for(senior)
    url = f"{JOBS}{opening.pk}/"
    assert "Du kan ikke svare nå" in client.get(url).content.decode()
    response = client.post(url, {"answer": "no"}, follow=True)
    assert "Du kan ikke svare på denne jobben nå." in response.content.decode()
    assert JobAnswer.objects.get().answer == AnswerChoice.YES


def test_after_the_choice_the_chosen_senior_sees_it_as_theirs_and_the_others_as_taken(
    world, client_for, senior
):
    other = world.home.senior_a2
    clear_for_assignment(other)
    opt_in(other)
    visits_job = make_opening(world.home.dept_a, area="Sagene")
    intake_job = make_opening(world.home.dept_a, area="Torshov", kind=OpeningKind.INTAKE)
    for job in (visits_job, intake_job):
        answer(job, senior)
        answer(job, other)
        job.status, job.chosen, job.chosen_at = OpeningStatus.FILLED, senior, NOW
        job.save()

    mine = page(client_for, senior)
    assert "Jobben er din" in mine
    assert 'href="/mine-besok/"' in mine  # the visits job: their visits
    assert 'href="/mine-bli-kjent/"' in mine  # the Bli kjent job: their meetings
    assert "Jobben er tatt" not in mine
    one = page(client_for, senior, f"{JOBS}{visits_job.pk}/")
    assert "Lederen har valgt deg." in one

    theirs = page(client_for, other)
    assert "Jobben er tatt" in theirs
    assert "Jobben er din" not in theirs
    one = page(client_for, other, f"{JOBS}{visits_job.pk}/")
    assert "Jobben er tatt" in one
    assert "Lederen valgte en annen senior denne gangen." in one


def test_the_list_page_needs_few_queries_whatever_the_number_of_jobs(
    world, client_for, senior, django_assert_max_num_queries
):
    for n in range(6):
        job = make_opening(world.home.dept_a, area=f"Område {n}", service_area_names=(f"T{n}",))
        if n % 2:
            answer(job, senior)
    client = client_for(senior)
    with django_assert_max_num_queries(22):
        html = client.get(JOBS).content.decode()
    assert html.count("Faste besøk · Område") == 6


# --- Opting in, pausing, withdrawing -----------------------------------------------------


def test_the_senior_opts_in_with_areas_visits_postal_code_and_a_note(world, client_for):
    senior = world.home.senior_a
    walks = make_service_area(senior.organization)
    make_service_area(world.other.organization)  # another organization's: never offered
    client = client_for(senior)
    html = client.get(INTEREST).content.decode()
    assert walks.name in html
    assert html.count('type="checkbox"') == 1

    bad = client.post(INTEREST, {"visits_per_week": "2", "postal_code": "45"})
    assert bad.status_code == 400
    assert "Skriv postnummeret med fire sifre" in bad.content.decode()
    assert not JobInterest.objects.exists()

    data = {
        "service_areas": [walks.pk],
        "visits_per_week": "2",
        "postal_code": "0461",
        "note": "Har bil",
    }
    response = client.post(INTEREST, data)
    assert response.status_code == 302
    assert response.url == JOBS
    interest = JobInterest.objects.get(membership=senior)
    assert interest.status == InterestStatus.ACTIVE
    assert (interest.visits_per_week, interest.postal_code, interest.note) == (2, "0461", "Har bil")
    assert list(interest.service_areas.all()) == [walks]
    event = AuditEvent.objects.get(action="job_interest.changed")
    assert event.details["change"] == "opted_in"
    assert "Har bil" not in str(event.details)


def test_the_senior_pauses_resumes_withdraws_and_opts_in_again(world, client_for, senior):
    make_opening(world.home.dept_a, area="Sagene")
    client = client_for(senior)
    until = TODAY + timedelta(days=10)

    assert client.post(f"{INTEREST}pause/", {"until": "2020-01-01"}).status_code == 302
    assert JobInterest.objects.get().status == InterestStatus.ACTIVE  # a past day: refused

    client.post(f"{INTEREST}pause/", {"until": until.isoformat()})
    interest = JobInterest.objects.get()
    assert (interest.status, interest.paused_until) == (InterestStatus.PAUSED, until)
    assert "Sagene" not in page(client_for, senior)

    client.post(f"{INTEREST}igjen/")
    assert JobInterest.objects.get().status == InterestStatus.ACTIVE
    assert "Sagene" in page(client_for, senior)

    client.post(f"{INTEREST}trekk/")
    assert JobInterest.objects.get().status == InterestStatus.WITHDRAWN
    assert "Sagene" not in page(client_for, senior)

    client.post(INTEREST, {"visits_per_week": "1", "postal_code": "0461"})
    assert JobInterest.objects.get().status == InterestStatus.ACTIVE
    assert "Sagene" in page(client_for, senior)
    changes = list(
        AuditEvent.objects.filter(action="job_interest.changed")
        .order_by("pk")
        .values_list("details__change", flat=True)
    )
    assert changes == ["paused", "resumed", "withdrawn", "opted_in"]


# --- The agenda's line -------------------------------------------------------------------


def test_the_agenda_says_how_many_jobs_are_unanswered_only_when_opted_in(world, client_for, senior):
    first = make_opening(world.home.dept_a)
    make_opening(world.home.dept_a)
    make_opening(world.home.dept_b)
    client = client_for(senior)
    assert f'href="{JOBS}">2 ledige jobber</a>' in client.get("/mine-besok/").content.decode()
    answer(first, senior, AnswerChoice.NO)
    assert f'href="{JOBS}">1 ledig jobb</a>' in client.get("/mine-besok/").content.decode()

    JobInterest.objects.filter(membership=senior).update(status=InterestStatus.WITHDRAWN)
    assert "ledig jobb" not in client.get("/mine-besok/").content.decode()
    assert timezone.localdate() == TODAY
