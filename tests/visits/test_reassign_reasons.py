"""Issue 19: "Gi besøket til en annen senior" never offers a bare empty list; it says why
nobody can take the visit (nobody cleared, everybody busy or away)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from omsorg.models import InterviewStatus
from tests.factories import (
    CareRecipientFactory,
    IntakeInterviewFactory,
    MembershipFactory,
    VisitFactory,
)
from tests.training.helpers import clear_for_assignment
from tests.visits.conftest import make_plan, oslo
from visits.models import SeniorAbsence, Visit

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)  # the plan's first visit: Tuesday 17 March 11.00–12.00


def reassign_section(client, visit: Visit) -> str:
    page = client.get(f"/besok/{visit.pk}/").content.decode()
    return page.split('id="h-reassign"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def visit(world, planning) -> Visit:
    with time_machine.travel(NOW, tick=False):
        plan = make_plan(world, planning.recipient, weekdays=(1,))
    return Visit.objects.filter(plan=plan).order_by("starts_at").first()


@time_machine.travel(NOW, tick=False)
def test_no_other_senior_in_the_department(world, client_for, visit):
    world.home.senior_a2.is_active = False
    world.home.senior_a2.save()
    html = reassign_section(client_for(world.home.leader_a), visit)
    assert "Avdelingen har ingen andre aktive seniorer som kan ta besøket." in html
    assert "<select" not in html


@time_machine.travel(NOW, tick=False)
def test_no_cleared_senior_links_to_the_training(world, client_for, visit):
    world.home.senior_a2.is_active = False
    world.home.senior_a2.save()
    untrained = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    html = reassign_section(client_for(world.home.leader_a), visit)
    assert "Ingen andre seniorer i avdelingen har fullført opplæringen ennå" in html
    assert f"<strong>{untrained.user.name}</strong>:" in html
    assert 'href="/opplaering/oversikt/"' in html
    assert "<select" not in html


@time_machine.travel(NOW, tick=False)
def test_every_cleared_senior_busy_is_listed_with_what(world, client_for, visit):
    elsewhere = CareRecipientFactory(department=world.home.dept_a, status="active")
    VisitFactory(
        recipient=elsewhere, senior=world.home.senior_a2, starts_at=oslo(2026, 3, 17, 11, 30)
    )
    html = reassign_section(client_for(world.home.leader_a), visit)
    assert "Alle seniorene som kan ta besøket, er opptatt eller borte da:" in html
    name = world.home.senior_a2.user.name
    assert f"<strong>{name}</strong>: Senioren har et annet besøk 11.30–12.30" in html
    assert f'<option value="{world.home.senior_a2.pk}"' in html  # still the leader's choice


@time_machine.travel(NOW, tick=False)
def test_a_senior_away_or_in_a_meeting_is_busy(world, client_for, visit):
    third = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    clear_for_assignment(third)
    SeniorAbsence.objects.create(
        organization=world.home.organization,
        membership=world.home.senior_a2,
        starts_on=dt.date(2026, 3, 17),
        ends_on=dt.date(2026, 3, 17),
        created_by=world.home.senior_a2.user,
    )
    client = client_for(world.home.leader_a)
    html = reassign_section(client, visit)
    assert "Alle seniorene" not in html  # the third senior is free
    assert "Opptatt eller borte da:" in html
    assert f"<strong>{world.home.senior_a2.user.name}</strong>: Senioren er borte 17. mars" in html
    assert f"<strong>{third.user.name}</strong>" not in html
    IntakeInterviewFactory(
        recipient=CareRecipientFactory(department=world.home.dept_a),
        senior=third,
        starts_at=oslo(2026, 3, 17, 10, 30),
        duration_minutes=60,
        status=InterviewStatus.BOOKED,
    )
    html = reassign_section(client, visit)
    assert "Alle seniorene som kan ta besøket, er opptatt eller borte da:" in html
    assert f"<strong>{third.user.name}</strong>: Senioren har et Bli kjent-møte 10.30–11.30" in html
