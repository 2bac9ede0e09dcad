"""R6 on the recipient: only trained seniors can be assigned; the leader sees why."""

from __future__ import annotations

import pytest

from customers.models import Assignment
from tests.factories import CareRecipientFactory
from tests.training.helpers import clear_for_assignment

pytestmark = pytest.mark.django_db


def edit(client, recipient, world, seniors):
    return client.post(
        f"/brukere/{recipient.pk}/endre/",
        {
            "name": recipient.name,
            "date_of_birth": recipient.date_of_birth.isoformat(),
            "address": recipient.address,
            "postal_code": recipient.postal_code,
            "city": recipient.city,
            "department": recipient.department_id,
            "seniors": [s.pk for s in seniors],
        },
    )


def test_a_trained_senior_is_assigned(world, client_for):
    clear_for_assignment(world.home.senior_a)
    recipient = CareRecipientFactory(department=world.home.dept_a)
    response = edit(client_for(world.home.leader_a), recipient, world, [world.home.senior_a])
    assert response.status_code == 302
    assert list(Assignment.objects.values_list("senior_id", flat=True)) == [world.home.senior_a.pk]


def test_an_untrained_senior_is_refused_with_what_is_missing(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    html = edit(
        client_for(world.home.leader_a), recipient, world, [world.home.senior_a2]
    ).content.decode()
    assert "kan ikke få oppdrag før opplæringen er fullført" in html
    assert "Taushetserklæring" in html
    assert not Assignment.objects.exists()


def test_a_senior_already_assigned_stays_when_other_fields_change(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a, seniors=[world.home.senior_a2])
    response = edit(client_for(world.home.leader_a), recipient, world, [world.home.senior_a2])
    assert response.status_code == 302
    assert Assignment.objects.count() == 1
