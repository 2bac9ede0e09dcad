"""The leader registers, finds and edits recipients; bad input is refused clearly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from customers.models import CareRecipient, Customer, CustomerKind, RecipientStatus, StatusChange
from seniorene.audit.models import AuditEvent, ViewRecord
from tests.factories import CareRecipientFactory

pytestmark = pytest.mark.django_db


def form_data(world, **overrides):
    data = {
        "name": "Astrid Ødegaard",
        "date_of_birth": "14.03.1938",
        "address": "Thereses gate 12",
        "postal_code": "0452",
        "city": "Oslo",
        "phone": "22 33 44 55",
        "department": world.home.dept_a.pk,
        "contact_person": world.home.leader_a.pk,
        "key_notes": "Nøkkel i nøkkelboks.",
        "inquiry_source": "family",
    }
    data.update(overrides)
    return data


def test_a_leader_registers_a_recipient(world, client_for):
    response = client_for(world.home.leader_a).post("/brukere/ny/", form_data(world))
    recipient = CareRecipient.objects.get()
    assert response.status_code == 302
    assert response.url == f"/brukere/{recipient.pk}/"
    assert recipient.organization == world.home.organization
    assert recipient.date_of_birth == date(1938, 3, 14)
    assert recipient.phone.as_e164 == "+4722334455"
    assert recipient.status == RecipientStatus.INQUIRY
    assert StatusChange.objects.get(recipient=recipient).to_status == RecipientStatus.INQUIRY
    customer = Customer.objects.get(recipient=recipient, is_current=True)
    assert customer.kind == CustomerKind.RECIPIENT
    assert AuditEvent.objects.filter(action="recipient.created").count() == 1


def test_the_card_shows_age_address_and_the_contact_person(world, client_for):
    client = client_for(world.home.leader_a)
    client.post("/brukere/ny/", form_data(world))
    recipient = CareRecipient.objects.get()
    html = client.get(f"/brukere/{recipient.pk}/").content.decode()
    assert f"{recipient.age} år" in html
    assert "Thereses gate 12, 0452 Oslo" in html
    assert world.home.leader_a.user.name in html
    assert 'href="tel:+4722334455"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12", "Skriv et gyldig norsk telefonnummer"),
        ("phone", "abc def", "Skriv et gyldig norsk telefonnummer"),
        ("date_of_birth", "31.02.1940", "Skriv datoen som dd.mm.åååå"),
        (
            "name",
            "<script>alert(1)</script>",
            "Teksten kan ikke inneholde tegnene &lt; eller &gt;.",
        ),
        ("key_notes", "x" * 10_000, "Merknadene kan være høyst 2000 tegn (nå 10000)."),
        ("postal_code", "12345", "Postnummeret har fire sifre."),
        ("name", "", "Feltet er påkrevet."),
    ],
)
def test_bad_input_is_refused_with_a_norwegian_message(world, client_for, field, value, message):
    response = client_for(world.home.leader_a).post(
        "/brukere/ny/", form_data(world, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CareRecipient.objects.exists()


def test_a_birth_date_in_the_future_is_refused(world, client_for):
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d.%m.%Y")
    html = (
        client_for(world.home.leader_a)
        .post("/brukere/ny/", form_data(world, date_of_birth=tomorrow))
        .content.decode()
    )
    assert "Fødselsdatoen kan ikke være i fremtiden." in html
    assert not CareRecipient.objects.exists()


def test_markup_in_notes_is_stored_as_text_and_shown_escaped(world, client_for):
    client = client_for(world.home.leader_a)
    client.post("/brukere/ny/", form_data(world, key_notes="<script>alert('x')</script>"))
    recipient = CareRecipient.objects.get()
    assert recipient.key_notes == "<script>alert('x')</script>"
    html = client.get(f"/brukere/{recipient.pk}/").content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html


def test_a_leader_cannot_register_in_another_department(world, client_for):
    response = client_for(world.home.leader_a).post(
        "/brukere/ny/", form_data(world, department=world.home.dept_b.pk)
    )
    assert "Velg et gyldig valg" in response.content.decode()
    assert not CareRecipient.objects.exists()


def test_the_same_name_and_birth_date_warns_before_saving(world, client_for):
    client = client_for(world.home.leader_a)
    client.post("/brukere/ny/", form_data(world))
    html = client.post("/brukere/ny/", form_data(world, name="astrid ødegaard")).content.decode()
    assert "Mulig dobbeltregistrering." in html
    assert CareRecipient.objects.count() == 1
    response = client.post(
        "/brukere/ny/", form_data(world, name="astrid ødegaard", confirm_duplicate="1")
    )
    assert response.status_code == 302
    assert CareRecipient.objects.count() == 2


def test_editing_saves_the_changes_and_audits_them(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    client = client_for(world.home.leader_a)
    response = client.post(
        f"/brukere/{recipient.pk}/endre/",
        form_data(world, name=recipient.name, address="Ny gate 1"),
    )
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert recipient.address == "Ny gate 1"
    event = AuditEvent.objects.get(action="recipient.updated")
    assert "address" in event.details["fields"]


def test_every_view_of_a_card_is_recorded_and_shown(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    client_for(world.home.lead).get(f"/brukere/{recipient.pk}/")
    html = client_for(world.home.leader_a).get(f"/brukere/{recipient.pk}/").content.decode()
    assert ViewRecord.objects.filter(object_id=str(recipient.pk)).count() == 2
    assert world.home.lead.user.name in html.split("Hvem har sett kortet")[1]
