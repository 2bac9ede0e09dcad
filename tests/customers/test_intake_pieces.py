"""Issue 19, the card's intake pieces: a relative who ordered the service is offered as
the customer; several consents at once; the customer form per kind."""

from __future__ import annotations

import pytest

from customers.models import Consent, ConsentPurpose, Customer, CustomerKind
from seniorene.audit.models import AuditEvent
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory

pytestmark = pytest.mark.django_db

RELATIVE_POST = {
    "name": "Kari Ødegård",
    "relation": "child",
    "phone": "987 65 432",
    "email": "kari@test.example",
    "ordered_service": "on",
}


# --- Relative → customer -------------------------------------------------------------------


def test_ordering_the_service_offers_the_relative_as_customer_and_one_click_makes_it(
    world, client_for
):
    recipient = CareRecipientFactory(department=world.home.dept_a, name="Åse Ødegård")
    client = client_for(world.home.leader_a)
    response = client.post(f"/brukere/{recipient.pk}/parorende/ny/", RELATIVE_POST, follow=True)
    html = response.content.decode()
    assert not Customer.objects.exists()  # ticking the box did not make her the customer
    assert "Kari Ødegård bestilte tjenesten. Gjør Kari Ødegård til kunde?" in html
    relative = recipient.relatives.get()
    action = f"/brukere/{recipient.pk}/parorende/{relative.pk}/gjor-til-kunde/"
    assert f'action="{action}"' in html
    card = client.post(action, follow=True).content.decode()
    assert "Kari Ødegård er nå kunde (pårørende)." in card
    customer = Customer.objects.get(is_current=True)
    assert (customer.kind, customer.relative_id) == (CustomerKind.RELATIVE, relative.pk)
    assert AuditEvent.objects.filter(action="customer.set", object_id=str(recipient.pk)).exists()
    # Offered no more: she is the customer.
    assert "Gjør Kari Ødegård til kunde?" not in card


def test_with_a_customer_already_the_leader_is_told_who_and_nothing_is_offered(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a, name="Åse Ødegård")
    Customer.objects.create(
        organization=recipient.organization,
        recipient=recipient,
        kind=CustomerKind.MUNICIPALITY,
        name="Oslo kommune",
    )
    client = client_for(world.home.leader_a)
    html = client.post(
        f"/brukere/{recipient.pk}/parorende/ny/", RELATIVE_POST, follow=True
    ).content.decode()
    assert "Kari Ødegård bestilte tjenesten, men kunden er Oslo kommune (kommune)." in html
    assert "gjor-til-kunde" not in html
    # The one-click refuses too (a stale page): the municipality stays the customer.
    relative = recipient.relatives.get()
    refused = client.post(
        f"/brukere/{recipient.pk}/parorende/{relative.pk}/gjor-til-kunde/", follow=True
    ).content.decode()
    assert "Åse Ødegård har allerede en kunde: Oslo kommune (kommune)." in refused
    assert Customer.objects.get(is_current=True).kind == CustomerKind.MUNICIPALITY


