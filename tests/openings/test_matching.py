"""Match hints on built examples: availability, clashes, load, distance, areas, knows.

Every time is built from `PUBLISHED_AT` (Monday 11 January 2027, 09.00 in Oslo); the job is
Tuesdays 11.00–12.00 from 19 January, so its next four weeks are 19 and 26 January and 2 and
9 February.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from omsorg.models import InterviewStatus
from openings.matching import Hint, HintKind, Leaning, job_dates, match_hints
from openings.models import (
    InterestStatus,
    JobInterest,
    JobInterestArea,
    JobOpening,
    JobOpeningArea,
    OpeningKind,
)
from seniorene.accounts.models import Role
from tests.factories import (
    CareRecipientFactory,
    IntakeInterviewFactory,
    MembershipFactory,
    VisitFactory,
)
from tests.openings.helpers import OSLO, PUBLISHED_AT
from visits.models import SeniorAbsence, SeniorAvailability, VisitStatus, weekdays_to_mask

NOW = PUBLISHED_AT


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


@pytest.fixture
def home(world):
    return world.home


@pytest.fixture
def opening(home):
    return JobOpening.objects.create(
        organization=home.organization,
        department=home.dept_a,
        recipient=CareRecipientFactory(department=home.dept_a, status="ready"),
        kind=OpeningKind.VISITS,
        area="Sagene",
        postal_code="0457",
        weekdays=weekdays_to_mask([1]),
        start_time=time(11, 0),
        duration_minutes=60,
        first_date=date(2027, 1, 19),
        published_by=home.leader_a,
        published_at=PUBLISHED_AT,
    )


def interest(senior, *, per_week=2, postal_code="", areas=(), status=InterestStatus.ACTIVE):
    row = JobInterest.objects.create(
        organization=senior.organization,
        membership=senior,
        visits_per_week=per_week,
        postal_code=postal_code,
        status=status,
    )
    for area in areas:
        JobInterestArea.objects.create(
            organization=senior.organization, interest=row, service_area=area
        )
    return row


def window(senior, weekday, start, end):
    SeniorAvailability.objects.create(
        organization=senior.organization,
        membership=senior,
        weekday=weekday,
        start_time=time(start),
        end_time=time(end),
    )


def hint(hints, senior, kind) -> Hint | None:
    return next((h for h in hints[senior.pk] if h.kind == kind), None)


def area(org, name, position=0):
    from omsorg.models import ServiceArea

    return ServiceArea.objects.create(organization=org, name=name, position=position)


def test_the_jobs_times_are_counted_from_its_first_date_in_oslo_time(opening):
    assert job_dates(opening, today=NOW.date()) == [
        date(2027, 1, 19),
        date(2027, 1, 26),
        date(2027, 2, 2),
        date(2027, 2, 9),
    ]
    opening.every_n_weeks = 2
    # Once the job has started, the weeks run from today and keep the job's rhythm.
    assert job_dates(opening, today=date(2027, 1, 27)) == [date(2027, 2, 2), date(2027, 2, 16)]


# --- Availability ------------------------------------------------------------------------


def test_availability_stated_hours_against_the_jobs_time(home, opening):
    fits, outside, silent = home.senior_a, home.senior_a2, home.senior_b
    window(fits, 1, 10, 14)  # Tuesday 10–14 holds 11–12
    window(outside, 1, 11, 12)
    window(outside, 0, 9, 12)
    SeniorAvailability.objects.filter(membership=outside, weekday=1).update(
        start_time=time(11, 30)
    )  # Tuesday 11.30–12: the job starts before
    hints = match_hints(opening=opening, seniors=[fits, outside, silent], now=NOW)

    good = hint(hints, fits, HintKind.AVAILABILITY)
    assert good.leaning == Leaning.GOOD
    assert good.text == "Passer med tiden de har oppgitt (tirsdag 10.00–14.00)"
    poor = hint(hints, outside, HintKind.AVAILABILITY)
    assert poor.leaning == Leaning.POOR
    assert poor.text == ("Utenfor tiden de har oppgitt (mandag 09.00–12.00 og tirsdag 11.30–12.00)")
    neutral = hint(hints, silent, HintKind.AVAILABILITY)
    assert neutral == Hint(
        HintKind.AVAILABILITY, Leaning.NEUTRAL, "Har ikke oppgitt når de kan besøke"
    )


def test_availability_on_some_of_the_jobs_days_only(home, opening):
    opening.weekdays = weekdays_to_mask([1, 3])  # Tuesday and Thursday
    window(home.senior_a, 1, 9, 15)
    found = hint(
        match_hints(opening=opening, seniors=[home.senior_a], now=NOW),
        home.senior_a,
        HintKind.AVAILABILITY,
    )
    assert found.leaning == Leaning.NEUTRAL
    assert found.text == "Passer bare tirsdag, ikke torsdag (oppgitt: tirsdag 09.00–15.00)"


# --- Clashes -----------------------------------------------------------------------------


def test_clashes_with_visits_meetings_and_absences_in_the_next_four_weeks(home, opening):
    busy, meeting, away, free = (
        home.senior_a,
        home.senior_a2,
        home.senior_b,
        MembershipFactory(
            organization=home.organization, role=Role.SENIOR, departments=[home.dept_a]
        ),
    )
    other = CareRecipientFactory(department=home.dept_a)
    # 26 January 11.30–12.30 at another recipient: overlaps the job's 11–12.
    VisitFactory(recipient=other, senior=busy, starts_at=at(date(2027, 1, 26), 11, 30))
    # A cancelled visit and one after the job's hour are no clash.
    VisitFactory(
        recipient=other,
        senior=busy,
        starts_at=at(date(2027, 1, 19), 11),
        status=VisitStatus.CANCELLED,
        cancelled_at=NOW,
    )
    VisitFactory(recipient=other, senior=free, starts_at=at(date(2027, 1, 19), 12))
    IntakeInterviewFactory(recipient=other, senior=meeting, starts_at=at(date(2027, 2, 2), 10, 30))
    SeniorAbsence.objects.create(
        organization=home.organization,
        membership=away,
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 2, 14),
        created_by=home.leader_a.user,
    )
    hints = match_hints(opening=opening, seniors=[busy, meeting, away, free], now=NOW)

    assert hint(hints, busy, HintKind.CLASH) == Hint(
        HintKind.CLASH,
        Leaning.POOR,
        "Kolliderer 1 av 4 ganger de neste 4 ukene – tirsdag 26. januar: "
        "Senioren har et annet besøk 11.30–12.30",
    )
    assert hint(hints, meeting, HintKind.CLASH).text == (
        "Kolliderer 1 av 4 ganger de neste 4 ukene – tirsdag 2. februar: "
        "Senioren har et Bli kjent-møte 10.30–11.30"
    )
    assert hint(hints, away, HintKind.CLASH).text.startswith(
        "Kolliderer 2 av 4 ganger de neste 4 ukene – tirsdag 2. februar: Senioren er borte"
    )
    assert hint(hints, free, HintKind.CLASH) == Hint(
        HintKind.CLASH, Leaning.GOOD, "Ingen kollisjoner de neste 4 ukene (4 ganger)"
    )


def test_a_clash_five_weeks_ahead_is_outside_the_window(home, opening):
    VisitFactory(
        recipient=CareRecipientFactory(department=home.dept_a),
        senior=home.senior_a,
        starts_at=at(date(2027, 2, 16), 11),
    )
    found = hint(
        match_hints(opening=opening, seniors=[home.senior_a], now=NOW),
        home.senior_a,
        HintKind.CLASH,
    )
    assert found.leaning == Leaning.GOOD


# --- Load --------------------------------------------------------------------------------


def test_load_planned_visits_a_week_against_what_they_wanted(home, opening):
    room, full, halfway, silent = (
        home.senior_a,
        home.senior_a2,
        home.senior_b,
        MembershipFactory(
            organization=home.organization, role=Role.SENIOR, departments=[home.dept_a]
        ),
    )
    interest(room, per_week=2)
    interest(full, per_week=2)
    interest(halfway, per_week=2)
    other = CareRecipientFactory(department=home.dept_a)
    first_monday = date(2027, 1, 11)
    for week in range(4):  # the next four weeks from Monday 11 January 09.00
        monday = first_monday + timedelta(weeks=week)
        VisitFactory(recipient=other, senior=room, starts_at=at(monday, 14))
        VisitFactory(recipient=other, senior=full, starts_at=at(monday, 14))
        VisitFactory(recipient=other, senior=full, starts_at=at(monday + timedelta(days=2), 14))
    # Every other week: 0.5 a week, and the job's one a week would make 1.5 of 2: room.
    VisitFactory(recipient=other, senior=halfway, starts_at=at(first_monday, 15))
    VisitFactory(
        recipient=other, senior=halfway, starts_at=at(first_monday + timedelta(weeks=2), 15)
    )
    # A visit in the fifth week is not counted.
    VisitFactory(recipient=other, senior=room, starts_at=at(first_monday + timedelta(weeks=4), 15))
    hints = match_hints(opening=opening, seniors=[room, full, halfway, silent], now=NOW)

    assert hint(hints, room, HintKind.LOAD) == Hint(
        HintKind.LOAD, Leaning.GOOD, "Har 1 besøk i uka nå, ønsker 2"
    )
    assert hint(hints, full, HintKind.LOAD) == Hint(
        HintKind.LOAD, Leaning.POOR, "Har 2 besøk i uka nå, ønsker 2 – har alt nok"
    )
    assert hint(hints, halfway, HintKind.LOAD) == Hint(
        HintKind.LOAD, Leaning.GOOD, "Har 0,5 besøk i uka nå, ønsker 2"
    )
    assert hint(hints, silent, HintKind.LOAD).leaning == Leaning.NEUTRAL


def test_load_when_the_job_would_take_them_past_their_wish(home, opening):
    opening.weekdays = weekdays_to_mask([1, 3])  # two visits a week
    interest(home.senior_a, per_week=2)
    other = CareRecipientFactory(department=home.dept_a)
    for week in range(4):
        VisitFactory(
            recipient=other,
            senior=home.senior_a,
            starts_at=at(date(2027, 1, 13) + timedelta(weeks=week), 9),
        )
    found = hint(
        match_hints(opening=opening, seniors=[home.senior_a], now=NOW), home.senior_a, HintKind.LOAD
    )
    assert found == Hint(
        HintKind.LOAD, Leaning.NEUTRAL, "Har 1 besøk i uka nå, ønsker 2 – jobben gir 2 til"
    )


# --- Distance ----------------------------------------------------------------------------


def test_distance_between_the_seniors_and_the_jobs_postal_codes(home, opening):
    sandvika, oslo, bergen, unknown, blank = (
        home.senior_a,
        home.senior_a2,
        home.senior_b,
        *(
            MembershipFactory(
                organization=home.organization, role=Role.SENIOR, departments=[home.dept_a]
            )
            for _ in range(2)
        ),
    )
    interest(sandvika, postal_code="1300")
    interest(oslo, postal_code="0150")
    interest(bergen, postal_code="5003")
    interest(unknown, postal_code="9999")
    interest(blank, postal_code="")
    hints = match_hints(opening=opening, seniors=[sandvika, oslo, bergen, unknown, blank], now=NOW)

    assert hint(hints, sandvika, HintKind.DISTANCE) == Hint(
        HintKind.DISTANCE, Leaning.NEUTRAL, "Ca. 14 km unna (bor i 1300 Sandvika)"
    )
    # GeoNames puts all of Oslo's codes at one point: the same place, not "0 km".
    assert hint(hints, oslo, HintKind.DISTANCE) == Hint(
        HintKind.DISTANCE, Leaning.GOOD, "Samme poststed (Oslo)"
    )
    far = hint(hints, bergen, HintKind.DISTANCE)
    assert far.leaning == Leaning.POOR
    assert far.text == "Ca. 305 km unna (bor i 5003 Bergen)"
    assert hint(hints, unknown, HintKind.DISTANCE) == Hint(
        HintKind.DISTANCE, Leaning.NEUTRAL, "Avstand ukjent: kjenner ikke postnummer 9999"
    )
    assert hint(hints, blank, HintKind.DISTANCE).leaning == Leaning.NEUTRAL


def test_distance_near_and_the_same_code(home, opening):
    opening.postal_code = "1300"
    interest(home.senior_a, postal_code="1300")
    interest(home.senior_a2, postal_code="1337")  # Sandvika to Sandvika's neighbour
    hints = match_hints(opening=opening, seniors=[home.senior_a, home.senior_a2], now=NOW)
    assert hint(hints, home.senior_a, HintKind.DISTANCE).text == "Samme postnummer (1300 Sandvika)"
    near = hint(hints, home.senior_a2, HintKind.DISTANCE)
    assert near.leaning in (Leaning.GOOD, Leaning.NEUTRAL)
    assert near.text.startswith("Ca. ")


def test_a_job_without_postal_code_gives_an_unknown_distance(home, opening):
    opening.postal_code = ""
    interest(home.senior_a, postal_code="1300")
    found = hint(
        match_hints(opening=opening, seniors=[home.senior_a], now=NOW),
        home.senior_a,
        HintKind.DISTANCE,
    )
    assert found == Hint(
        HintKind.DISTANCE, Leaning.NEUTRAL, "Avstand ukjent: jobben har ikke postnummer"
    )


# --- Service areas -----------------------------------------------------------------------


def test_liked_service_areas_against_the_jobs(home, opening):
    org = home.organization
    walks, talk, meals = (
        area(org, "turer", 1),
        area(org, "samtale", 2),
        area(org, "enkle måltider", 3),
    )
    for a in (walks, talk):
        JobOpeningArea.objects.create(organization=org, opening=opening, service_area=a)
    interest(home.senior_a, areas=[walks, talk, meals])
    interest(home.senior_a2, areas=[talk])
    interest(home.senior_b, areas=[meals])
    silent = MembershipFactory(organization=org, role=Role.SENIOR, departments=[home.dept_a])
    interest(silent)
    hints = match_hints(
        opening=opening, seniors=[home.senior_a, home.senior_a2, home.senior_b, silent], now=NOW
    )
    assert hint(hints, home.senior_a, HintKind.AREAS) == Hint(
        HintKind.AREAS, Leaning.GOOD, "Liker turer og samtale"
    )
    assert hint(hints, home.senior_a2, HintKind.AREAS) == Hint(
        HintKind.AREAS, Leaning.GOOD, "Liker samtale (1 av 2)"
    )
    assert hint(hints, home.senior_b, HintKind.AREAS) == Hint(
        HintKind.AREAS, Leaning.POOR, "Har ikke valgt noe av det jobben gjelder (turer og samtale)"
    )
    assert hint(hints, silent, HintKind.AREAS).leaning == Leaning.NEUTRAL


def test_a_job_without_service_areas_gives_no_area_hint(home, opening):
    interest(home.senior_a, areas=[area(home.organization, "turer")])
    assert (
        hint(
            match_hints(opening=opening, seniors=[home.senior_a], now=NOW),
            home.senior_a,
            HintKind.AREAS,
        )
        is None
    )


# --- Knows the recipient -----------------------------------------------------------------


def test_knows_the_recipient_from_visits_or_a_meeting(home, opening):
    visited, met, booked, stranger = (
        home.senior_a,
        home.senior_a2,
        home.senior_b,
        MembershipFactory(
            organization=home.organization, role=Role.SENIOR, departments=[home.dept_a]
        ),
    )
    recipient = opening.recipient
    for day in (date(2026, 12, 1), date(2027, 1, 5)):
        VisitFactory(
            recipient=recipient, senior=visited, starts_at=at(day, 11), status=VisitStatus.LOGGED
        )
    IntakeInterviewFactory(
        recipient=recipient,
        senior=met,
        starts_at=at(date(2027, 1, 4), 13),
        status=InterviewStatus.COMPLETED,
        completed_at=at(date(2027, 1, 4), 14),
    )
    IntakeInterviewFactory(recipient=recipient, senior=booked, starts_at=at(date(2027, 1, 14), 13))
    # A cancelled meeting and another recipient's visits are not knowing this one.
    IntakeInterviewFactory(
        recipient=recipient,
        senior=stranger,
        starts_at=at(date(2027, 1, 4), 10),
        status=InterviewStatus.CANCELLED,
        cancelled_at=NOW,
    )
    VisitFactory(
        recipient=CareRecipientFactory(department=home.dept_a),
        senior=stranger,
        starts_at=at(date(2027, 1, 5), 11),
        status=VisitStatus.LOGGED,
    )
    hints = match_hints(opening=opening, seniors=[visited, met, booked, stranger], now=NOW)
    assert hint(hints, visited, HintKind.KNOWS) == Hint(
        HintKind.KNOWS, Leaning.GOOD, "Kjenner brukeren: 2 besøk, sist 5. januar 2027"
    )
    assert hint(hints, met, HintKind.KNOWS).text == "Har hatt Bli kjent-møte med brukeren"
    assert hint(hints, booked, HintKind.KNOWS).text == "Har Bli kjent-møte med brukeren 14. januar"
    assert hint(hints, stranger, HintKind.KNOWS) is None


# --- All together --------------------------------------------------------------------------


def test_the_hints_come_in_a_fixed_order_and_for_every_senior(home, opening):
    JobOpeningArea.objects.create(
        organization=home.organization,
        opening=opening,
        service_area=area(home.organization, "turer"),
    )
    interest(home.senior_a, postal_code="0150")
    hints = match_hints(opening=opening, seniors=[home.senior_a, home.senior_a2], now=NOW)
    assert [h.kind for h in hints[home.senior_a.pk]] == [
        HintKind.AVAILABILITY,
        HintKind.CLASH,
        HintKind.LOAD,
        HintKind.DISTANCE,
        HintKind.AREAS,
    ]
    assert set(hints) == {home.senior_a.pk, home.senior_a2.pk}
    assert match_hints(opening=opening, seniors=[], now=NOW) == {}


def _busy_senior(home, opening, n):
    senior = MembershipFactory(
        organization=home.organization, role=Role.SENIOR, departments=[home.dept_a]
    )
    interest(senior, postal_code="1300", areas=[area(home.organization, f"område {n}")])
    window(senior, 1, 9, 15)
    VisitFactory(
        recipient=opening.recipient,
        senior=senior,
        starts_at=at(date(2027, 1, 5), 11),
        status=VisitStatus.LOGGED,
    )
    VisitFactory(recipient=opening.recipient, senior=senior, starts_at=at(date(2027, 1, 26), 11))
    IntakeInterviewFactory(
        recipient=opening.recipient, senior=senior, starts_at=at(date(2027, 2, 2), 11)
    )
    return senior


def test_a_constant_number_of_queries_whatever_the_number_of_seniors(home, opening):
    JobOpeningArea.objects.create(
        organization=home.organization,
        opening=opening,
        service_area=area(home.organization, "turer"),
    )
    seniors = [_busy_senior(home, opening, n) for n in range(6)]

    with CaptureQueriesContext(connection) as two:
        few = match_hints(opening=opening, seniors=seniors[:2], now=NOW)
    with CaptureQueriesContext(connection) as six:
        many = match_hints(opening=opening, seniors=seniors, now=NOW)
    assert len(two) == len(six) <= 11
    assert all(len(many[s.pk]) == 6 for s in seniors)
    assert few[seniors[0].pk] == many[seniors[0].pk]
