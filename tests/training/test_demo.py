"""The demo shows both states: Ragnhild is cleared, Bjørn still lacks the declaration."""

from __future__ import annotations

import pytest

from seniorene.accounts import demo as accounts_demo
from seniorene.accounts.models import Membership
from training import demo, services
from training.models import TeamMeeting, TrainingCompletion, TrainingModule

pytestmark = pytest.mark.django_db


def clearance_of(email: str):
    membership = Membership.objects.get(user__email=email, organization__slug="seniorene")
    return services.training_clearance(membership=membership)


def test_the_demo_has_a_cleared_and_a_blocked_senior_and_is_idempotent():
    orgs = accounts_demo.seed()
    demo.seed(orgs)
    assert clearance_of("ragnhild@seniorene.example").cleared
    bjorn = clearance_of("bjorn@seniorene.example")
    assert bjorn.missing == ["Taushetserklæring"]
    assert not clearance_of("ase@seniorene.example").cleared
    counts = (
        TrainingModule.objects.count(),
        TrainingCompletion.objects.count(),
        TeamMeeting.objects.count(),
    )
    assert counts[0] == 12  # six standard modules in each organization
    assert TeamMeeting.objects.filter(organization__slug="seniorene").count() == 2
    demo.seed(accounts_demo.seed())
    assert (
        TrainingModule.objects.count(),
        TrainingCompletion.objects.count(),
        TeamMeeting.objects.count(),
    ) == counts
