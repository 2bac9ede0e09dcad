"""Visit helpers for the whole suite: the isolation suites' samples and rows."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from customers.models import Customer
from ledger.models import Expense
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
    Concern,
    ConcernAlertChoice,
    ConcernCategory,
    PlanServiceArea,
    SeniorAbsence,
    SeniorAvailability,
    VisitLog,
    VisitLogDraft,
    VisitServiceArea,
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


def sample_past_visit(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """Yesterday's visit, not yet logged, to a recipient in `dept` ("Ikke ført")."""
    recipient = CareRecipientFactory(department=dept, status="active")
    visit = VisitFactory(
        recipient=recipient,
        senior=_senior_for(cast, who, dept),
        starts_at=timezone.now().replace(microsecond=0) - timedelta(days=1),
    )
    return {"pk": visit.pk}


def sample_logged_visit(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """Yesterday's logged visit to a recipient who is their own customer (feedback SMS)."""
    recipient = CareRecipientFactory(department=dept, status="active", phone="+4791234567")
    Customer.objects.create(organization=cast.organization, recipient=recipient, kind="recipient")
    senior = _senior_for(cast, who, dept)
    visit = VisitFactory(
        recipient=recipient,
        senior=senior,
        status="logged",
        starts_at=timezone.now().replace(microsecond=0) - timedelta(days=1),
    )
    VisitLog.objects.create(
        organization=cast.organization,
        visit=visit,
        recipient=recipient,
        submission_key=uuid.uuid4(),
        logged_by=senior.user,
    )
    return {"pk": visit.pk}


def sample_concern(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """A concern ("Noe lederen bør vite") raised yesterday by a senior of `dept`."""
    recipient = CareRecipientFactory(department=dept, status="active")
    senior = _senior_for(cast, who, dept)
    visit = VisitFactory(
        recipient=recipient,
        senior=senior,
        status="logged",
        starts_at=timezone.now().replace(microsecond=0) - timedelta(days=1),
    )
    concern = Concern.objects.create(
        organization=cast.organization,
        visit=visit,
        recipient=recipient,
        raised_by=senior,
        category=ConcernCategory.HOME,
        text="Røykvarsleren piper",
    )
    return {"pk": concern.pk}


def sample_expense(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """An outlay with a receipt photo, by `who` if a senior of `dept`."""
    expense = Expense(
        organization=cast.organization,
        membership=_senior_for(cast, who, dept),
        date=timezone.localdate(),
        amount=Decimal("59"),
        description="Notatbok",
        recipient=CareRecipientFactory(department=dept, status="active"),
        billable=True,
        source="manual",
    )
    expense.receipt.save("kvittering.png", ContentFile(PNG_PIXEL), save=False)
    expense.save()
    return {"pk": expense.pk}


# The smallest valid PNG: one transparent pixel.
PNG_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c6360606060000000050001a5f645400000000049454e44ae426082"
)


def sample_plan(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    recipient = CareRecipientFactory(department=dept, status="active")
    plan = VisitPlanFactory(recipient=recipient, senior=_senior_for(cast, who, dept))
    return {"pk": plan.pk}


def sample_senior(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    senior = MembershipFactory(organization=cast.organization, role=Role.SENIOR, departments=[dept])
    return {"pk": senior.pk}


def sample_absence(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """Next week's absence of `who` (if a senior of `dept`, else of a new senior there),
    hitting one visit in `dept`."""
    senior = _senior_for(cast, who, dept)
    day = timezone.localdate() + timedelta(days=7)
    absence = SeniorAbsence.objects.create(
        organization=cast.organization,
        membership=senior,
        starts_on=day,
        ends_on=day + timedelta(days=2),
        created_by=senior.user,
    )
    VisitFactory(
        recipient=CareRecipientFactory(department=dept, status="active"),
        senior=senior,
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=8),
    )
    return {"pk": absence.pk}


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
    SeniorAbsence.objects.create(
        organization=home.organization,
        membership=home.senior_a,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        created_by=home.senior_a.user,
    )
    CalendarFeed.objects.create(
        organization=home.organization, membership=home.senior_a, key="0" * 24
    )
    VisitLog.objects.create(
        organization=home.organization,
        visit=VisitFactory(recipient=recipient, senior=home.senior_a, status="logged"),
        recipient=recipient,
        submission_key=uuid.uuid4(),
        logged_by=home.senior_a.user,
    )
    VisitLogDraft.objects.create(
        organization=home.organization, visit=visit, membership=home.senior_a, data={}
    )
    Concern.objects.create(
        organization=home.organization,
        visit=visit,
        recipient=recipient,
        raised_by=home.senior_a,
        category=ConcernCategory.FALL,
        text="Falt i gangen",
    )
    ConcernAlertChoice.objects.create(
        organization=home.organization, membership=home.leader_a, channel="sms"
    )
    Expense.objects.create(
        organization=home.organization,
        membership=home.senior_a,
        date=timezone.localdate(),
        amount=Decimal("49.90"),
        description="Notatbok",
        recipient=recipient,
        billable=True,
        source="manual",
    )


PAGE_LINK = re.compile(r"\nSe besøkene: https?://[^/\s]+/p/[A-Za-z0-9_-]{40,}/$")


def without_page_link(body: str) -> str:
    """An SMS to a relative without its last line, the link to the relative's own page,
    which every such SMS carries (a new token each time); fails when the link is missing."""
    found = PAGE_LINK.search(body)
    assert found, f"no link to the relative's page in {body!r}"
    return body[: found.start()]
