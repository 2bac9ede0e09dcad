"""The isolation suites' samples for the leader's pages of a job (tests/isolation)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from openings.models import JobOpening, OpeningKind
from seniorene.accounts.models import Department, Membership, Role
from tests.factories import CareRecipientFactory


def sample_opening(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """An open visits job in `dept` for a recipient ready for a plan."""
    leader = next(
        (m for m in (cast.leader_a, cast.leader_b) if dept.pk in m.department_ids),
        cast.leader_a,
    )
    opening = JobOpening.objects.create(
        organization=cast.organization,
        department=dept,
        recipient=CareRecipientFactory(department=dept, status="ready"),
        kind=OpeningKind.VISITS,
        area="Sagene",
        postal_code="0457",
        weekdays=2,
        start_time=time(11, 0),
        first_date=timezone.localdate() + timedelta(days=7),
        published_by=leader if leader.role == Role.LEADER else who,
        published_at=timezone.now(),
    )
    return {"pk": opening.pk}
