"""The feedback SMS after a visit: to the relative who ordered (with the contact person),
or a thank-you with the next visit to the recipient who is the customer, and the summary to
every other relative who consented; only with consent, once per visit and person, from the
organization's own wording."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from customers.models import ConsentPurpose, Customer
from customers.services import consent_withdraw
from messaging.models import SmsMessage, SmsStatus, SmsTemplate
from messaging.services import sms_record_status
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory, VisitFactory
from tests.visits.helpers import without_page_link
from visits.models import VisitLog

pytestmark = pytest.mark.django_db

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = [
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
]  # fmt: skip


@pytest.fixture(autouse=True)
def always_sending_hours(world):
    """Messages leave at once whatever the hour the suite runs (quiet hours have own tests)."""
    org = world.home.organization
    org.quiet_hours_start, org.quiet_hours_end = 0, 24
    org.save()
    leader = world.home.leader_a.user
    leader.name, leader.phone = "Kari Leder", "+4791112222"
    leader.save()


def logged_visit(world, client, recipient):
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 0)))
    visit = VisitFactory(recipient=recipient, senior=world.home.senior_a, starts_at=midnight)
    response = client.post(
        f"/mine-besok/{visit.pk}/for/",
        {
            "happened": "1",
            "submission_key": str(uuid.uuid4()),
            "checked_in": "00:00",
            "checked_out": "01:00",
            "went_well": "Vi gikk tur i parken",
            "share_with_relatives": "on",
            "expense_description": "Notatbok",
        },
    )
    return visit, response


@pytest.fixture
def relative_customer(world):
    """A recipient whose daughter ordered, consented to summaries and to notebook sharing."""
    recipient = CareRecipientFactory(
        department=world.home.dept_a, status="active", name="Åse Ødegård"
    )
    daughter = RelativeFactory(recipient=recipient, name="Ingrid Ødegård", phone="+4790011223")
    Customer.objects.create(
        organization=world.home.organization,
        recipient=recipient,
        kind="relative",
        relative=daughter,
    )
    ConsentFactory(recipient=recipient, relative=daughter)
    ConsentFactory(recipient=recipient, relative=daughter, purpose=ConsentPurpose.NOTEBOOK_SHARING)
    return recipient, daughter


@pytest.fixture
def self_customer(world):
    recipient = CareRecipientFactory(
        department=world.home.dept_a, status="active", name="Olav Brekke", phone="+4798765432"
    )
    Customer.objects.create(
        organization=world.home.organization, recipient=recipient, kind="recipient"
    )
    ConsentFactory(recipient=recipient)
    return recipient


def test_logging_leads_on_to_the_feedback_with_the_contact_person(
    world, client_for, relative_customer
):
    recipient, daughter = relative_customer
    client = client_for(world.home.senior_a)
    visit, response = logged_visit(world, client, recipient)
    assert response.status_code == 302
    assert response["Location"] == f"/mine-besok/{visit.pk}/tilbakemelding/"
    html = client.get(response["Location"]).content.decode()
    assert "Husk taushetsplikten." in html
    assert "Ingrid Ødegård" in html
    # The notebook may be shared, so the prefill carries what went well.
    assert "Vi gikk tur i parken." in html
    assert "Kontaktperson: Kari Leder, tlf. 91 11 22 22" in html
    assert " SMS" in html  # the segment count under the preview


def test_sending_queues_one_message_to_the_relative_however_often_pressed(
    world, client_for, relative_customer
):
    recipient, daughter = relative_customer
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    url = f"/mine-besok/{visit.pk}/tilbakemelding/"
    first = client.post(url, {"body": "Fin dag med mora di."})
    second = client.post(url, {"body": "Fin dag med mora di."})
    assert first.status_code == second.status_code == 302
    message = SmsMessage.objects.get()
    assert message.to_phone == "+4790011223"
    assert (message.relative, message.visit_id) == (daughter, visit.pk)
    # The greeting and signature are fixed around what the senior wrote.
    senior = world.home.senior_a.user.name.split(" ")[0]
    organization = world.home.organization.name
    assert without_page_link(message.body) == (
        f"Hei Ingrid! Fin dag med mora di. Hilsen {senior}, {organization}"
        "\nKontaktperson: Kari Leder, tlf. 91 11 22 22"
    )
    followed = client.get(second["Location"], follow=True)
    assert "allerede sendt" in followed.content.decode()


def test_the_contact_person_cannot_be_edited_away(world, client_for, relative_customer):
    recipient, _daughter = relative_customer
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    client.post(f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": "Bare dette."})
    assert without_page_link(SmsMessage.objects.get().body).endswith(
        "Kontaktperson: Kari Leder, tlf. 91 11 22 22"
    )


def test_without_consent_the_page_says_why_and_nothing_is_queued(
    world, client_for, relative_customer
):
    recipient, daughter = relative_customer
    consent = daughter.consents.get(purpose=ConsentPurpose.VISIT_SUMMARY_SMS)
    consent_withdraw(consent=consent, by=world.home.leader_a.user, note="Vil ikke ha SMS")
    client = client_for(world.home.senior_a)
    visit, response = logged_visit(world, client, recipient)
    html = client.get(f"/mine-besok/{visit.pk}/tilbakemelding/").content.decode()
    assert "Meldingen kan ikke sendes." in html
    assert "har ikke samtykket til oppsummering på SMS" in html
    assert 'name="body"' not in html
    forced = client.post(f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": "Hei"})
    assert forced.status_code == 422
    assert not SmsMessage.objects.exists()


def test_a_contact_person_without_a_mobile_is_named_without_one(
    world, client_for, relative_customer
):
    """The relative still hears about the visit; the line names the contact person and
    leaves out the phone rather than another person's."""
    recipient, _daughter = relative_customer
    leader = world.home.leader_a.user
    leader.phone = ""
    leader.save()
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    html = client.get(f"/mine-besok/{visit.pk}/tilbakemelding/").content.decode()
    assert "Kontaktperson: Kari Leder<" in html or "Kontaktperson: Kari Leder\n" in html
    client.post(f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": "Hei"})
    assert without_page_link(SmsMessage.objects.get().body).endswith("\nKontaktperson: Kari Leder")


def test_the_contact_person_named_is_the_one_on_the_card(world, client_for, relative_customer):
    """The bug in issue 21: the SMS named a leader by name, not the card's contact person."""
    recipient, _daughter = relative_customer
    lead = world.home.lead.user
    lead.name, lead.phone = "Åge Daglig", "+4793334444"
    lead.save()
    recipient.contact_person = world.home.lead
    recipient.save(update_fields=["contact_person"])
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    client.post(f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": "Fin dag."})
    assert without_page_link(SmsMessage.objects.get().body).endswith(
        "Kontaktperson: Åge Daglig, tlf. 93 33 44 44"
    )


def test_the_summary_goes_to_every_relative_who_consented_each_once(
    world, client_for, relative_customer
):
    recipient, daughter = relative_customer
    son = RelativeFactory(recipient=recipient, name="Bjørn Ødegård", phone="+4790022334")
    ConsentFactory(recipient=recipient, relative=son)
    niece = RelativeFactory(recipient=recipient, name="Nora Niese", phone="+4790033445")
    ConsentFactory(recipient=recipient, relative=niece, purpose=ConsentPurpose.REMINDER_SMS)
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    url = f"/mine-besok/{visit.pk}/tilbakemelding/"
    page = client.get(url).content.decode()
    who = page.split('id="h-who"')[1].split("</section>")[0]
    assert who.index("Ingrid Ødegård") < who.index("Bjørn Ødegård") < who.index("Nora Niese")
    assert who.count("Får den<") == 2
    assert who.count("Får den ikke") == 1
    assert "Nora Niese har ikke samtykket til oppsummering på SMS" in who
    assert "Meldingen til 2 pårørende" in page

    client.post(url, {"body": "Fin dag med mora di."})
    client.post(url, {"body": "Fin dag med mora di."})
    messages = {m.relative: m for m in SmsMessage.objects.all()}
    assert set(messages) == {daughter, son}
    assert messages[son].body.startswith("Hei Bjørn! Fin dag med mora di. Hilsen ")
    assert without_page_link(messages[son].body).endswith(
        "Kontaktperson: Kari Leder, tlf. 91 11 22 22"
    )
    assert messages[daughter].body.startswith("Hei Ingrid! Fin dag med mora di.")
    assert {m.idempotency_key for m in messages.values()} == {
        f"feedback:{visit.pk}:relative:{daughter.pk}",
        f"feedback:{visit.pk}:relative:{son.pk}",
    }


def test_a_relative_who_shares_a_number_gets_one_message(world, client_for, relative_customer):
    recipient, daughter = relative_customer
    husband = RelativeFactory(recipient=recipient, name="Hans Ødegård", phone=daughter.phone)
    ConsentFactory(recipient=recipient, relative=husband)
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    url = f"/mine-besok/{visit.pk}/tilbakemelding/"
    assert "Har samme mobilnummer som Ingrid Ødegård" in client.get(url).content.decode()
    client.post(url, {"body": "Fin dag."})
    assert SmsMessage.objects.get().relative == daughter


def test_when_the_recipient_is_the_customer_consenting_relatives_get_the_summary(
    world, client_for, self_customer
):
    daughter = RelativeFactory(recipient=self_customer, name="Siri Brekke", phone="+4790044556")
    ConsentFactory(recipient=self_customer, relative=daughter)
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, self_customer)
    url = f"/mine-besok/{visit.pk}/tilbakemelding/"
    page = client.get(url)
    assert page.context["form"]["relatives_body"].value().startswith("I dag var ")
    html = page.content.decode()
    assert "Oppsummeringen til pårørende" in html
    client.post(url, {"body": "Takk for i dag!", "relatives_body": "Vi spilte kort."})
    to_recipient = SmsMessage.objects.get(relative=None)
    to_daughter = SmsMessage.objects.get(relative=daughter)
    assert to_recipient.body.startswith("Hei Olav! Takk for i dag!")
    assert "Kontaktperson" not in to_recipient.body
    assert to_daughter.body.startswith("Hei Siri! Vi spilte kort. Hilsen ")
    assert "Kontaktperson: Kari Leder" in to_daughter.body


def test_the_relatives_own_page_is_linked_when_they_have_one(
    world, client_for, relative_customer, monkeypatch
):
    recipient, daughter = relative_customer
    asked = []

    def page_url(*, relative, now):
        asked.append(relative)
        return f"https://example.test/p/{relative.pk}"

    monkeypatch.setattr("visits.feedback.relative_page_url", page_url)
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    client.post(f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": "Fin dag."})
    body = SmsMessage.objects.get().body
    assert body.endswith(
        f"Kontaktperson: Kari Leder, tlf. 91 11 22 22\nSe besøkene: https://example.test/p/{daughter.pk}"
    )
    assert asked == [daughter]


def test_the_recipient_who_is_the_customer_gets_thanks_with_the_next_visit(
    world, client_for, self_customer
):
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, self_customer)
    following = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=3), time(11, 0))
    )
    VisitFactory(recipient=self_customer, senior=world.home.senior_a, starts_at=following)
    html = client.get(f"/mine-besok/{visit.pk}/tilbakemelding/").content.decode()
    day = timezone.localtime(following)
    expected = (
        f"Neste besøk er {WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]} kl. 11.00."
    )
    assert expected in html
    assert "Kontaktperson" not in html
    client.post(f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": f"Takk! Vi {expected}."})
    message = SmsMessage.objects.get()
    assert (message.to_phone, message.relative) == ("+4798765432", None)


def test_the_organizations_own_wording_is_used_and_unknown_fields_refused(
    world, client_for, self_customer
):
    lead = client_for(world.home.lead)
    refused = lead.post(
        "/besok/sms-maler/",
        {"feedback_relative": "Hei {pårørende}", "feedback_thanks": "Hei {fornavn}!"},
    )
    assert refused.status_code == 400
    assert "Ukjent felt: {fornavn}" in refused.content.decode()
    saved = lead.post(
        "/besok/sms-maler/",
        {
            "feedback_relative": "Hei {pårørende}",
            "feedback_thanks": "Kjære {bruker}, takk for i dag! Hilsen {senior}",
        },
    )
    assert saved.status_code == 302
    assert SmsTemplate.objects.get(kind="feedback_thanks").body.startswith("Kjære {bruker}")
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, self_customer)
    html = client.get(f"/mine-besok/{visit.pk}/tilbakemelding/").content.decode()
    first = world.home.senior_a.user.name.split(" ")[0]
    assert f"Kjære Olav, takk for i dag! Hilsen {first}" in html


