"""Twilio's webhooks: signed delivery reports, and STOPP replies that withdraw consent."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.db import connection
from twilio.request_validator import RequestValidator

from customers.models import Consent, ConsentPurpose
from messaging import services
from messaging.models import SmsMessage, SmsStatus, StaffSmsConsent
from seniorene.audit.models import AuditEvent
from seniorene.sms.backends import SmsBackend
from tests.factories import ConsentFactory, RelativeFactory
from tests.sms.conftest import SITE_URL, TWILIO_TOKEN
from tests.sms.helpers import (
    queue_to_relative,
    recipient_with_consent,
    relative_with_consent,
    staff_with_consent,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("daytime", "twilio_settings")]

STATUS = "/sms/twilio/status/"
INBOUND = "/sms/twilio/inbound/"


def signed_post(client, path: str, params: dict[str, str], *, url: str | None = None, **extra):
    """POST `params` as Twilio does, signed for the public URL (or for `url`)."""
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url or SITE_URL + path, params)
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        **extra,
    )


def report(message: SmsMessage, status: str, **more: str) -> dict[str, str]:
    return {
        "MessageSid": message.provider_sid or "SM" + "1" * 32,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "To": message.to_phone,
        **more,
    }


@pytest.fixture
def sent(world, recorder) -> SmsMessage:
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    services.sms_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_a_signed_delivery_report_marks_the_message_delivered(client, sent):
    path = f"{STATUS}?m={sent.pk}"
    response = signed_post(client, path, report(sent, "delivered"))
    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.status == SmsStatus.DELIVERED
    assert sent.delivered_at is not None


def test_a_late_report_never_moves_a_message_backwards(client, sent):
    path = f"{STATUS}?m={sent.pk}"
    signed_post(client, path, report(sent, "delivered"))
    for late in ("sent", "queued", "sending", "failed", "undelivered"):
        assert signed_post(client, path, report(sent, late)).status_code == 204
        sent.refresh_from_db()
        assert sent.status == SmsStatus.DELIVERED, late


def test_an_undelivered_report_fails_the_message_with_the_code(client, sent):
    path = f"{STATUS}?m={sent.pk}"
    signed_post(client, path, report(sent, "undelivered", ErrorCode="30003"))
    sent.refresh_from_db()
    assert (sent.status, sent.error_code) == (SmsStatus.FAILED, "30003")
    assert AuditEvent.objects.filter(action="sms.undelivered", object_id=str(sent.pk)).exists()


def test_a_report_for_another_provider_id_changes_nothing(client, sent):
    path = f"{STATUS}?m={sent.pk}"
    signed_post(client, path, {**report(sent, "delivered"), "MessageSid": "SMother"})
    sent.refresh_from_db()
    assert sent.status == SmsStatus.SENT


class ReportsBeforeItReturns(SmsBackend):
    """Twilio's callback can arrive before the API call has returned to us."""

    client = None

    def send(self, *, to: str, body: str, status_callback: str, reference: str) -> str:
        sid = "SM" + "7" * 32
        params = {"MessageSid": sid, "MessageStatus": "delivered", "To": to}
        response = signed_post(self.client, f"{STATUS}?m={reference}", params)
        assert response.status_code == 204
        return sid


def test_a_report_that_overtakes_the_api_answer_is_kept(world, client, settings):
    ReportsBeforeItReturns.client = client
    settings.SMS_BACKEND = f"{__name__}.ReportsBeforeItReturns"
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    services.sms_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (SmsStatus.DELIVERED, "SM" + "7" * 32)
    assert message.sent_at is not None


@pytest.mark.parametrize(
    "forgery",
    [
        "unsigned",
        "wrong token",
        "internal address",
        "tampered",
        "other message",
    ],
)
def test_an_unsigned_or_forged_report_is_refused_and_changes_nothing(client, sent, forgery):
    path = f"{STATUS}?m={sent.pk}"
    params = report(sent, "failed", ErrorCode="30003")
    if forgery == "unsigned":
        response = client.post(
            path, urlencode(params), content_type="application/x-www-form-urlencoded"
        )
    elif forgery == "wrong token":
        signature = RequestValidator("not-the-token").compute_signature(SITE_URL + path, params)
        response = client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
    elif forgery == "internal address":
        # Signed for the address behind the proxy, not the public one Twilio calls.
        response = signed_post(client, path, params, url=f"http://web:8000{path}")
    elif forgery == "tampered":
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(
            SITE_URL + path, report(sent, "delivered")
        )
        response = client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
    else:
        # A genuine signature for message 1 does not open message 2's URL.
        response = signed_post(client, path, params, url=f"{SITE_URL}{STATUS}?m={sent.pk + 1}")
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == SmsStatus.SENT


