"""Moving, cancelling and reassigning one visit: the plan stays as it is."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from seniorene.audit.models import AuditEvent
from tests.factories import MembershipFactory
from tests.visits.conftest import make_plan, oslo
from visits.models import CancelKind, Visit, VisitPlan, VisitStatus

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)


@pytest.fixture
def plan(world, planning) -> VisitPlan:
    with time_machine.travel(NOW, tick=False):
        return make_plan(world, planning.recipient, weekdays=(1,))


def first_visit(plan) -> Visit:
    return Visit.objects.filter(plan=plan).order_by("starts_at").first()


@time_machine.travel(NOW, tick=False)
def test_a_leader_moves_one_visit_and_the_plan_stays(world, client_for, plan):
    visit = first_visit(plan)
    response = client_for(world.home.leader_a).post(
        f"/besok/{visit.pk}/flytt/",
        {"date": "2026-03-18", "start_time": "14:30", "duration_minutes": "45"},
    )
    assert response.status_code == 302
    assert "uke=2026-03-18" in response.url
    visit.refresh_from_db()
    assert visit.status == VisitStatus.MOVED
    assert visit.starts_at == oslo(2026, 3, 18, 14, 30)
    assert visit.original_starts_at == oslo(2026, 3, 17, 11, 0)
    assert visit.duration_minutes == 45
    assert visit.detached
    plan.refresh_from_db()
    assert (plan.start_time, plan.weekday_list) == (dt.time(11), [1])
    assert AuditEvent.objects.filter(action="visit.moved", object_id=str(visit.pk)).exists()


@time_machine.travel(NOW, tick=False)
def test_moving_to_a_time_that_has_passed_is_refused(world, client_for, plan):
    visit = first_visit(plan)
    response = client_for(world.home.leader_a).post(
        f"/besok/{visit.pk}/flytt/",
        {"date": "2026-03-15", "start_time": "14:30", "duration_minutes": "60"},
    )
    assert response.status_code == 200
    assert "Tidspunktet har allerede vært." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("kind", ["customer", "senior", "other"])
def test_a_leader_cancels_one_visit_with_who_and_why(world, client_for, plan, kind):
    visit = first_visit(plan)
    response = client_for(world.home.leader_a).post(
        f"/besok/{visit.pk}/avlys/", {"kind": kind, "reason": "Tannlege"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    assert visit.cancel_kind == kind
    assert visit.cancel_reason == "Tannlege"
    assert visit.cancelled_by == world.home.leader_a.user
    assert visit.cancelled_at == NOW
    assert Visit.objects.filter(plan=plan, status=VisitStatus.PLANNED).count() == 7


@time_machine.travel(NOW, tick=False)
def test_cancelling_needs_a_reason_and_a_person_may_not_choose_a_system_kind(
    world, client_for, plan
):
    visit = first_visit(plan)
    client = client_for(world.home.leader_a)
    html = client.post(f"/besok/{visit.pk}/avlys/", {"kind": "customer"}).content.decode()
    assert "Skriv en kort begrunnelse" in html
    response = client.post(
        f"/besok/{visit.pk}/avlys/", {"kind": CancelKind.RECIPIENT_ENDED, "reason": "x"}
    )
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_visit_cannot_be_moved(world, client_for, plan):
    visit = first_visit(plan)
    client = client_for(world.home.leader_a)
    client.post(f"/besok/{visit.pk}/avlys/", {"kind": "senior", "reason": "Syk"})
    response = client.post(
        f"/besok/{visit.pk}/flytt/",
        {"date": "2026-03-18", "start_time": "14:30", "duration_minutes": "60"},
    )
    assert "kan ikke endres" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED


@time_machine.travel(NOW, tick=False)
def test_a_leader_gives_one_visit_to_another_trained_senior(world, client_for, plan):
    visit = first_visit(plan)
    response = client_for(world.home.leader_a).post(
        f"/besok/{visit.pk}/ny-senior/", {"senior": world.home.senior_a2.pk}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.senior == world.home.senior_a2
    assert visit.status == VisitStatus.PLANNED
    assert visit.detached
    plan.refresh_from_db()
    assert plan.senior == world.home.senior_a
    others = Visit.objects.filter(plan=plan).exclude(pk=visit.pk)
    assert set(others.values_list("senior_id", flat=True)) == {world.home.senior_a.pk}


@time_machine.travel(NOW, tick=False)
def test_reassigning_to_an_untrained_senior_is_refused(world, client_for, plan):
    untrained = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    visit = first_visit(plan)
    client = client_for(world.home.leader_a)
    page = client.get(f"/besok/{visit.pk}/").content.decode()
    reassign = page.split('id="h-reassign"', 1)[1].split("</section>", 1)[0]
    assert f'<option value="{untrained.pk}"' not in reassign  # not offered
    assert f"<strong>{untrained.user.name}</strong>" in reassign  # listed with what they miss
    response = client.post(f"/besok/{visit.pk}/ny-senior/", {"senior": untrained.pk})
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.senior == world.home.senior_a

    from django.core.exceptions import ValidationError

    from visits.changes import visit_reassign

    with pytest.raises(ValidationError, match="opplæringen"):
        visit_reassign(visit=visit, by=world.home.leader_a, senior=untrained)


@time_machine.travel(NOW, tick=False)
def test_a_plan_edit_leaves_a_reassigned_visit_with_its_senior(world, plan):
    from visits.changes import visit_reassign
    from visits.planning import PlanFields, plan_update

    visit = first_visit(plan)
    visit_reassign(visit=visit, by=world.home.leader_a, senior=world.home.senior_a2)
    plan_update(
        plan=plan,
        by=world.home.leader_a,
        fields=PlanFields(
            senior=world.home.senior_a,
            weekdays=(1,),
            start_time=dt.time(12),
            first_date=plan.first_date,
        ),
    )
    visit.refresh_from_db()
    assert visit.senior == world.home.senior_a2
    assert visit.starts_at == oslo(2026, 3, 17, 11, 0)


@time_machine.travel(NOW, tick=False)
def test_a_leader_of_another_department_cannot_touch_the_visit(world, client_for, plan):
    visit = first_visit(plan)
    client = client_for(world.home.leader_b)
    assert client.get(f"/besok/{visit.pk}/").status_code == 404
    response = client.post(f"/besok/{visit.pk}/avlys/", {"kind": "other", "reason": "x"})
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