def test_seniors_and_leaders_may_not_edit_the_wording(world, client_for):
    assert client_for(world.home.senior_a).get("/besok/sms-maler/").status_code == 403
    assert client_for(world.home.leader_a).get("/besok/sms-maler/").status_code == 403


def test_delivery_and_failure_are_shown_on_the_visit(world, client_for, self_customer):
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, self_customer)
    client.post(f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": "Takk for i dag!"})
    message = SmsMessage.objects.get()
    SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.SENT, provider_sid="SM1")
    assert sms_record_status(message_id=message.pk, provider_sid="SM1", provider_status="delivered")
    assert "Levert" in client.get(f"/mine-besok/{visit.pk}/").content.decode()
    SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.SENT)
    sms_record_status(
        message_id=message.pk, provider_sid="SM1", provider_status="failed", error_code="30003"
    )
    leader_page = client_for(world.home.leader_a).get(f"/besok/{visit.pk}/").content.decode()
    assert "Feilet" in leader_page
    follow_up = client_for(world.home.leader_a).get("/besok/folg-opp/").content.decode()
    assert "Olav Brekke" in follow_up
    assert "Feilet" in follow_up
    other = client_for(world.home.leader_b).get("/besok/folg-opp/").content.decode()
    assert "Olav Brekke" not in other


