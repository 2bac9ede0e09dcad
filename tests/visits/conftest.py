from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from customers.models import CareRecipient, RecipientStatus
from omsorg.models import ServiceArea
from tests.factories import CareRecipientFactory, make_service_area, ready_for_plan
from tests.training.helpers import clear_for_assignment
from visits.models import VisitPlan
from visits.planning import PlanFields, plan_create

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


@dataclass
class Planning:
    recipient: CareRecipient
    area: ServiceArea


@pytest.fixture
def planning(world) -> Planning:
    """An active recipient in department A, senior_a and senior_a2 trained (R6), an area."""
    clear_for_assignment(world.home.senior_a)
    clear_for_assignment(world.home.senior_a2)
    recipient = CareRecipientFactory(
        department=world.home.dept_a,
        name="Åse Ødegård",
        address="Thereses gate 12",
        postal_code="0452",
        city="Oslo",
        phone="+4722334455",
        status=RecipientStatus.ACTIVE,
        seniors=[world.home.senior_a],
    )
    ready_for_plan(recipient)  # a good-match Bli kjent and a customer: plans may be made
    return Planning(recipient=recipient, area=make_service_area(world.home.organization))


def make_plan(world, recipient: CareRecipient, *, senior=None, **fields) -> VisitPlan:
    """A plan through the service (R2, R6 and expansion included), for a recipient made
    ready for it (`ready_for_plan`) if they are not."""
    ready_for_plan(recipient)
    fields.setdefault("weekdays", (1,))
    fields.setdefault("start_time", dt.time(11))
    return plan_create(
        recipient=recipient,
        by=world.home.leader_a,
        fields=PlanFields(senior=senior or world.home.senior_a, **fields),
    )


def plan_post(world, **overrides) -> dict:
    data = {
        "senior": world.home.senior_a.pk,
        "weekdays": ["1", "3"],
        "start_time": "11:00",
        "duration_minutes": "60",
        "every_n_weeks": "1",
        "first_date": timezone.localdate().isoformat(),
        "last_date": "",
        "notes": "",
    }
    data.update(overrides)
    return data