def test_behind_a_proxy_the_public_address_is_what_counts(client, sent, settings):
    settings.ALLOWED_HOSTS = ["web"]
    path = f"{STATUS}?m={sent.pk}"
    response = signed_post(
        client,
        path,
        report(sent, "delivered"),
        HTTP_HOST="web:8000",
        HTTP_X_FORWARDED_HOST="omsorg.example.no",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 204


def test_without_a_twilio_token_every_callback_is_refused(client, sent, settings):
    signature = RequestValidator("").compute_signature(SITE_URL + STATUS, {})
    settings.TWILIO_AUTH_TOKEN = ""
    response = client.post(f"{STATUS}?m={sent.pk}", {}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403


def test_the_webhooks_take_only_post(client):
    assert client.get(STATUS).status_code == 405
    assert client.get(INBOUND).status_code == 405


# --- STOPP -----------------------------------------------------------------------------


def inbound(client, phone: str, body: str):
    params = {"From": phone, "To": "+4759440000", "Body": body, "MessageSid": "SM" + "2" * 32}
    return signed_post(client, INBOUND, params)


def test_stopp_withdraws_every_sms_consent_of_that_number_and_blocks_queued_messages(
    world, client, recorder, daytime
):
    relative = relative_with_consent(world.home.dept_a, phone="+4791234567")
    recipient = relative.recipient
    reminder = ConsentFactory(
        recipient=recipient, relative=relative, purpose=ConsentPurpose.REMINDER_SMS
    )
    notebook = ConsentFactory(
        recipient=recipient, relative=relative, purpose=ConsentPurpose.NOTEBOOK_SHARING
    )
    queued = queue_to_relative(relative)
    daytime.shift(timedelta(minutes=1))
    response = inbound(client, "+4791234567", "  Stopp, takk! ")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in response.content
    consents = {c.purpose: c for c in Consent.objects.filter(relative=relative)}
    assert consents[ConsentPurpose.VISIT_SUMMARY_SMS].withdrawn_at is not None
    assert consents[ConsentPurpose.VISIT_SUMMARY_SMS].withdrawal_note == "STOPP på SMS"
    assert consents[ConsentPurpose.VISIT_SUMMARY_SMS].withdrawn_by is None
    assert consents[ConsentPurpose.REMINDER_SMS].pk == reminder.pk
    assert consents[ConsentPurpose.REMINDER_SMS].withdrawn_at is not None
    assert consents[ConsentPurpose.NOTEBOOK_SHARING].pk == notebook.pk
    assert consents[ConsentPurpose.NOTEBOOK_SHARING].withdrawn_at is None  # not an SMS consent
    assert AuditEvent.objects.filter(action="consent.withdrawn", actor=None).count() == 2
    assert AuditEvent.objects.filter(action="sms.stop_received").count() == 1
    # The message queued before the STOPP is blocked when its turn comes.
    assert services.sms_send(message_id=queued.pk) == SmsStatus.BLOCKED_NO_CONSENT
    assert recorder == []


def test_stopp_reaches_the_number_in_every_organization_and_every_role(world, client):
    phone = "+4791234567"
    home_relative = relative_with_consent(world.home.dept_a, phone=phone)
    other_relative = relative_with_consent(world.other.dept_b, phone=phone)
    recipient = recipient_with_consent(world.home.dept_b, phone=phone)
    staff = staff_with_consent(world.other.senior_a, phone=phone)
    bystander = relative_with_consent(world.home.dept_a, phone="+4791234568")
    inbound(client, phone, "STOPP SMS")
    assert not Consent.objects.filter(relative=home_relative, withdrawn_at__isnull=True).exists()
    assert not Consent.objects.filter(relative=other_relative, withdrawn_at__isnull=True).exists()
    assert not Consent.objects.filter(
        recipient=recipient, relative=None, withdrawn_at__isnull=True
    ).exists()
    assert not services.staff_may_receive_sms(membership_id=staff.pk)
    assert StaffSmsConsent.objects.get(membership=staff).withdrawal_note == "STOPP på SMS"
    assert Consent.objects.filter(relative=bystander, withdrawn_at__isnull=True).exists()
    stops = AuditEvent.objects.filter(action="sms.stop_received")
    assert sorted(e.organization_id for e in stops) == sorted(
        [world.home.organization.pk, world.other.organization.pk]
    )


@pytest.mark.parametrize("body", ["Takk for besøket!", "ikke stopp", "Stoppeklokke"])
def test_other_replies_withdraw_nothing(world, client, body):
    relative = relative_with_consent(world.home.dept_a, phone="+4791234567")
    response = inbound(client, "+4791234567", body)
    assert response.status_code == 200
    assert Consent.objects.get(relative=relative).withdrawn_at is None


def test_an_unsigned_stopp_is_refused_and_withdraws_nothing(world, client):
    relative = relative_with_consent(world.home.dept_a, phone="+4791234567")
    response = client.post(INBOUND, {"From": "+4791234567", "Body": "STOPP"})
    assert response.status_code == 403
    assert Consent.objects.get(relative=relative).withdrawn_at is None


def test_stopp_from_an_unknown_number_is_answered_and_ignored(world, client):
    RelativeFactory(recipient__department=world.home.dept_a, phone="+4791234567")
    assert inbound(client, "+4799999999", "STOPP").status_code == 200
    assert not AuditEvent.objects.filter(action="sms.stop_received").exists()


# --- Through the database wall -------------------------------------------------------------

ROLE = django_settings.DATABASE_APP_ROLE


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security exists only on PostgreSQL"
)
def test_send_report_and_stopp_work_through_the_wall(world, client, recorder):
    relative = relative_with_consent(world.home.dept_a, phone="+4791234567")
    first = queue_to_relative(relative, key="first")
    second = queue_to_relative(relative, key="second")
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sms_smsmessage")
            assert cursor.fetchone() == (0,)  # no tenant set: the wall hides every row
        assert services.sms_send(message_id=first.pk) == SmsStatus.SENT
        sid = f"rec-{first.pk}"
        path = f"{STATUS}?m={first.pk}"
        params = {"MessageSid": sid, "MessageStatus": "delivered"}
        assert signed_post(client, path, params).status_code == 204
        assert inbound(client, "+4791234567", "stopp").status_code == 200
        assert services.sms_send(message_id=second.pk) == SmsStatus.BLOCKED_NO_CONSENT
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    first.refresh_from_db()
    assert first.status == SmsStatus.DELIVERED
    assert Consent.objects.get(relative=relative).withdrawn_at is not None