def test_a_visit_not_logged_by_the_end_of_the_day_shows_for_its_leader(world, client_for):
    recipient = CareRecipientFactory(
        department=world.home.dept_a, status="active", name="Per Glemt"
    )
    yesterday = timezone.now() - timedelta(days=1)
    VisitFactory(recipient=recipient, senior=world.home.senior_a, starts_at=yesterday)
    VisitFactory(
        recipient=CareRecipientFactory(
            department=world.home.dept_a, status="active", name="Idun Idag"
        ),
        senior=world.home.senior_a,
        starts_at=timezone.now() + timedelta(minutes=5),
    )
    page = client_for(world.home.leader_a).get("/besok/folg-opp/").content.decode()
    html = page.split('id="h-unlogged"')[1].split('id="h-failed"')[0]
    assert "Per Glemt" in html
    assert "Idun Idag" not in html  # today's visit still has the day to be logged
    assert (
        "Per Glemt" not in client_for(world.home.leader_b).get("/besok/folg-opp/").content.decode()
    )
    assert not VisitLog.objects.exists()


def test_the_greeting_and_signature_stay_outside_what_the_senior_edits(
    world, client_for, relative_customer
):
    """The text box holds only the middle; the senior's words land before "Hilsen …", and
    the default tells the next visit ("Neste besøk er …", as the manual suggests)."""
    recipient, daughter = relative_customer
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    following = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=6), time(10, 0))
    )
    VisitFactory(recipient=recipient, senior=world.home.senior_a, starts_at=following)
    day = timezone.localtime(following)
    next_visit = f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]} kl. 10.00"
    senior = world.home.senior_a.user.name.split(" ")[0]
    signature = f"Hilsen {senior}, {world.home.organization.name}"

    page = client.get(f"/mine-besok/{visit.pk}/tilbakemelding/")
    form = page.context["form"]
    body = form["body"].value()
    assert body == (
        f"I dag var {senior} på besøk hos Åse. Vi gikk tur i parken. Neste besøk er {next_visit}."
    )
    html = page.content.decode()
    greeting = re.search(r'id="sms-greeting">(.*?)</p>', html, re.S)
    assert greeting is not None
    assert greeting.group(1).endswith("Hei Ingrid!")
    closing = re.search(r'id="sms-signature">(.*?)</p>', html, re.S)
    assert closing is not None
    assert signature in closing.group(1)
    assert "Hei Ingrid!" not in body

    # The senior adds a line at the end of the text box: it stays before the signature.
    client.post(
        f"/mine-besok/{visit.pk}/tilbakemelding/", {"body": body + " Hun var i godt humør."}
    )
    sent = without_page_link(SmsMessage.objects.get().body)
    assert sent == (
        f"Hei Ingrid! {body} Hun var i godt humør. {signature}"
        "\nKontaktperson: Kari Leder, tlf. 91 11 22 22"
    )


def test_the_counter_counts_the_whole_message(world, client_for, relative_customer):
    from visits.feedback import feedback_counts

    recipient, _daughter = relative_customer
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, recipient)
    response = client.post(
        f"/mine-besok/{visit.pk}/tilbakemelding/",
        {"body": "Fin dag.", "preview": "1"},
        HTTP_HX_REQUEST="true",
    )
    whole = response.context["full_text"]
    assert whole.startswith("Hei Ingrid! Fin dag. Hilsen ")
    assert whole.endswith("Kontaktperson: Kari Leder, tlf. 91 11 22 22")
    counts = feedback_counts(whole)
    assert f"{counts['chars']} tegn" in response.content.decode()
    assert counts["chars"] == len(whole) > len("Fin dag.") + 60


def test_without_a_next_visit_the_sentence_is_left_out(world, client_for, self_customer):
    client = client_for(world.home.senior_a)
    visit, _ = logged_visit(world, client, self_customer)
    page = client.get(f"/mine-besok/{visit.pk}/tilbakemelding/")
    assert page.context["form"]["body"].value() == "Takk for besøket i dag."
    assert "Neste besøk" not in page.content.decode()
