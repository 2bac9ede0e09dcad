"""Visit helpers for the whole suite: the isolation suites' samples and rows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from seniorene.accounts.models import Department, Membership, Role
from tests.factories import (
    CareRecipientFactory,
    MembershipFactory,
    VisitFactory,
    VisitPlanFactory,
    make_service_area,
)
from visits.models import (
    CalendarFeed,
    PlanServiceArea,
    SeniorAvailability,
    VisitLog,
    VisitServiceArea,
    WatchdogNotice,
)


def _senior_for(cast: Any, who: Membership, dept: Department) -> Membership:
    """`who` when a senior of `dept`, otherwise a new senior of `dept`."""
    if who.role == Role.SENIOR and dept.pk in who.department_ids:
        return who
    return MembershipFactory(organization=cast.organization, role=Role.SENIOR, departments=[dept])


def sample_visit(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """A visit next week to a recipient in `dept`, held by `who` if a senior there."""
    recipient = CareRecipientFactory(department=dept, status="active")
    visit = VisitFactory(
        recipient=recipient,
        senior=_senior_for(cast, who, dept),
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=7),
    )
    return {"pk": visit.pk}


def sample_plan(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    recipient = CareRecipientFactory(department=dept, status="active")
    plan = VisitPlanFactory(recipient=recipient, senior=_senior_for(cast, who, dept))
    return {"pk": plan.pk}


def sample_senior(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    senior = MembershipFactory(organization=cast.organization, role=Role.SENIOR, departments=[dept])
    return {"pk": senior.pk}


def move_data() -> dict[str, str]:
    day = timezone.localdate() + timedelta(days=10)
    return {"date": day.isoformat(), "start_time": "12:00", "duration_minutes": "60"}


def populate_visits_tables(world: Any) -> None:
    """A row in each visits table, for tests/isolation/test_database_wall.py."""
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a, status="active")
    area = make_service_area(home.organization)
    plan = VisitPlanFactory(recipient=recipient, senior=home.senior_a)
    PlanServiceArea.objects.create(organization=home.organization, plan=plan, service_area=area)
    visit = VisitFactory(recipient=recipient, senior=home.senior_a, plan=plan)
    VisitServiceArea.objects.create(organization=home.organization, visit=visit, service_area=area)
    SeniorAvailability.objects.create(
        organization=home.organization,
        membership=home.senior_a,
        weekday=1,
        start_time="09:00",
        end_time="15:00",
    )
    CalendarFeed.objects.create(
        organization=home.organization, membership=home.senior_a, key="0" * 24
    )
    WatchdogNotice.objects.create(
        organization=home.organization, membership=home.leader_a, day=timezone.localdate()
    )
    VisitLog.objects.create(
        organization=home.organization,
        visit=VisitFactory(recipient=recipient, senior=home.senior_a, status="logged"),
        recipient=recipient,
        submission_key=uuid.uuid4(),
        logged_by=home.senior_a.user,
    )
