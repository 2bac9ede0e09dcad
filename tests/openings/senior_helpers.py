"""Builders for the senior's side of jobs (h6): jobs, opt-ins, and the isolation samples."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from openings.models import (
    AnswerChoice,
    InterestStatus,
    JobAnswer,
    JobInterest,
    JobInterestArea,
    JobOpening,
    JobOpeningArea,
    OpeningKind,
    OpeningStatus,
)
from seniorene.accounts.models import Department, Membership, Role
from tests.factories import CareRecipientFactory, MembershipFactory, make_service_area
from tests.openings.helpers import PUBLISHED_AT

# The pages read "today" from the clock: tests travel to this moment (a Tuesday).
NOW = PUBLISHED_AT + timedelta(days=1)
TODAY = NOW.date()
RECIPIENT_NAME = "Åse Ødegård"
RECIPIENT_STREET = "Kirkeveien 12"


def make_opening(
    department: Department,
    *,
    area: str = "Sagene",
    status: str = OpeningStatus.OPEN,
    kind: str = OpeningKind.VISITS,
    service_area_names: tuple[str, ...] = (),
    **fields: Any,
) -> JobOpening:
    """An open job in `department` for a recipient with a known name and street."""
    org = department.organization
    leader = Membership.objects.filter(
        role=Role.LEADER, departments=department
    ).first() or MembershipFactory(organization=org, role=Role.LEADER, departments=[department])
    recipient = CareRecipientFactory(
        department=department, status="ready", name=RECIPIENT_NAME, address=RECIPIENT_STREET
    )
    fields.setdefault("postal_code", "0457")
    fields.setdefault("weekdays", 0b1010)  # tirsdag og torsdag
    fields.setdefault("start_time", time(11, 0))
    fields.setdefault("first_date", date(2027, 1, 19))
    fields.setdefault("description", "Turer og en kopp kaffe.")
    opening = JobOpening.objects.create(
        organization=org,
        department=department,
        recipient=recipient,
        kind=kind,
        area=area,
        status=status,
        published_by=leader,
        published_at=PUBLISHED_AT,
        **fields,
    )
    for name in service_area_names:
        service_area = make_service_area(org)
        service_area.name = name
        service_area.save(update_fields=["name"])
        JobOpeningArea.objects.create(organization=org, opening=opening, service_area=service_area)
    return opening


def opt_in(
    membership: Membership,
    *,
    status: str = InterestStatus.ACTIVE,
    paused_until: date | None = None,
    areas: tuple[Any, ...] = (),
) -> JobInterest:
    interest = JobInterest.objects.create(
        organization=membership.organization,
        membership=membership,
        status=status,
        paused_until=paused_until,
        visits_per_week=2,
        postal_code="0461",
    )
    for area in areas:
        JobInterestArea.objects.create(
            organization=membership.organization, interest=interest, service_area=area
        )
    return interest


def answer(opening: JobOpening, senior: Membership, choice: str = AnswerChoice.YES) -> JobAnswer:
    return JobAnswer.objects.create(
        organization=opening.organization,
        opening=opening,
        senior=senior,
        answer=choice,
        note="kan bare tirsdager" if choice == AnswerChoice.YES else "",
        answered_at=PUBLISHED_AT,
    )


def sample_opening(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """Isolation sample: an open job in `dept` that `who` (a senior of `dept`) has answered,
    so the senior reaches it without the training the eligibility rule asks for."""
    opening = make_opening(dept)
    if who.role == Role.SENIOR and dept.pk in who.department_ids:
        answer(opening, who)
    return {"pk": opening.pk}
