"""The leader's overview of seniors ("Seniorene"): opted in, cleared, visits this month
against what they wanted, idle for 30 days, training to renew — and who sees whom.

The figures are built for a fixed day (Wednesday 20 January 2027), never the wall clock.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from omsorg.models import InterviewStatus, ServiceArea
from openings.models import InterestStatus, JobInterest, JobInterestArea
from openings.overview import OptIn, senior_overview, wanted_in_month
from seniorene.accounts.models import Role
from tests.conftest import PERSONAS
from tests.factories import (
    CareRecipientFactory,
    IntakeInterviewFactory,
    MembershipFactory,
    VisitFactory,
)
from tests.openings.helpers import OSLO
from tests.training.helpers import clear_for_assignment
from training.models import TrainingModule
from visits.models import VisitStatus

TODAY = date(2027, 1, 20)


def at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=OSLO)


def opt_in(senior, *, per_week=2, status=InterestStatus.ACTIVE, paused_until=None, areas=()):
    interest = JobInterest.objects.create(
        organization=senior.organization,
        membership=senior,
        visits_per_week=per_week,
        status=status,
        paused_until=paused_until,
    )
    for name in areas:
        area, _ = ServiceArea.objects.get_or_create(organization=senior.organization, name=name)
        JobInterestArea.objects.create(
            organization=senior.organization, interest=interest, service_area=area
        )
    return interest


def rows_by_name(overview):
    return {row.membership.user.name: row for row in overview.rows}


@pytest.fixture
def home(world):
    """senior_a: opted in, cleared, busy this month; senior_a2: not opted in, not cleared,
    idle; senior_b (department B): on a pause, cleared but the declaration is new since."""
    home = world.home
    clear_for_assignment(home.senior_a)
    clear_for_assignment(home.senior_b)
    declaration = TrainingModule.objects.get(organization=home.organization, kind="declaration")
    TrainingModule.objects.filter(pk=declaration.pk).update(version=declaration.version + 1)
    # senior_a accepts the new version too; senior_b has only the old one.
    from training.services import declaration_accept

    declaration.refresh_from_db()
    declaration_accept(
        membership=home.senior_a, module=declaration, signed_name="A", version=declaration.version
    )
    opt_in(home.senior_a, per_week=2, areas=["turer", "samtale"])
    opt_in(home.senior_b, status=InterestStatus.PAUSED, paused_until=date(2027, 2, 1))
    recipient = CareRecipientFactory(department=home.dept_a)
    for day in (date(2027, 1, 5), date(2027, 1, 12)):
        VisitFactory(
            recipient=recipient, senior=home.senior_a, starts_at=at(day), status=VisitStatus.LOGGED
        )
    for day in (date(2027, 1, 26), date(2027, 1, 28), date(2027, 2, 2)):
        VisitFactory(recipient=recipient, senior=home.senior_a, starts_at=at(day))
    # Last month's visit and a cancelled one this month are not this month's.
    VisitFactory(
        recipient=recipient,
        senior=home.senior_a,
        starts_at=at(date(2026, 12, 29)),
        status=VisitStatus.LOGGED,
    )
    VisitFactory(
        recipient=recipient,
        senior=home.senior_a,
        starts_at=at(date(2027, 1, 14)),
        status=VisitStatus.CANCELLED,
        cancelled_at=at(date(2027, 1, 13)),
    )
    # senior_b held a Bli kjent meeting 40 days ago: idle.
    IntakeInterviewFactory(
        recipient=CareRecipientFactory(department=home.dept_b),
        senior=home.senior_b,
        starts_at=at(TODAY - timedelta(days=40)),
        status=InterviewStatus.COMPLETED,
        completed_at=at(TODAY - timedelta(days=40)),
    )
    return home


def test_each_senior_with_status_clearance_visits_and_activity(home):
    overview = senior_overview(viewer=home.lead, today=TODAY)
    rows = rows_by_name(overview)
    assert set(rows) == {s.user.name for s in (home.senior_a, home.senior_a2, home.senior_b)}

    a = rows[home.senior_a.user.name]
    assert a.opt_in == OptIn.ACTIVE
    assert a.status_text == "Vil ta jobber"
    assert a.clearance.cleared
    assert a.renew == []
    assert (a.done_this_month, a.planned_this_month) == (2, 2)
    assert a.wanted_this_month == 9  # 2 a week × 31/7 weeks
    assert a.last_active == date(2027, 1, 12)
    assert not a.idle
    assert a.liked == ["samtale", "turer"]

    a2 = rows[home.senior_a2.user.name]
    assert a2.opt_in == OptIn.NONE
    assert a2.status_text == "Ikke meldt seg"
    assert not a2.clearance.cleared
    assert a2.wanted_this_month is None
    assert a2.last_active is None
    assert a2.idle

    b = rows[home.senior_b.user.name]
    assert b.opt_in == OptIn.PAUSED
    assert b.status_text == "Pause til og med 1. februar 2027"
    assert not b.clearance.cleared
    assert b.renew == ["Taushetserklæring"]
    assert b.last_active == TODAY - timedelta(days=40)
    assert b.idle

    counts = overview.counts
    assert (counts.seniors, counts.opted_in, counts.paused) == (3, 1, 1)
    assert (counts.cleared, counts.blocked, counts.to_renew, counts.idle) == (1, 2, 1, 2)
    assert (counts.done_this_month, counts.planned_this_month) == (2, 2)
    assert counts.wanted_this_month == 9


def test_a_visit_29_days_ago_is_activity_and_31_days_ago_is_not(world):
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a)
    VisitFactory(
        recipient=recipient,
        senior=home.senior_a,
        starts_at=at(TODAY - timedelta(days=29)),
        status=VisitStatus.LOGGED,
    )
    VisitFactory(
        recipient=recipient,
        senior=home.senior_a2,
        starts_at=at(TODAY - timedelta(days=31)),
        status=VisitStatus.LOGGED,
    )
    # A planned visit that has not been logged is no proof of activity.
    VisitFactory(
        recipient=recipient, senior=home.senior_a2, starts_at=at(TODAY - timedelta(days=3))
    )
    rows = rows_by_name(senior_overview(viewer=home.leader_a, today=TODAY))
    assert not rows[home.senior_a.user.name].idle
    assert rows[home.senior_a2.user.name].idle


def test_a_pause_that_has_ended_counts_as_opted_in_again(world):
    home = world.home
    opt_in(home.senior_a, status=InterestStatus.PAUSED, paused_until=date(2027, 1, 19))
    opt_in(home.senior_a2, status=InterestStatus.WITHDRAWN)
    rows = rows_by_name(senior_overview(viewer=home.leader_a, today=TODAY))
    assert rows[home.senior_a.user.name].opt_in == OptIn.ACTIVE
    assert rows[home.senior_a2.user.name].status_text == "Trukket seg"


def test_filters_only_opted_in_only_idle_and_one_department(home):
    only_in = senior_overview(viewer=home.lead, today=TODAY, only_opted_in=True)
    assert [r.membership for r in only_in.rows] == [home.senior_a]
    assert only_in.counts.seniors == 1
    idle = senior_overview(viewer=home.lead, today=TODAY, only_idle=True)
    assert {r.membership for r in idle.rows} == {home.senior_a2, home.senior_b}
    dept_b = senior_overview(viewer=home.lead, today=TODAY, department_id=home.dept_b.pk)
    assert [r.membership for r in dept_b.rows] == [home.senior_b]
    assert dept_b.department == home.dept_b


def test_a_leader_sees_their_departments_only(home, world):
    overview = senior_overview(viewer=home.leader_a, today=TODAY)
    assert {r.membership for r in overview.rows} == {home.senior_a, home.senior_a2}
    assert overview.departments == [home.dept_a]
    with pytest.raises(Http404):
        senior_overview(viewer=home.leader_a, today=TODAY, department_id=home.dept_b.pk)
    with pytest.raises(Http404):
        senior_overview(viewer=home.lead, today=TODAY, department_id=world.other.dept_a.pk)


def test_wanted_visits_follow_the_length_of_the_month():
    assert wanted_in_month(1, date(2027, 2, 1), date(2027, 2, 28)) == 4
    assert wanted_in_month(2, date(2027, 1, 1), date(2027, 1, 31)) == 9
    assert wanted_in_month(3, date(2027, 4, 1), date(2027, 4, 30)) == 13


def _senior_with_everything(home, n):
    senior = MembershipFactory(
        organization=home.organization, role=Role.SENIOR, departments=[home.dept_a, home.dept_b]
    )
    opt_in(senior, areas=[f"område {n}", "turer"])
    recipient = CareRecipientFactory(department=home.dept_a)
    VisitFactory(
        recipient=recipient,
        senior=senior,
        starts_at=at(date(2027, 1, 6)),
        status=VisitStatus.LOGGED,
    )
    VisitFactory(recipient=recipient, senior=senior, starts_at=at(date(2027, 1, 27)))
    IntakeInterviewFactory(
        recipient=recipient,
        senior=senior,
        starts_at=at(date(2027, 1, 4)),
        status=InterviewStatus.COMPLETED,
        completed_at=at(date(2027, 1, 4)),
    )
    return senior


def test_a_constant_number_of_queries_whatever_the_number_of_seniors(home):
    for n in range(2):
        _senior_with_everything(home, n)
    with CaptureQueriesContext(connection) as few:
        small = senior_overview(viewer=home.lead, today=TODAY)
    for n in range(2, 6):
        _senior_with_everything(home, n)
    with CaptureQueriesContext(connection) as many:
        large = senior_overview(viewer=home.lead, today=TODAY)
    assert (len(small.rows), len(large.rows)) == (5, 9)
    assert len(few) == len(many)


# --- The page ------------------------------------------------------------------------------


def test_the_page_shows_the_seniors_the_viewer_may_see(world, client_for):
    home, other = world.home, world.other
    opt_in(home.senior_a, areas=["turer"])
    for persona in PERSONAS:
        who = home.persona(persona)
        response = client_for(who).get(reverse("openings:senior_overview"))
        if who.role == Role.SENIOR:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        html = response.content.decode()
        shown = {s for s in (home.senior_a, home.senior_a2, home.senior_b) if s.user.name in html}
        if persona == "leader_a":
            assert shown == {home.senior_a, home.senior_a2}
        elif persona == "leader_b":
            assert shown == {home.senior_b}
        else:
            assert shown == {home.senior_a, home.senior_a2, home.senior_b}
        # Never another organization's seniors, whoever looks.
        for stranger in (other.senior_a, other.senior_a2, other.senior_b):
            assert stranger.user.name not in html


def test_the_page_answers_404_for_a_department_outside_the_viewers_scope(world, client_for):
    home = world.home
    url = reverse("openings:senior_overview")
    assert client_for(home.leader_a).get(url, {"avdeling": home.dept_b.pk}).status_code == 404
    assert client_for(home.lead).get(url, {"avdeling": world.other.dept_a.pk}).status_code == 404
    assert client_for(home.admin).get(url, {"avdeling": world.other.dept_b.pk}).status_code == 404
    # Not a department id at all ("²" passes str.isdigit()): the page, unfiltered.
    assert client_for(home.admin).get(url, {"avdeling": "²"}).status_code == 200
    response = client_for(home.lead).get(url, {"avdeling": home.dept_b.pk, "meldt": "1"})
    assert response.status_code == 200


def test_the_page_has_the_figures_and_filters(home, client_for):
    # The page reads today from the clock: on TODAY, the pause until 1 February still runs.
    with time_machine.travel(datetime.combine(TODAY, time(12), tzinfo=OSLO), tick=False):
        html = client_for(home.lead).get(reverse("openings:senior_overview")).content.decode()
    assert "Seniorene" in html
    assert "Vil ta omsorgsjobber" in html
    assert "Bare de som vil ta jobber" in html
    assert "Må fornye" in html
    assert "Pause til og med 1. februar 2027" in html
    idle_only = client_for(home.lead).get(reverse("openings:senior_overview"), {"ledig": "1"})
    assert idle_only.status_code == 200


def test_the_menu_links_to_the_overview_for_leaders_lead_and_admin(world, client_for):
    url = reverse("openings:senior_overview")
    for persona in ("admin", "lead", "leader_a"):
        html = client_for(world.home.persona(persona)).get(reverse("home")).content.decode()
        assert f'href="{url}"' in html
    html = client_for(world.home.senior_a).get(reverse("visits:agenda")).content.decode()
    assert f'href="{url}"' not in html


def test_the_page_takes_the_same_number_of_queries_for_many_seniors(
    home, client_for, django_assert_max_num_queries
):
    client = client_for(home.lead)
    client.get(reverse("openings:senior_overview"))  # warm the session and MFA caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("openings:senior_overview"))
    for n in range(6):
        _senior_with_everything(home, n)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("openings:senior_overview"))
    assert response.status_code == 200
