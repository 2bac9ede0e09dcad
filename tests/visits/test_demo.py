"""seed_demo gives the leader's week and Ragnhild's agenda something to show."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from seniorene.accounts.models import Membership
from visits.models import Visit, VisitPlan
from visits.watchdog import watchdog_list

pytestmark = pytest.mark.django_db


def seed() -> None:
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())


def test_the_demo_has_plans_visits_and_a_watchdog_list():
    seed()
    ragnhild = Membership.objects.get(user__email="ragnhild@seniorene.example")
    assert VisitPlan.objects.filter(senior=ragnhild).count() == 2
    assert Visit.objects.filter(senior=ragnhild, status="planned").count() >= 16
    rows = watchdog_list(organization_id=ragnhild.organization_id)
    assert {r.recipient.name for r in rows} >= {"Åse Lunde", "Even Ødegård", "Arne Bakke"}
    counts = (VisitPlan.objects.count(), Visit.objects.count())
    seed()
    assert (VisitPlan.objects.count(), Visit.objects.count()) == counts


def test_ragnhilds_agenda_shows_visits(client):
    seed()
    client.login(email="ragnhild@seniorene.example", password="demo-omsorg-2026")
    html = client.get("/mine-besok/").content.decode()
    assert "Astrid Ødegaard" in html
    assert "maps/search" in html


def test_every_held_demo_meeting_had_a_passed_screening_and_its_hours():
    """R1 and R7 hold in the demo too: no meeting without a passed screening before it,
    and a held meeting leaves the senior's paid, never invoiced hours."""
    from ledger.models import TimeEntry
    from omsorg.models import IntakeInterview, Screening

    seed()
    held = IntakeInterview.objects.filter(status="completed")
    assert held.exists()
    for meeting in held:
        assert Screening.objects.filter(
            recipient=meeting.recipient, outcome="passed", at__lt=meeting.starts_at
        ).exists()
        assert TimeEntry.objects.filter(
            source="intake", source_id=meeting.pk, membership=meeting.senior, billable=False
        ).exists()
