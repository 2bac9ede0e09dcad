"""One contact person for relatives (issue 21): the card's choice, defaulting to the
department leader, shown on the card with why when it stands in."""

from __future__ import annotations

import pytest

from customers.contacts import contact_person
from customers.models import CareRecipient
from tests.customers.test_recipients import form_data
from tests.factories import CareRecipientFactory

pytestmark = pytest.mark.django_db


def card(client, recipient) -> str:
    html = client.get(f"/brukere/{recipient.pk}/").content.decode()
    return html.split('id="contact-person">')[1].split("</dd>")[0]


def test_the_lead_creating_a_card_gets_the_department_leader_as_contact(world, client_for):
    client = client_for(world.home.lead)
    page = client.get("/brukere/ny/")
    assert page.context["form"]["contact_person"].value() == world.home.leader_a.pk
    response = client.post("/brukere/ny/", form_data(world, contact_person=""))
    assert response.status_code == 302
    recipient = CareRecipient.objects.get()
    assert recipient.contact_person == world.home.leader_a
    assert world.home.leader_a.user.name in card(client, recipient)


def test_a_card_without_a_choice_shows_who_stands_in_and_why(world, client_for):
    leader = world.home.leader_a.user
    leader.phone = "+4791112222"
    leader.save()
    recipient = CareRecipientFactory(department=world.home.dept_a, contact_person=None)
    assert contact_person(recipient) == world.home.leader_a
    shown = card(client_for(world.home.leader_a), recipient)
    assert leader.name in shown
    assert 'href="tel:+4791112222"' in shown
    assert "Ingen kontaktperson er valgt. Avdelingslederen brukes." in shown


def test_an_inactive_choice_gives_way_to_the_department_leader(world, client_for):
    recipient = CareRecipientFactory(
        department=world.home.dept_a, contact_person=world.home.leader_b
    )
    world.home.leader_b.is_active = False
    world.home.leader_b.save()
    shown = card(client_for(world.home.leader_a), recipient)
    assert world.home.leader_a.user.name in shown
    assert "Den valgte kontaktpersonen er ikke aktiv lenger." in shown


def test_a_contact_without_a_mobile_is_flagged_on_the_card(world, client_for):
    lead = world.home.lead
    lead.user.phone = ""
    lead.user.save()
    recipient = CareRecipientFactory(department=world.home.dept_a, contact_person=lead)
    shown = card(client_for(world.home.leader_a), recipient)
    assert lead.user.name in shown
    assert "Mangler mobilnummer" in shown
    assert "valgt" not in shown.split("Mangler mobilnummer")[1].split("Navnes")[0]
