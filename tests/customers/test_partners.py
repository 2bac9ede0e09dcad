"""Where inquiries come from (issue 19): the source on each new recipient, and the register
of partners admin and the lead keep, with the meetings held."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import CareRecipient, InquirySource, Partner, PartnerMeeting
from seniorene.audit.models import AuditEvent
from tests.conftest import PERSONAS
from tests.factories import CareRecipientFactory

pytestmark = pytest.mark.django_db


def new_recipient(world, **overrides):
    data = {
        "name": "Astrid Ødegaard",
        "date_of_birth": "14.03.1938",
        "address": "Thereses gate 12",
        "postal_code": "0452",
        "city": "Oslo",
        "department": world.home.dept_a.pk,
        "contact_person": world.home.leader_a.pk,
    }
    data.update(overrides)
    return data


def make_partner(cast, name="Frogner frivilligsentral", **extra) -> Partner:
    return services.partner_save(
        by=cast.admin, data={"name": name, "kind": "volunteer_centre", **extra}
    )


# --- The source on a new recipient --------------------------------------------------------


def test_a_new_recipient_needs_to_say_how_the_inquiry_came(world, client_for):
    client = client_for(world.home.leader_a)
    html = client.post("/brukere/ny/", new_recipient(world)).content.decode()
    assert "Velg hvordan henvendelsen kom." in html
    assert not CareRecipient.objects.exists()
    form = client.get("/brukere/ny/").content.decode()
    # No choice is made for the leader.
    assert 'value="family"' in form
    assert "checked" not in form.split('name="inquiry_source"')[1].split("</div>")[0]


def test_a_partner_source_needs_the_partner(world, client_for):
    client = client_for(world.home.leader_a)
    html = client.post(
        "/brukere/ny/", new_recipient(world, inquiry_source="partner")
    ).content.decode()
    assert "Velg hvilken samarbeidspartner henvendelsen kom via." in html
    assert not CareRecipient.objects.exists()


def test_the_partner_must_be_of_the_same_organization(world, client_for):
    theirs = make_partner(world.other, "Borte pensjonistforening")
    client = client_for(world.home.leader_a)
    html = client.post(
        "/brukere/ny/",
        new_recipient(world, inquiry_source="partner", inquiry_partner=theirs.pk),
    ).content.decode()
    assert "Velg et gyldig valg" in html
    assert not CareRecipient.objects.exists()
    # And the service refuses it too, whatever form calls it.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="samarbeidspartner i organisasjonen"):
        services.recipient_create(
            by=world.home.leader_a,
            data={
                "name": "X",
                "date_of_birth": date(1940, 1, 1),
                "address": "Vei 1",
                "department": world.home.dept_a,
                "inquiry_source": "partner",
                "inquiry_partner": theirs,
            },
        )


def test_the_source_is_saved_shown_on_the_card_and_audited(world, client_for):
    partner = make_partner(world.home)
    client = client_for(world.home.leader_a)
    response = client.post(
        "/brukere/ny/",
        new_recipient(
            world,
            inquiry_source="partner",
            inquiry_partner=partner.pk,
            inquiry_source_note="ignored for a partner",
        ),
    )
    assert response.status_code == 302
    recipient = CareRecipient.objects.get()
    assert recipient.inquiry_source == InquirySource.PARTNER
    assert recipient.inquiry_partner == partner
    assert recipient.inquiry_source_note == ""
    card = client.get(f"/brukere/{recipient.pk}/").content.decode()
    assert "En samarbeidspartner: Frogner frivilligsentral" in card
    event = AuditEvent.objects.get(action="recipient.created")
    assert event.details["inquiry_source"] == "partner"
    assert event.details["inquiry_partner"] == partner.pk


def test_another_source_keeps_its_note_and_forgets_a_partner(world, client_for):
    partner = make_partner(world.home)
    client = client_for(world.home.leader_a)
    client.post(
        "/brukere/ny/",
        new_recipient(
            world,
            inquiry_source="fair",
            inquiry_partner=partner.pk,
            inquiry_source_note="Eldremessen",
        ),
    )
    recipient = CareRecipient.objects.get()
    assert recipient.inquiry_partner is None
    assert (
        "Messe eller stand: Eldremessen" in client.get(f"/brukere/{recipient.pk}/").content.decode()
    )


def test_an_older_recipient_without_a_source_is_unknown_and_can_stay_so(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a, name="Gammel Rad")
    client = client_for(world.home.leader_a)
    assert "Ukjent" in client.get(f"/brukere/{recipient.pk}/").content.decode()
    data = new_recipient(
        world, name="Gammel Rad", date_of_birth=recipient.date_of_birth.strftime("%d.%m.%Y")
    )
    response = client.post(f"/brukere/{recipient.pk}/endre/", data)
    assert response.status_code == 302
    # Changing the source later is audited with the field.
    data["inquiry_source"] = "media"
    client.post(f"/brukere/{recipient.pk}/endre/", data)
    recipient.refresh_from_db()
    assert recipient.inquiry_source == "media"
    event = AuditEvent.objects.filter(action="recipient.updated").latest("pk")
    assert "inquiry_source" in event.details["fields"]


def test_the_partner_list_on_the_form_has_only_active_partners(world, client_for):
    make_partner(world.home, "Aktiv forening")
    make_partner(world.home, "Nedlagt forening", is_active=False)
    html = client_for(world.home.leader_a).get("/brukere/ny/").content.decode()
    assert "Aktiv forening" in html
    assert "Nedlagt forening" not in html


def test_without_partners_the_form_says_what_to_do(world, client_for):
    html = client_for(world.home.leader_a).get("/brukere/ny/").content.decode()
    assert "Ingen samarbeidspartnere er registrert ennå" in html


def test_the_export_has_the_source_and_anonymisation_keeps_it_but_not_the_note(world, client_for):
    leader = world.home.leader_a
    recipient = services.recipient_create(
        by=leader,
        data={
            "name": "Åse Ødegård",
            "date_of_birth": date(1941, 4, 3),
            "address": "Storgata 1",
            "department": world.home.dept_a,
            "inquiry_source": "other",
            "inquiry_source_note": "Naboen til Åse",
        },
    )
    client = client_for(leader)
    data = json.loads(client.get(f"/brukere/{recipient.pk}/innsyn.json").content)
    assert data["recipient"]["inquiry_source"] == "Annet: Naboen til Åse"
    assert "Henvendelsen kom via" in client.get(f"/brukere/{recipient.pk}/innsyn/").content.decode()
    services.recipient_anonymise(recipient=recipient)
    recipient.refresh_from_db()
    assert recipient.inquiry_source == "other"
    assert recipient.inquiry_source_note == ""


# --- The partner register -------------------------------------------------------------------

MAY_MANAGE = {"admin", "lead"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_keep_the_partner_register(world, client_for, persona):
    who = world.home.persona(persona)
    partner = make_partner(world.home)
    client = client_for(who)
    urls = [
        "/samarbeidspartnere/",
        "/samarbeidspartnere/ny/",
        f"/samarbeidspartnere/{partner.pk}/",
        f"/samarbeidspartnere/{partner.pk}/endre/",
        f"/samarbeidspartnere/{partner.pk}/mote/ny/",
    ]
    expected = 200 if persona in MAY_MANAGE else 403
    assert [client.get(u).status_code for u in urls] == [expected] * len(urls)
    response = client.post("/samarbeidspartnere/ny/", {"name": "Ny forening", "kind": "other"})
    made = Partner.objects.filter(name="Ny forening").exists()
    assert made is (persona in MAY_MANAGE)
    if persona not in MAY_MANAGE:
        assert response.status_code == 403
    home = client.get(reverse("home"), follow=True).content.decode()  # the menu too
    assert ('href="/samarbeidspartnere/"' in home) is (persona in MAY_MANAGE)


def test_admin_registers_a_partner_with_phone_and_follow_up_and_it_is_audited(world, client_for):
    client = client_for(world.home.admin)
    response = client.post(
        "/samarbeidspartnere/ny/",
        {
            "name": "Bærum pensjonistforening",
            "kind": "pensioners",
            "contact_name": "Odd Nilsen",
            "phone": "67 55 66 77",
            "email": "odd@example.no",
            "follow_up": world.home.leader_b.pk,
            "notes": "Møtes første tirsdag i måneden.",
            "is_active": "on",
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302
    assert response.url == f"/samarbeidspartnere/{partner.pk}/"
    assert partner.organization == world.home.organization
    assert partner.phone.as_e164 == "+4767556677"
    assert partner.follow_up == world.home.leader_b
    assert AuditEvent.objects.filter(action="partner.created", object_id=str(partner.pk)).exists()
    html = client.get(f"/samarbeidspartnere/{partner.pk}/").content.decode()
    assert "Odd Nilsen" in html
    assert 'href="tel:+4767556677"' in html
    assert world.home.leader_b.user.name in html


def test_a_bad_phone_and_a_follow_up_from_another_organization_are_refused(world, client_for):
    client = client_for(world.home.admin)
    html = client.post(
        "/samarbeidspartnere/ny/",
        {"name": "X", "kind": "other", "phone": "12", "follow_up": world.other.leader_a.pk},
    ).content.decode()
    assert "Skriv et gyldig norsk telefonnummer" in html
    assert "Velg et gyldig valg" in html
    assert not Partner.objects.exists()


def test_editing_a_partner_is_audited_with_the_changed_fields(world, client_for):
    partner = make_partner(world.home)
    client = client_for(world.home.lead)
    response = client.post(
        f"/samarbeidspartnere/{partner.pk}/endre/",
        {"name": partner.name, "kind": "volunteer_centre", "contact_name": "Berit Holm"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.contact_name == "Berit Holm"
    assert partner.is_active is False  # the box was not ticked
    event = AuditEvent.objects.get(action="partner.updated")
    assert set(event.details["fields"]) == {"contact_name", "is_active"}


def test_a_meeting_is_added_with_who_was_there_and_audited(world, client_for):
    partner = make_partner(world.home)
    client = client_for(world.home.admin)
    today = timezone.localdate()
    response = client.post(
        f"/samarbeidspartnere/{partner.pk}/mote/ny/",
        {
            "held_on": today.strftime("%d.%m.%Y"),
            "note": "Frokostmøte, delte ut brosjyrer.",
            "attendees": [world.home.admin.pk, world.home.leader_a.pk],
        },
    )
    assert response.status_code == 302
    meeting = PartnerMeeting.objects.get()
    assert meeting.date == today
    assert set(meeting.attendees.all()) == {world.home.admin, world.home.leader_a}
    event = AuditEvent.objects.get(action="partner.meeting_added")
    assert event.details["meeting"] == meeting.pk
    html = client.get(f"/samarbeidspartnere/{partner.pk}/").content.decode()
    assert "Frokostmøte, delte ut brosjyrer." in html
    assert world.home.leader_a.user.name in html


def test_a_meeting_in_the_future_or_without_a_date_is_refused(world, client_for):
    partner = make_partner(world.home)
    client = client_for(world.home.admin)
    html = client.post(f"/samarbeidspartnere/{partner.pk}/mote/ny/", {"held_on": "31.02.2026"})
    assert "Skriv datoen som dd.mm.åååå" in html.content.decode()
    future = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    html = client.post(f"/samarbeidspartnere/{partner.pk}/mote/ny/", {"held_on": future})
    assert "kan ikke ha en dato fram i tid" in html.content.decode()
    assert not PartnerMeeting.objects.exists()


def test_the_partner_page_counts_recipients_and_names_them_only_for_who_may_see_them(
    world, client_for
):
    partner = make_partner(world.home)
    for name in ("Anna Via", "Bjørn Via"):
        CareRecipientFactory(
            department=world.home.dept_a,
            name=name,
            inquiry_source="partner",
            inquiry_partner=partner,
        )
    CareRecipientFactory(department=world.home.dept_a, name="Annen Vei", inquiry_source="family")
    admin_html = (
        client_for(world.home.admin).get(f"/samarbeidspartnere/{partner.pk}/").content.decode()
    )
    assert "<strong>2</strong> brukere har kommet via denne partneren" in admin_html
    assert "Anna Via" not in admin_html  # admin does not see the recipient register
    lead_html = (
        client_for(world.home.lead).get(f"/samarbeidspartnere/{partner.pk}/").content.decode()
    )
    assert "Anna Via" in lead_html
    assert "Bjørn Via" in lead_html
    assert "Annen Vei" not in lead_html
    listing = client_for(world.home.lead).get("/samarbeidspartnere/").content.decode()
    assert "Frogner frivilligsentral" in listing


def test_another_organizations_partner_is_not_found(world, client_for):
    theirs = make_partner(world.other)
    client = client_for(world.home.admin)
    assert client.get(f"/samarbeidspartnere/{theirs.pk}/").status_code == 404
    assert "Frogner" not in client.get("/samarbeidspartnere/").content.decode()
