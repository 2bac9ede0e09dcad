"""Shared builders for the openings tests (jobs offered to seniors)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from openings.models import (
    AnswerChoice,
    JobAnswer,
    JobInterest,
    JobInterestArea,
    JobOpening,
    JobOpeningArea,
    OpeningKind,
)
from tests.factories import CareRecipientFactory
from tests.visits.helpers import make_service_area

OSLO = ZoneInfo("Europe/Oslo")
# Tests build times from a fixed moment, never the wall clock.
PUBLISHED_AT = datetime(2027, 1, 11, 9, 0, tzinfo=OSLO)


def populate_openings_tables(world: Any) -> None:
    """A row in each openings table, for tests/isolation/test_database_wall.py."""
    home = world.home
    org = home.organization
    area = make_service_area(org)
    interest = JobInterest.objects.create(
        organization=org, membership=home.senior_a, visits_per_week=2, postal_code="0457"
    )
    JobInterestArea.objects.create(organization=org, interest=interest, service_area=area)
    opening = JobOpening.objects.create(
        organization=org,
        department=home.dept_a,
        recipient=CareRecipientFactory(department=home.dept_a, status="ready"),
        kind=OpeningKind.VISITS,
        area="Sagene",
        postal_code="0457",
        weekdays=2,
        start_time=time(11, 0),
        first_date=date(2027, 1, 19),
        published_by=home.leader_a,
        published_at=PUBLISHED_AT,
    )
    JobOpeningArea.objects.create(organization=org, opening=opening, service_area=area)
    JobAnswer.objects.create(
        organization=org,
        opening=opening,
        senior=home.senior_a,
        answer=AnswerChoice.YES,
        note="kan bare tirsdager",
        answered_at=PUBLISHED_AT,
    )
