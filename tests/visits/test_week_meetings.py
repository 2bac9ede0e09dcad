"""The leader's week (issue 19): Bli kjent meetings beside the visits and in the clashes,
start–end times, today marked, and "Bare konflikter" showing every double booking."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from customers.models import RecipientStatus
from omsorg.models import InterviewStatus
from tests.factories import CareRecipientFactory, IntakeInterviewFactory, VisitFactory
from tests.visits.conftest import make_plan, oslo

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 30, 8, 0)  # Monday of week 14
WEEK = "/besok/uke/?uke=2026-03-30"


def grid(client, url: str = WEEK) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def chips(html: str) -> list[str]:
    return re.findall(r'<li class="visit-chip.*?</li>', html, flags=re.S)


def meeting(world, recipient, *, senior=None, at: dt.datetime, status=InterviewStatus.BOOKED):
    return IntakeInterviewFactory(
        recipient=recipient,
        senior=senior or world.home.senior_a,
        starts_at=at,
        duration_minutes=60,
        status=status,
    )


@time_machine.travel(NOW, tick=False)
def test_meetings_are_on_the_week_marked_and_cancelled_ones_struck(world, client_for, planning):
    booked = meeting(world, planning.recipient, at=oslo(2026, 3, 31, 10))
    cancelled = meeting(
        world, planning.recipient, at=oslo(2026, 4, 1, 13), status=InterviewStatus.CANCELLED
    )
    html = grid(client_for(world.home.leader_a))
    found = chips(html)
    assert len(found) == 2
    first, second = found
    assert "visit-chip--meeting" in first
    assert "visit-chip--cancelled" not in first
    assert "<strong>10.00–11.00</strong> Åse Ødegård" in first
    assert "Bli kjent" in first
    assert f'href="/bli-kjent/{booked.pk}/"' in first
    assert "visit-chip--cancelled" in second
    assert "Avlyst" in second
    assert f'href="/bli-kjent/{cancelled.pk}/"' in second
    # In the senior's row.
    row = html.split(f'<th scope="row">{world.home.senior_a.user.name}', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "10.00–11.00" in row
    assert "2 Bli kjent-møter" in html
    # "Planlagte og flyttede" leaves the cancelled meeting out.
    open_only = grid(client_for(world.home.leader_a), f"{WEEK}&vis=open")
    assert len(chips(open_only)) == 1


@time_machine.travel(NOW, tick=False)
def test_a_meeting_and_a_visit_at_once_clash_both_ways_and_show_under_bare_konflikter(
    world, client_for, planning
):
    other = CareRecipientFactory(
        department=world.home.dept_a, name="Odd Olsen", status=RecipientStatus.ACTIVE
    )
    make_plan(world, planning.recipient, weekdays=(1,), start_time=dt.time(11))
    meeting(world, other, at=oslo(2026, 3, 31, 11, 30))
    VisitFactory(  # Wednesday, no clash
        recipient=planning.recipient, senior=world.home.senior_a, starts_at=oslo(2026, 4, 1, 9)
    )
    html = grid(client_for(world.home.leader_a), f"{WEEK}&vis=conflicts")
    found = chips(html)
    assert len(found) == 2
    visit_chip = next(c for c in found if "Åse Ødegård" in c)
    meeting_chip = next(c for c in found if "Odd Olsen" in c)
    assert "Senioren har et Bli kjent-møte 11.30–12.30" in visit_chip
    assert "Senioren har et annet besøk 11.00–12.00" in meeting_chip
    assert "2 besøk og møter med konflikt" in html


@time_machine.travel(NOW, tick=False)
def test_two_meetings_of_one_senior_at_the_same_hour_are_flagged(world, client_for, planning):
    other = CareRecipientFactory(department=world.home.dept_a, status=RecipientStatus.ACTIVE)
    meeting(world, planning.recipient, at=oslo(2026, 3, 31, 10))
    meeting(world, other, at=oslo(2026, 3, 31, 10))
    html = grid(client_for(world.home.leader_a), f"{WEEK}&vis=conflicts")
    found = chips(html)
    assert len(found) == 2
    assert all("Senioren har et Bli kjent-møte 10.00–11.00" in c for c in found)


@time_machine.travel(NOW, tick=False)
def test_two_seniors_at_one_recipient_at_once_is_a_double_booking(world, client_for, planning):
    """The double booking that "Bare konflikter" did not show: the same recipient twice."""
    make_plan(world, planning.recipient, weekdays=(1,), start_time=dt.time(11))
    VisitFactory(
        recipient=planning.recipient,
        senior=world.home.senior_a2,
        starts_at=oslo(2026, 3, 31, 11, 15),
        plan=None,
    )
    client = client_for(world.home.leader_a)
    everything = grid(client)
    assert len(chips(everything)) == 2
    only_conflicts = grid(client, f"{WEEK}&vis=conflicts")
    found = chips(only_conflicts)
    assert len(found) == 2
    by_time = {re.search(r"<strong>(.*?)</strong>", c).group(1): c for c in found}
    assert "Brukeren har et annet besøk 11.15–12.15" in by_time["11.00–12.00"]
    assert "Brukeren har et annet besøk 11.00–12.00" in by_time["11.15–12.15"]
    assert "2 besøk og møter med konflikt" in only_conflicts


@time_machine.travel(NOW, tick=False)
def test_start_and_end_times_and_today_is_marked(world, client_for, planning):
    make_plan(
        world, planning.recipient, weekdays=(0, 1), start_time=dt.time(10), duration_minutes=90
    )
    html = grid(client_for(world.home.leader_a))
    assert html.count("<strong>10.00–11.30</strong>") == 2
    assert html.count('aria-current="date"') == 1
    today = re.search(r'<th scope="col"[^>]*aria-current="date"[^>]*>(.*?)</th>', html, re.S)
    assert today is not None
    assert "mandag" in today.group(1)
    assert "30.3." in today.group(1)
    assert "I dag" in today.group(1)
    # Next week has no today.
    assert 'aria-current="date"' not in grid(
        client_for(world.home.leader_a), "/besok/uke/?uke=2026-04-06"
    )
