"""The watchdog (no one drops out silently) and R11: ending or pausing a recipient
cancels future visits and keeps what was logged."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from customers.models import RecipientStatus
from customers.services import recipient_change_status
from seniorene.jobs.models import ClaimStatus, JobClaim
from tests.factories import CareRecipientFactory, VisitFactory
from tests.visits.conftest import make_plan, oslo
from visits import tasks
from visits.changes import visit_move
from visits.hooks import (
    visits_anonymise_for_recipient,
    visits_export_for_recipient,
    visits_stop_for_recipient,
)
from visits.models import CancelKind, Visit, VisitStatus
from visits.planning import plans_expand
from visits.watchdog import watchdog_email, watchdog_list

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)


def watchdog_names(world, **kwargs) -> set[str]:
    rows = watchdog_list(organization_id=world.home.organization.pk, **kwargs)
    return {r.recipient.name for r in rows}


@time_machine.travel(NOW, tick=False)
def test_the_watchdog_lists_active_recipients_without_upcoming_visits(world, planning):
    forgotten = CareRecipientFactory(
        department=world.home.dept_a, name="Glemt Person", status=RecipientStatus.ACTIVE
    )
    CareRecipientFactory(department=world.home.dept_a, name="Ny Henvendelse")  # not active
    make_plan(world, planning.recipient)
    assert watchdog_names(world) == {"Glemt Person"}
    row = watchdog_list(organization_id=world.home.organization.pk)[0]
    assert row.reason == "Ingen kommende besøk"
    assert row.recipient == forgotten


@time_machine.travel(NOW, tick=False)
def test_a_recipient_ready_for_a_plan_stays_on_the_list_until_a_plan_is_made(world, planning):
    """A good match and no plan yet: the leader may have marked the notice seen; the
    recipient must not drop out in silence."""
    ready = CareRecipientFactory(
        department=world.home.dept_a, name="Klar Person", status=RecipientStatus.READY
    )
    rows = {r.recipient.name: r for r in watchdog_list(organization_id=world.home.organization.pk)}
    assert rows["Klar Person"].reason == "Klar for plan – ingen besøksplan ennå"
    make_plan(world, ready)
    assert "Klar Person" not in watchdog_names(world)


@time_machine.travel(NOW, tick=False)
def test_a_plan_ending_within_fourteen_days_is_listed(world, planning):
    make_plan(world, planning.recipient, last_date=dt.date(2026, 3, 27))
    rows = watchdog_list(organization_id=world.home.organization.pk)
    assert [r.reason for r in rows] == ["Besøksplanen slutter 27.03.2026"]
    # A second plan without an end keeps the recipient covered.
    make_plan(world, planning.recipient, weekdays=(4,))
    assert watchdog_names(world) == set()


@time_machine.travel(NOW, tick=False)
def test_a_one_off_visit_without_a_plan_is_listed(world, planning):
    VisitFactory(recipient=planning.recipient, senior=world.home.senior_a)
    rows = watchdog_list(organization_id=world.home.organization.pk)
    assert [r.reason for r in rows] == ["Ingen løpende besøksplan etter neste besøk"]


@time_machine.travel(NOW, tick=False)
def test_a_leader_sees_the_watchdog_for_own_departments(world, client_for, planning):
    CareRecipientFactory(department=world.home.dept_b, name="Bærum Glemt", status="active")
    html_a = client_for(world.home.leader_a).get("/besok/folg-opp/").content.decode()
    assert planning.recipient.name in html_a
    assert "Bærum Glemt" not in html_a
    html_lead = client_for(world.home.lead).get("/besok/folg-opp/").content.decode()
    assert "Bærum Glemt" in html_lead
    assert planning.recipient.name in html_lead


@time_machine.travel(NOW, tick=False)
def test_each_leader_gets_the_watchdog_e_mail_once_a_day(world, planning, mailoutbox):
    CareRecipientFactory(department=world.home.dept_b, name="Bærum Glemt", status="active")
    assert tasks.watchdog_email_leaders(world.home.organization.pk) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.home.leader_a.user.email, world.home.leader_b.user.email]
    )
    assert "http://localhost:8000/besok/folg-opp/" in mailoutbox[0].body
    assert planning.recipient.name not in mailoutbox[0].body  # names stay in the app
    tasks.watchdog_email_leaders(world.home.organization.pk)  # a retry, a second beat
    assert len(mailoutbox) == 2
    claims = JobClaim.objects.filter(key__startswith="watchdog:", status=ClaimStatus.SENT)
    assert claims.count() == 2
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        tasks.watchdog_email_leaders(world.home.organization.pk)
    assert len(mailoutbox) == 4


@time_machine.travel(NOW, tick=False)
def test_a_leader_with_nothing_to_follow_up_gets_no_e_mail(world, planning, mailoutbox):
    make_plan(world, planning.recipient)
    assert watchdog_email(membership_id=world.home.leader_a.pk) == "nobody"
    assert mailoutbox == []


# --- R11 ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_ending_a_recipient_cancels_future_visits_and_keeps_logged_ones(
    world, client_for, planning
):
    plan = make_plan(world, planning.recipient, weekdays=(0, 1))
    logged = VisitFactory(
        recipient=planning.recipient,
        senior=world.home.senior_a,
        starts_at=oslo(2026, 3, 12, 11),
        status=VisitStatus.LOGGED,
    )
    response = client_for(world.home.leader_a).post(
        f"/brukere/{planning.recipient.pk}/status/",
        {"to_status": "ended", "reason": "Flyttet på sykehjem"},
    )
    assert response.status_code == 302
    future = Visit.objects.filter(plan=plan)
    assert set(future.values_list("status", "cancel_kind")) == {
        (VisitStatus.CANCELLED, CancelKind.RECIPIENT_ENDED)
    }
    logged.refresh_from_db()
    assert logged.status == VisitStatus.LOGGED
    plan.refresh_from_db()
    assert plan.ended_at == NOW
    plans_expand(organization_id=world.home.organization.pk)
    assert not Visit.objects.filter(status=VisitStatus.PLANNED).exists()


@time_machine.travel(NOW, tick=False)
def test_pausing_cancels_future_visits_and_resuming_brings_back_the_plans(world, planning):
    leader = world.home.leader_a
    plan = make_plan(world, planning.recipient, weekdays=(1,))
    moved = plan.visits.order_by("starts_at").first()
    visit_move(visit=moved, by=leader, starts_at=oslo(2026, 3, 18, 12))
    recipient_change_status(
        recipient=planning.recipient, by=leader, to_status="paused", reason="På sykehus"
    )
    assert not Visit.objects.filter(status__in=[VisitStatus.PLANNED, VisitStatus.MOVED]).exists()
    plans_expand(organization_id=world.home.organization.pk)
    assert not Visit.objects.filter(status=VisitStatus.PLANNED).exists()  # paused: nothing new

    recipient_change_status(recipient=planning.recipient, by=leader, to_status="active")
    result = plans_expand(organization_id=world.home.organization.pk)
    assert result.restored == 7
    assert Visit.objects.filter(plan=plan, status=VisitStatus.PLANNED).count() == 7
    moved.refresh_from_db()
    assert moved.status == VisitStatus.CANCELLED  # changed by hand: the leader decides


def test_the_hook_is_registered_for_end_and_pause():
    from customers import hooks

    assert visits_stop_for_recipient in hooks.ON_END
    assert visits_stop_for_recipient in hooks.ON_PAUSE
    assert visits_anonymise_for_recipient in hooks.ON_ANONYMISE
    assert visits_export_for_recipient in hooks.EXPORT_SECTIONS


@time_machine.travel(NOW, tick=False)
def test_the_export_lists_plans_and_visits(world, planning):
    from customers.services import recipient_export

    make_plan(world, planning.recipient, notes="Liker kaffe")
    data = recipient_export(recipient=planning.recipient)
    assert data["visit_plans"][0]["notes"] == "Liker kaffe"
    assert len(data["visits"]) == 8
