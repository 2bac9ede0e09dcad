"""Issue 19: the card shows what Bli kjent has cost for this recipient so far — meetings,
hours and km from the ledger's intake rows, never invoiced (R7) — to leaders, not seniors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from customers.models import Assignment
from ledger.services import ledger_record_intake
from omsorg import services
from omsorg.models import IntakeInterview, InterviewStatus
from tests.factories import CareRecipientFactory
from tests.omsorg.conftest import Intake
from tests.visits.conftest import oslo

pytestmark = pytest.mark.django_db

NOW = oslo(2026, 3, 17, 8, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def held(
    world, intake: Intake, *, at: dt.datetime, minutes: int, km: Decimal | None, recipient=None
):
    """A meeting booked, held and in the ledger as `interview_complete` leaves it."""
    recipient = recipient or intake.recipient
    interview = services.interview_book(
        recipient=recipient,
        by=world.home.leader_a,
        senior=world.home.senior_a,
        starts_at=at,
        duration_minutes=minutes,
        reason="Nytt møte",
    )
    IntakeInterview.objects.filter(pk=interview.pk).update(status=InterviewStatus.COMPLETED)
    ledger_record_intake(
        organization_id=interview.organization_id,
        senior=world.home.senior_a,
        interview_id=interview.pk,
        day=at.date(),
        minutes=minutes,
        km=km,
    )
    return interview


def screen(world, recipient, intake: Intake) -> None:
    services.screening_record(
        recipient=recipient,
        by=world.home.leader_a,
        answers={c.pk: (True, "") for c in intake.screening},
    )


def test_the_card_adds_up_the_meetings_hours_and_km(world, client_for, intake):
    screen(world, intake.recipient, intake)
    held(world, intake, at=oslo(2026, 3, 18, 11), minutes=60, km=Decimal("20"))
    held(world, intake, at=oslo(2026, 3, 19, 11), minutes=60, km=Decimal("14"))
    # A booked (not held) meeting and another recipient's meeting are not counted.
    services.interview_book(
        recipient=intake.recipient,
        by=world.home.leader_a,
        senior=world.home.senior_a,
        starts_at=oslo(2026, 3, 25, 11),
        reason="Tredje",
    )
    other = CareRecipientFactory(department=world.home.dept_a, name="Per Hansen")
    screen(world, other, intake)
    held(world, intake, at=oslo(2026, 3, 20, 11), minutes=45, km=Decimal("99"), recipient=other)
    html = client_for(world.home.leader_a).get(f"/brukere/{intake.recipient.pk}/").content.decode()
    assert "Bli kjent så langt: 2 møter, 2,0 timer, 34 km (ikke fakturert)" in html
    lead = client_for(world.home.lead).get(f"/brukere/{other.pk}/").content.decode()
    assert "Bli kjent så langt: 1 møte, 0,8 timer, 99 km (ikke fakturert)" in lead


def test_a_meeting_without_km_counts_its_hours(world, client_for, intake):
    screen(world, intake.recipient, intake)
    held(world, intake, at=oslo(2026, 3, 18, 11), minutes=30, km=None)
    html = client_for(world.home.leader_a).get(f"/brukere/{intake.recipient.pk}/").content.decode()
    assert "Bli kjent så langt: 1 møte, 0,5 timer, 0 km (ikke fakturert)" in html


def test_no_line_before_any_meeting_is_held(world, client_for, intake):
    html = client_for(world.home.leader_a).get(f"/brukere/{intake.recipient.pk}/").content.decode()
    assert "Bli kjent så langt" not in html


def test_the_senior_sees_no_cost_on_their_page_of_the_recipient(world, client_for, intake):
    screen(world, intake.recipient, intake)
    held(world, intake, at=oslo(2026, 3, 18, 11), minutes=60, km=Decimal("20"))
    Assignment.objects.create(
        organization=world.home.organization,
        recipient=intake.recipient,
        senior=world.home.senior_a,
    )
    client = client_for(world.home.senior_a)
    page = client.get(f"/mine-brukere/{intake.recipient.pk}/")
    assert page.status_code == 200
    assert "Bli kjent så langt" not in page.content.decode()
    assert client.get(f"/brukere/{intake.recipient.pk}/").status_code in (403, 404)