def test_a_relative_who_did_not_order_is_not_offered(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    RelativeFactory(recipient=recipient, name="Per Hansen", ordered_service=False)
    html = client_for(world.home.leader_a).get(f"/brukere/{recipient.pk}/").content.decode()
    assert "bestilte tjenesten. Gjør" not in html


def test_another_recipients_relative_cannot_be_made_customer(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    stranger = RelativeFactory(recipient__department=world.home.dept_a, ordered_service=True)
    response = client_for(world.home.leader_a).post(
        f"/brukere/{recipient.pk}/parorende/{stranger.pk}/gjor-til-kunde/"
    )
    assert response.status_code == 404
    assert not Customer.objects.exists()


# --- Several consents at once ------------------------------------------------------------


def consent_post(person: str, purposes: list[str], **extra) -> dict:
    return {
        "person": person,
        "purpose": purposes,
        "given_by": "recipient",
        "given_by_name": "",
        "method": "written",
        **extra,
    }


def test_several_purposes_become_one_row_each_with_an_audit_row_each(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    kari = RelativeFactory(recipient=recipient, name="Kari Ødegård")
    client = client_for(world.home.leader_a)
    purposes = [ConsentPurpose.VISIT_SUMMARY_SMS, ConsentPurpose.REMINDER_SMS]
    response = client.post(
        f"/brukere/{recipient.pk}/samtykke/ny/", consent_post(str(kari.pk), purposes), follow=True
    )
    assert "2 samtykker er registrert." in response.content.decode()
    rows = Consent.objects.filter(relative=kari).order_by("purpose")
    assert [c.purpose for c in rows] == sorted(purposes)
    assert {(c.given_by, c.method) for c in rows} == {("recipient", "written")}
    events = AuditEvent.objects.filter(action="consent.given", object_id=str(recipient.pk))
    assert sorted(e.details["purpose"] for e in events) == sorted(purposes)


def test_purposes_already_given_show_as_given_and_are_not_doubled(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    kari = RelativeFactory(recipient=recipient, name="Kari Ødegård")
    ConsentFactory(recipient=recipient, relative=kari, purpose=ConsentPurpose.REMINDER_SMS)
    client = client_for(world.home.leader_a)
    page = client.get(f"/brukere/{recipient.pk}/samtykke/ny/?person={kari.pk}").content.decode()
    assert "Allerede gitt: Påminnelser på SMS" in page
    client.post(
        f"/brukere/{recipient.pk}/samtykke/ny/",
        consent_post(str(kari.pk), [ConsentPurpose.REMINDER_SMS, ConsentPurpose.NOTEBOOK_SHARING]),
    )
    assert Consent.objects.filter(relative=kari, purpose=ConsentPurpose.REMINDER_SMS).count() == 1
    assert Consent.objects.filter(relative=kari, purpose=ConsentPurpose.NOTEBOOK_SHARING).exists()
    assert AuditEvent.objects.filter(action="consent.given").count() == 1


def test_no_purpose_ticked_is_a_clear_error(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    html = (
        client_for(world.home.leader_a)
        .post(f"/brukere/{recipient.pk}/samtykke/ny/", consent_post("self", []))
        .content.decode()
    )
    assert "Kryss av for minst ett formål." in html
    assert not Consent.objects.exists()


# --- The customer form per kind ------------------------------------------------------------


def customer_post(kind: str, **fields) -> dict:
    return {
        "kind": kind,
        "relative": "",
        "name": "",
        "org_number": "",
        "invoice_reference": "",
        "project_number": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        **fields,
    }


def test_a_municipality_needs_its_name_and_keeps_its_fields(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    client = client_for(world.home.leader_a)
    url = f"/brukere/{recipient.pk}/kunde/"
    html = client.post(url, customer_post("municipality", org_number="974760673")).content.decode()
    assert "Skriv navnet på kommunen eller sykehjemmet." in html
    assert not Customer.objects.exists()
    response = client.post(
        url,
        customer_post(
            "municipality",
            name="Oslo kommune",
            org_number="974 760 673",
            invoice_reference="Bydel Frogner 4411",
            contact_name="Nina Saksbehandler",
            contact_phone="22 00 00 00",
        ),
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.name, customer.org_number, customer.invoice_reference) == (
        "Oslo kommune",
        "974760673",
        "Bydel Frogner 4411",
    )
    assert customer.contact_name == "Nina Saksbehandler"


def test_a_person_as_customer_saves_none_of_the_organisation_fields(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    kari = RelativeFactory(recipient=recipient, name="Kari Ødegård")
    client = client_for(world.home.leader_a)
    # Left over in hidden fields from choosing "Kommune" first (no JavaScript or not).
    leftovers = {
        "name": "Oslo kommune",
        "org_number": "974760673",
        "invoice_reference": "Bydel Frogner",
        "contact_name": "Nina",
        "contact_phone": "22 00 00 00",
        "contact_email": "nina@oslo.example",
    }
    response = client.post(
        f"/brukere/{recipient.pk}/kunde/",
        customer_post("relative", relative=str(kari.pk), project_number="P-17", **leftovers),
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.relative_id == kari.pk
    assert customer.project_number == "P-17"
    assert [customer.name, customer.org_number, customer.invoice_reference] == ["", "", ""]
    assert [customer.contact_name, str(customer.contact_phone), customer.contact_email] == [
        "",
        "",
        "",
    ]


def test_a_bad_org_number_in_a_hidden_field_does_not_block_a_person(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    response = client_for(world.home.leader_a).post(
        f"/brukere/{recipient.pk}/kunde/",
        customer_post("recipient", org_number="12", contact_email="ikke-epost"),
    )
    assert response.status_code == 302
    assert Customer.objects.get().org_number == ""


def test_the_form_marks_each_field_with_the_kinds_it_belongs_to(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    html = client_for(world.home.leader_a).get(f"/brukere/{recipient.pk}/kunde/").content.decode()
    assert 'data-kinds="municipality nursing_home"' in html
    assert 'data-kinds="relative"' in html
