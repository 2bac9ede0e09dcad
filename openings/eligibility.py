"""Who is offered a job: the one rule, read by the notices, the senior's list and the choice.

A senior is offered a department's open jobs when they are an active senior of that
department, have opted in (`JobInterest`, not withdrawn, and not on a pause that has not
yet ended) and are cleared for Omsorg work (R6: required training and the declaration).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from openings.models import InterestStatus, JobOpening
from seniorene.accounts.models import Membership, Role
from training.services import training_clearances


def interested_seniors(*, department_id: int, on: date) -> QuerySet[Membership]:
    """Active seniors of the department who want Omsorg jobs on `on` (R6 not yet checked)."""
    return (
        Membership.objects.filter(
            role=Role.SENIOR,
            is_active=True,
            departments__id=department_id,
            job_interest__isnull=False,
        )
        .filter(
            Q(job_interest__status=InterestStatus.ACTIVE)
            | Q(job_interest__status=InterestStatus.PAUSED, job_interest__paused_until__lt=on)
        )
        .select_related("user", "job_interest")
        .distinct()
        .order_by("user__name", "pk")
    )


def eligible_seniors(*, opening: JobOpening, on: date) -> list[Membership]:
    """The seniors `opening` is offered to on `on`: interested and cleared (R6)."""
    seniors = list(
        interested_seniors(department_id=opening.department_id, on=on).filter(
            organization_id=opening.organization_id
        )
    )
    clearances = training_clearances(memberships=seniors)
    return [s for s in seniors if clearances[s.pk].cleared]


def is_eligible(*, membership: Membership, opening: JobOpening, on: date) -> bool:
    """Whether `membership` is offered `opening` on `on` (the same rule, for one senior)."""
    if membership.organization_id != opening.organization_id or membership.role != Role.SENIOR:
        return False
    found = list(
        interested_seniors(department_id=opening.department_id, on=on).filter(pk=membership.pk)
    )
    return bool(found) and training_clearances(memberships=found)[membership.pk].cleared
