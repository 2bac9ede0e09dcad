from __future__ import annotations

from dataclasses import dataclass

import pytest

from customers.models import CareRecipient
from omsorg.models import Criterion
from tests.factories import CareRecipientFactory, make_criteria
from tests.training.helpers import clear_for_assignment


@dataclass
class Intake:
    recipient: CareRecipient
    screening: list[Criterion]
    training: list[Criterion]


@pytest.fixture
def intake(world) -> Intake:
    """A recipient in department A, the manual's criteria, and senior_a fully trained."""
    screening, training = make_criteria(world.home.organization)
    clear_for_assignment(world.home.senior_a)
    recipient = CareRecipientFactory(department=world.home.dept_a, name="Åse Ødegård")
    return Intake(recipient=recipient, screening=screening, training=training)


def screening_post(intake: Intake, *, met: bool = True) -> dict[str, str]:
    data = {f"c_{c.pk}": "yes" for c in intake.screening}
    if not met:
        data[f"c_{intake.screening[0].pk}"] = "no"
    return data


def booking_post(world, *, senior=None, minutes: int = 60) -> dict[str, str]:
    from datetime import timedelta

    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=3)
    return {
        "senior": (senior or world.home.senior_a).pk,
        "date": day.isoformat(),
        "start": "11:00",
        "duration_minutes": minutes,
        "prepared_by": "relative",
    }
