"""Relatives and the customer: who orders and pays, with history."""

from __future__ import annotations

import pytest

from customers.models import Customer, CustomerKind, Relative
from tests.factories import CareRecipientFactory, RelativeFactory

pytestmark = pytest.mark.django_db


def test_a_relative_is_added_with_a_norwegian_phone_number(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    response = client_for(world.home.leader_a).post(
        f"/brukere/{recipient.pk}/parorende/ny/",
        {
            "name": "Ingrid Ødegaard",
            "relation": "child",
            "phone": "900 11 223",
            "email": "ingrid@test.example",
            "contact_during_visits": "on",
        },
    )
    assert response.status_code == 302
    relative = Relative.objects.get()
    assert relative.phone.as_e164 == "+4790011223"
    assert relative.contact_during_visits is True
    assert relative.organization == world.home.organization


def test_a_relative_becomes_the_customer_and_the_old_customer_is_history(world, client_for):
    relative = RelativeFactory(recipient__department=world.home.dept_a)
    recipient = relative.recipient
    Customer.objects.create(
        organization=recipient.organization, recipient=recipient, kind="recipient"
    )
    client = client_for(world.home.leader_a)
    response = client.post(
        f"/brukere/{recipient.pk}/kunde/", {"kind": "relative", "relative": relative.pk}
    )
    assert response.status_code == 302
    current = Customer.objects.get(recipient=recipient, is_current=True)
    assert current.kind == CustomerKind.RELATIVE
    assert current.relative == relative
    assert Customer.objects.filter(recipient=recipient, is_current=False).count() == 1
    relative.refresh_from_db()
    assert relative.ordered_service is True


def test_a_municipality_customer_needs_a_name_and_a_valid_org_number(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    client = client_for(world.home.leader_a)
    html = client.post(f"/brukere/{recipient.pk}/kunde/", {"kind": "municipality"}).content.decode()
    assert "Skriv navnet på kommunen eller sykehjemmet." in html
    html = client.post(
        f"/brukere/{recipient.pk}/kunde/",
        {"kind": "municipality", "name": "Bærum kommune", "org_number": "123"},
    ).content.decode()
    assert "Organisasjonsnummeret har ni sifre." in html
    client.post(
        f"/brukere/{recipient.pk}/kunde/",
        {
            "kind": "municipality",
            "name": "Bærum kommune",
            "org_number": "974 554 321",
            "invoice_reference": "Helse 4411",
        },
    )
    current = Customer.objects.get(recipient=recipient, is_current=True)
    assert (current.name, current.org_number) == ("Bærum kommune", "974554321")


def test_a_relative_of_another_recipient_cannot_be_chosen(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    stranger = RelativeFactory(recipient__department=world.home.dept_a)
    html = (
        client_for(world.home.leader_a)
        .post(f"/brukere/{recipient.pk}/kunde/", {"kind": "relative", "relative": stranger.pk})
        .content.decode()
    )
    assert "Velg et gyldig valg" in html
    assert not Customer.objects.filter(recipient=recipient, kind="relative").exists()
