"""Replies are kept (issue 21): every inbound SMS but a STOPP is stored, shown to the right
leaders only, unread per leader, and on *Følg opp* until someone marks it handled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from customers.models import Consent
from customers.services import recipient_anonymise, recipient_export
from messaging.models import (
    InboundSms,
    SmsAudience,
    SmsMessage,
    SmsPurpose,
    SmsStatus,
    UnmatchedInboundSms,
)
from seniorene.audit.models import AuditEvent
from tests.factories import CareRecipientFactory, RelativeFactory
from tests.sms.helpers import relative_with_consent
from tests.sms.test_webhooks import INBOUND, signed_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("daytime", "twilio_settings")]

PHONE = "+4791234567"
REPLY = "Takk! Mor har vondt i foten i dag"
FOLLOW_UP = "/besok/folg-opp/"
UNKNOWN = "/sms/ukjente-avsendere/"


def reply(client, phone: str = PHONE, body: str = REPLY, sid: str = "SM" + "3" * 32):
    params = {"From": phone, "To": "+4759440000", "Body": body, "MessageSid": sid}
    response = signed_post(client, INBOUND, params)
    assert response.status_code == 200
    assert b"<Response></Response>" in response.content
    return response


def sent(relative, body: str, *, key: str = "k", minutes_ago: int = 10) -> SmsMessage:
    """An SMS the organization sent to `relative` (the outbox row, as the sender leaves it)."""
    from django.utils import timezone

    message = SmsMessage.objects.create(
        organization_id=relative.organization_id,
        recipient=relative.recipient,
        relative=relative,
        audience=SmsAudience.RELATIVE,
        purpose=SmsPurpose.VISIT_SUMMARY_SMS,
        to_phone=relative.phone.as_e164,
        body=body,
        idempotency_key=key,
        status=SmsStatus.DELIVERED,
    )
    at = timezone.now() - timedelta(minutes=minutes_ago)
    SmsMessage.objects.filter(pk=message.pk).update(created_at=at, sent_at=at)
    return message


def card(client, recipient) -> str:
    response = client.get(f"/brukere/{recipient.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_signed_reply_is_kept_on_the_card_with_the_sms_it_answers(world, client, client_for):
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    sent(relative, "Besøket i dag gikk fint.")
    reply(client)
    row = InboundSms.objects.get()
    assert (row.organization_id, row.recipient_id, row.relative_id) == (
        world.home.organization.pk,
        relative.recipient_id,
        relative.pk,
    )
    assert (row.from_phone, row.body, row.handled_at) == (PHONE, REPLY, None)
    assert AuditEvent.objects.filter(action="sms.reply_received", object_id=str(row.pk)).exists()
    html = card(client_for(world.home.leader_a), relative.recipient)
    assert "SMS-samtaler" in html
    assert relative.name in html
    # Newest last, in Oslo time: sent at 11.50, the reply at noon.
    assert html.index("Besøket i dag gikk fint.") < html.index(REPLY)
    assert "10.3.2026 11.50" in html
    assert "10.3.2026 12.00" in html
    assert "Ulest" in html


def test_unread_is_per_leader_and_opening_the_card_reads_it(world, client, client_for):
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    reply(client)
    leader, lead = client_for(world.home.leader_a), client_for(world.home.lead)
    assert "data-follow-up-reply" in leader.get(FOLLOW_UP).content.decode()
    assert "Ulest" in leader.get(FOLLOW_UP).content.decode()
    assert "Ulest" in card(leader, relative.recipient)
    assert "Ulest" not in card(leader, relative.recipient)  # read now, for this leader
    assert "Ulest" not in leader.get(FOLLOW_UP).content.decode()
    # The lead has not opened the card: still unread for them.
    assert "Ulest" in lead.get(FOLLOW_UP).content.decode()
    assert "Ulest" in card(lead, relative.recipient)


def test_a_number_known_in_two_organizations_gives_each_its_own_thread(world, client, client_for):
    home = relative_with_consent(world.home.dept_a, phone=PHONE)
    other = relative_with_consent(world.other.dept_a, phone=PHONE)
    sent(home, "Hilsen fra Hjemme")
    sent(other, "Hilsen fra Borte")
    reply(client)
    rows = InboundSms.objects.order_by("organization_id")
    assert [(r.organization_id, r.recipient_id) for r in rows] == sorted(
        [
            (world.home.organization.pk, home.recipient_id),
            (world.other.organization.pk, other.recipient_id),
        ]
    )
    home_card = card(client_for(world.home.leader_a), home.recipient)
    other_card = card(client_for(world.other.leader_a), other.recipient)
    assert REPLY in home_card
    assert REPLY in other_card
    assert "Hilsen fra Hjemme" in home_card
    assert "Hilsen fra Borte" not in home_card
    assert "Hilsen fra Borte" in other_card
    assert "Hilsen fra Hjemme" not in other_card
    # Each organization's reply is its own: handling one leaves the other on Følg opp.
    mine = InboundSms.objects.get(organization=world.home.organization)
    theirs = InboundSms.objects.get(organization=world.other.organization)
    leader = client_for(world.home.leader_a)
    assert leader.post(f"/sms/svar/{theirs.pk}/behandlet/").status_code == 404
    assert leader.post(f"/sms/svar/{mine.pk}/behandlet/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.handled_at is None
    assert REPLY in client_for(world.other.leader_a).get(FOLLOW_UP).content.decode()


def test_a_leader_of_another_department_and_the_admin_do_not_see_it(world, client, client_for):
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    reply(client)
    row = InboundSms.objects.get()
    other_leader = client_for(world.home.leader_b)
    assert other_leader.get(f"/brukere/{relative.recipient_id}/").status_code == 404
    assert REPLY not in other_leader.get(FOLLOW_UP).content.decode()
    assert other_leader.post(f"/sms/svar/{row.pk}/behandlet/").status_code == 404
    admin = client_for(world.home.admin)
    assert REPLY not in admin.get(UNKNOWN).content.decode()  # known numbers: not admin's list


def test_a_senior_never_sees_relatives_replies(world, client, client_for):
    senior = world.home.senior_a
    recipient = CareRecipientFactory(department=world.home.dept_a, seniors=[senior])
    RelativeFactory(recipient=recipient, phone=PHONE)
    reply(client)
    as_senior = client_for(senior)
    page = as_senior.get(f"/mine-brukere/{recipient.pk}/")
    assert page.status_code == 200
    assert REPLY not in page.content.decode()
    assert as_senior.get(f"/brukere/{recipient.pk}/").status_code == 403
    assert as_senior.get(FOLLOW_UP).status_code == 403
    row = InboundSms.objects.get()
    assert as_senior.post(f"/sms/svar/{row.pk}/behandlet/").status_code == 403


def test_a_number_only_the_outbox_knows_goes_to_that_organizations_admin(world, client, client_for):
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    sent(relative, "Besøket gikk fint")
    relative.phone = "+4791234500"  # the relative got a new number since
    relative.save()
    reply(client, body="Hei, dette er Per")
    row = InboundSms.objects.get()
    assert (row.organization_id, row.recipient_id) == (world.home.organization.pk, None)
    assert not UnmatchedInboundSms.objects.exists()
    admin = client_for(world.home.admin)
    page = admin.get(UNKNOWN).content.decode()
    assert "Hei, dette er Per" in page
    assert "Ikke behandlet" in page
    assert "Hei, dette er Per" not in client_for(world.other.admin).get(UNKNOWN).content.decode()
    # Not a recipient's reply: not on the leaders' Følg opp.
    assert (
        "Hei, dette er Per" not in client_for(world.home.leader_a).get(FOLLOW_UP).content.decode()
    )
    response = admin.post(f"/sms/ukjente-avsendere/{row.pk}/behandlet/", {"note": "Nytt nummer"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.handled_by == world.home.admin.user
    assert row.handled_note == "Nytt nummer"
    assert "Nytt nummer" in admin.get(UNKNOWN).content.decode()
    assert (
        client_for(world.other.admin)
        .post(f"/sms/ukjente-avsendere/{row.pk}/behandlet/")
        .status_code
        == 404
    )


def test_a_number_no_organization_knows_is_kept_for_platform_staff_only(world, client, client_for):
    relative_with_consent(world.home.dept_a, phone="+4791234500")
    reply(client, body="Feil nummer?")
    reply(client, phone="Twilio", body="Fra et navn", sid="SM" + "4" * 32)
    assert not InboundSms.objects.exists()
    kept = UnmatchedInboundSms.objects.order_by("id")
    assert [(m.from_phone, m.body) for m in kept] == [
        (PHONE, "Feil nummer?"),
        ("Twilio", "Fra et navn"),
    ]
    for admin in (world.home.admin, world.other.admin):
        assert "Feil nummer?" not in client_for(admin).get(UNKNOWN).content.decode()


def test_stopp_still_withdraws_and_is_not_kept_as_a_reply(world, client):
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    reply(client, body="STOPP")
    assert not Consent.objects.filter(relative=relative, withdrawn_at__isnull=True).exists()
    assert not InboundSms.objects.exists()
    assert not UnmatchedInboundSms.objects.exists()


def test_a_retried_webhook_stores_the_reply_once(world, client):
    relative_with_consent(world.home.dept_a, phone=PHONE)
    relative_with_consent(world.other.dept_a, phone=PHONE)
    for _ in range(3):
        reply(client)
        reply(client, phone="+4791234500", body="Ukjent", sid="SM" + "5" * 32)
    assert InboundSms.objects.count() == 2  # one per organization
    assert UnmatchedInboundSms.objects.count() == 1
    assert AuditEvent.objects.filter(action="sms.reply_received").count() == 2
    reply(client, sid="SM" + "6" * 32)  # a new message with the same text is a new reply
    assert InboundSms.objects.count() == 4


def test_handled_removes_it_from_follow_up_with_the_note_kept_out_of_the_audit(
    world, client, client_for
):
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    reply(client)
    row = InboundSms.objects.get()
    leader = client_for(world.home.leader_a)
    page = leader.get(FOLLOW_UP).content.decode()
    assert REPLY in page
    assert "SMS-svar som ikke er behandlet (1)" in page
    response = leader.post(
        f"/sms/svar/{row.pk}/behandlet/", {"note": "Ringte datteren", "next": FOLLOW_UP}
    )
    assert response.status_code == 302
    assert response.url == FOLLOW_UP
    row.refresh_from_db()
    assert (row.handled_by, row.handled_note) == (world.home.leader_a.user, "Ringte datteren")
    for who in (world.home.leader_a, world.home.lead):
        page = client_for(who).get(FOLLOW_UP).content.decode()
        assert REPLY not in page
        assert "SMS-svar som ikke er behandlet (0)" in page
    event = AuditEvent.objects.get(action="sms.reply_handled")
    assert event.actor == world.home.leader_a.user
    assert "Ringte" not in str(event.details)
    # On the card it stays, handled, with who and the note.
    html = card(leader, relative.recipient)
    assert REPLY in html
    assert "Ringte datteren" in html
    assert "Merk som behandlet" not in html
    # A second press changes nothing.
    leader.post(f"/sms/svar/{row.pk}/behandlet/", {"note": "Igjen"})
    row.refresh_from_db()
    assert row.handled_note == "Ringte datteren"
    assert AuditEvent.objects.filter(action="sms.reply_handled").count() == 1


def test_a_relative_of_two_recipients_answers_the_conversation_last_texted(world, client):
    mother = CareRecipientFactory(department=world.home.dept_a)
    father = CareRecipientFactory(department=world.home.dept_b)
    to_mother = RelativeFactory(recipient=mother, phone=PHONE)
    to_father = RelativeFactory(recipient=father, phone=PHONE)
    sent(to_father, "Om far", key="far", minutes_ago=60)
    sent(to_mother, "Om mor", key="mor", minutes_ago=5)
    reply(client)
    assert list(InboundSms.objects.values_list("recipient_id", "relative_id")) == [
        (mother.pk, to_mother.pk)
    ]


def test_never_texted_about_either_the_reply_goes_to_each_card(world, client):
    mother = CareRecipientFactory(department=world.home.dept_a, phone=PHONE)
    father = CareRecipientFactory(department=world.home.dept_b)
    RelativeFactory(recipient=mother, phone=PHONE)  # shares her phone
    on_father = RelativeFactory(recipient=father, phone=PHONE)
    reply(client)
    assert sorted(InboundSms.objects.values_list("recipient_id", "relative_id")) == sorted(
        [(mother.pk, None), (father.pk, on_father.pk)]  # mother's own number first
    )


def test_anonymising_empties_the_replies_and_innsyn_lists_them(world, client, client_for):
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    reply(client)
    row = InboundSms.objects.get()
    client_for(world.home.leader_a).post(f"/sms/svar/{row.pk}/behandlet/", {"note": "Ringte"})
    exported = recipient_export(recipient=relative.recipient)["sms_replies"]
    assert exported == [
        {
            "received": "2026-03-10T12:00:00+01:00",
            "from": relative.name,
            "phone": PHONE,
            "text": REPLY,
            "handled_at": "2026-03-10T12:00:00+01:00",
            "handled_by": world.home.leader_a.user.name,
            "handled_note": "Ringte",
        }
    ]
    page = client_for(world.home.leader_a).get(f"/brukere/{relative.recipient_id}/innsyn/")
    html = page.content.decode()
    assert "SMS-svar" in html
    assert "Mottatt" in html
    assert REPLY in html
    recipient_anonymise(recipient=relative.recipient)
    row.refresh_from_db()
    assert (row.from_phone, row.body, row.handled_note) == ("", "", "")
    assert row.handled_at is not None
    for event in AuditEvent.objects.filter(object_type="sms.inboundsms"):
        assert event.object_repr.startswith("SMS-svar: Anonymisert bruker")


def test_the_demo_card_shows_ingrids_reply(client_for):
    from io import StringIO

    from django.core.management import call_command
    from django.test import override_settings

    from seniorene.accounts.models import Membership

    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())  # twice: still one reply
    row = InboundSms.objects.get()
    assert row.relative.name == "Ingrid Ødegaard"
    leader = Membership.objects.get(
        organization=row.organization, role="leader", departments=row.recipient.department
    )
    html = card(client_for(leader), row.recipient)
    assert REPLY in html
    assert "Ragnhild har vært hos Astrid i dag" in html


def test_a_hostile_reply_is_shown_as_text_and_a_bad_note_is_refused_politely(
    world, client, client_for
):
    script = "<script>xss(1)</script>"
    relative = relative_with_consent(world.home.dept_a, phone=PHONE)
    reply(client, body=script + "\x00")
    sent_to_old = relative_with_consent(world.home.dept_b, phone="+4791234500")
    sent(sent_to_old, "Hei")
    sent_to_old.phone = "+4791234501"
    sent_to_old.save()
    reply(client, phone="+4791234500", body=script, sid="SM" + "7" * 32)
    leader, admin = client_for(world.home.leader_a), client_for(world.home.admin)
    for page in (
        card(leader, relative.recipient),
        leader.get(FOLLOW_UP).content.decode(),
        admin.get(UNKNOWN).content.decode(),
    ):
        assert script not in page
        assert "&lt;script&gt;xss(1)&lt;/script&gt;" in page
    row = InboundSms.objects.get(recipient=relative.recipient)
    response = leader.post(f"/sms/svar/{row.pk}/behandlet/", {"note": "Å" * 501}, follow=True)
    assert response.status_code == 200
    assert "Merknaden kan være høyst 500 tegn." in response.content.decode()
    row.refresh_from_db()
    assert row.handled_at is None
    response = leader.post(
        f"/sms/svar/{row.pk}/behandlet/", {"note": "a\x00b", "next": "//evil.example/"}
    )
    assert response.url == f"/brukere/{relative.recipient_id}/"  # never off the site
    row.refresh_from_db()
    assert row.handled_note == "ab"


def test_the_webhook_stores_replies_as_the_application_role_bound_by_rls(world, client):
    """Production connects as a role that row-level security binds: the look-up and the
    per-organization inserts, and the platform table, all work through the wall."""
    from django.conf import settings
    from django.db import connection

    from seniorene.accounts.tenancy import db_set_tenant

    if connection.vendor != "postgresql":
        pytest.skip("row-level security exists only on PostgreSQL")
    relative_with_consent(world.home.dept_a, phone=PHONE)
    relative_with_consent(world.other.dept_a, phone=PHONE)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {settings.DATABASE_APP_ROLE}")
    try:
        reply(client)
        reply(client, phone="+4791234500", body="Ukjent", sid="SM" + "8" * 32)
        # (The test's one transaction kept the last tenant the webhook set: clear it.)
        db_set_tenant(None, local=True)
        assert not InboundSms.objects.exists()  # no tenant set: the wall shows nothing
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert sorted(InboundSms.objects.values_list("organization_id", flat=True)) == sorted(
        [world.home.organization.pk, world.other.organization.pk]
    )
    assert UnmatchedInboundSms.objects.get().body == "Ukjent"
