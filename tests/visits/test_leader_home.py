"""The leader's start page, "I dag": each number counts what its list shows, for the leader's
own departments, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messaging.models import SmsAudience, SmsMessage, SmsPurpose, SmsStatus
from tests.factories import CareRecipientFactory, VisitFactory
from tests.training.helpers import clear_for_assignment
from visits.models import Concern, ConcernCategory, VisitLogDraft

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=OSLO)  # a Wednesday at noon
TODAY = NOW.date()


def at(hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    return dt.datetime.combine(TODAY + dt.timedelta(days=days), dt.time(hour, minute), OSLO)


def visit(dept, senior, starts_at, name=None, **fields):
    recipient = CareRecipientFactory(
        department=dept, status="active", **({"name": name} if name else {})
    )
    return VisitFactory(recipient=recipient, senior=senior, starts_at=starts_at, **fields)


def build(cast, n: int = 1) -> dict:
    """In `cast`'s department A (and, to be left out, B): `n` rows of each kind the panel
    counts, and rows that look alike but must not count."""
    made: dict = {}
    for dept, senior, other in (
        (cast.dept_a, cast.senior_a, cast.senior_a2),
        (cast.dept_b, cast.senior_b, cast.senior_b),
    ):
        for i in range(n):
            day = i * 7  # one of each a week apart, so they never clash with each other
            # Under way: checked in ("Jeg er fremme") today, not logged.
            under = visit(dept, senior, at(11, 30) + dt.timedelta(minutes=day), "Pågår Pettersen")
            VisitLogDraft.objects.create(
                organization=cast.organization,
                visit=under,
                membership=senior,
                arrived_at=at(11, 35),
            )
            # Late: 10.00 today, nobody checked in or began the log.
            late = visit(dept, senior, at(10) - dt.timedelta(minutes=i), "Sen Solberg")
            # Begun the log (a draft, no check-in): started, neither late nor under way.
            begun = visit(dept, other, at(9, 0) - dt.timedelta(minutes=i))
            VisitLogDraft.objects.create(
                organization=cast.organization, visit=begun, membership=other
            )
            # Not yet late: ten minutes ago (the alert waits 30).
            visit(dept, other, at(11, 50))
            # Not logged: yesterday (and an older logged one that does not count).
            visit(dept, senior, at(8, days=-1 - i))
            visit(dept, senior, at(8, days=-2 - i), status="logged")
            # Failed SMS about a recipient of the department (and a sent one).
            for status in (SmsStatus.FAILED, SmsStatus.SENT):
                SmsMessage.objects.create(
                    organization=cast.organization,
                    to_phone="+4791234567",
                    body="Hei",
                    purpose=SmsPurpose.VISIT_SUMMARY_SMS,
                    audience=SmsAudience.RECIPIENT,
                    recipient=late.recipient,
                    status=status,
                    idempotency_key=f"home:{late.pk}:{status}",
                )
            # Concerns: one open, one answered.
            for answered in (None, timezone.now()):
                Concern.objects.create(
                    organization=cast.organization,
                    visit=late,
                    recipient=late.recipient,
                    raised_by=senior,
                    category=ConcernCategory.FALL,
                    text="Falt",
                    answer="Ringte datteren" if answered else "",
                    answered_at=answered,
                )
            # A clash this week: two of the senior's visits at the same time on Friday.
            if i == 0:
                visit(dept, senior, at(14, days=2))
                visit(dept, senior, at(14, 30, days=2))
        made[dept.pk] = True
    clear_for_assignment(cast.senior_a)  # senior_a2 stays blocked (R6); senior_b is not ours
    return made


def figures(html: str) -> dict[str, int]:
    return {
        key: int(count)
        for key, count in re.findall(
            r'data-figure="(\w+)">\s*(?:<a href="[^"]*">)?<strong class="home-figure__count">(\d+)',
            html,
        )
    }


def links(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'data-figure="(\w+)">\s*<a href="([^"]*)">', html.replace("&amp;", "&"))
    )


@pytest.fixture
def leader(world, client_for):
    return client_for(world.home.leader_a)


@time_machine.travel(NOW, tick=False)
def test_each_number_counts_the_leader_s_own_department(world, leader):
    build(world.home)
    build(world.other)
    html = leader.get(reverse("home")).content.decode()
    assert figures(html) == {
        "under_way": 1,
        "late": 1,
        "unlogged": 1,
        "failed_sms": 1,
        "concerns": 1,
        "clashes": 2,
        "blocked": 1,
    }


@time_machine.travel(NOW, tick=False)
def test_each_number_links_to_the_list_of_those_rows(world, leader):
    build(world.home)
    html = leader.get(reverse("home")).content.decode()
    found = links(html)
    dept = world.home.dept_a.pk
    week = f"{reverse('visits:week')}?avdeling={dept}&uke={TODAY.isoformat()}"
    assert found == {
        "under_way": f"{week}&vis=pagar",
        "late": f"{week}&vis=sen",
        "unlogged": f"{reverse('visits:watchdog')}#h-unlogged",
        "failed_sms": f"{reverse('visits:watchdog')}#h-failed",
        "concerns": f"{reverse('visits:watchdog')}#h-concerns",
        "clashes": f"{week}&vis=conflicts",
        "blocked": f"{reverse('training:overview')}?vis=blokkerte",
    }
    under_way = leader.get(found["under_way"]).content.decode()
    assert "Pågår Pettersen" in under_way
    assert "Sen Solberg" not in under_way
    late = leader.get(found["late"]).content.decode()
    assert "Sen Solberg" in late
    assert "Pågår Pettersen" not in late
    watchdog = leader.get(reverse("visits:watchdog")).content.decode()
    assert 'id="h-unlogged"' in watchdog
    assert 'id="h-failed"' in watchdog
    blocked = leader.get(found["blocked"]).content.decode()
    assert world.home.senior_a2.user.name in blocked
    assert world.home.senior_a.user.name not in blocked


@time_machine.travel(NOW, tick=False)
def test_a_leader_of_two_departments_gets_a_link_per_department(world, client_for):
    home = world.home
    home.leader_a.set_departments([home.dept_a, home.dept_b])
    build(home)
    html = client_for(home.leader_a).get(reverse("home")).content.decode()
    assert figures(html)["under_way"] == 2
    assert f"avdeling={home.dept_b.pk}&amp;uke={TODAY.isoformat()}&amp;vis=pagar" in html


@time_machine.travel(NOW, tick=False)
def test_other_roles_get_no_today_panel(world, client_for):
    for persona in ("lead", "admin"):
        html = client_for(world.home.persona(persona)).get(reverse("home")).content.decode()
        assert "home-figure" not in html


@time_machine.travel(NOW, tick=False)
def test_the_panel_takes_the_same_number_of_queries_for_more_data(world, leader):
    build(world.home, n=1)
    leader.get(reverse("home"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as small:
        leader.get(reverse("home"))
    build(world.home, n=4)
    with CaptureQueriesContext(connection) as large:
        html = leader.get(reverse("home")).content.decode()
    assert figures(html)["late"] == 5
    assert len(large) == len(small)
