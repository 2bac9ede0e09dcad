"""Sending: consent at the moment of sending (R4/R5), at most once (R8), ending cancels (R11)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers import hooks
from customers import services as customer_services
from customers.consent import consent_is_active
from customers.models import Consent, RecipientStatus
from messaging import services
from messaging.models import SmsAudience, SmsMessage, SmsStatus
from messaging.tasks import send_sms
from seniorene.audit.models import AuditEvent
from seniorene.sms.backends import SmsPermanentError, SmsTransientError, SmsUncertainError
from tests.sms.conftest import NOON, OSLO
from tests.sms.helpers import (
    SUMMARY,
    queue_to_relative,
    recipient_with_consent,
    relative_with_consent,
    staff_with_consent,
)
from tests.sms.recording_backend import ScriptedBackend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("daytime")]


def send(message: SmsMessage) -> str:
    result = services.sms_send(message_id=message.pk)
    message.refresh_from_db()
    return result


def test_it_sends_a_queued_message_and_records_the_provider_id(world, recorder):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    assert send(message) == SmsStatus.SENT
    assert (message.status, message.provider_sid, message.attempts) == (
        SmsStatus.SENT,
        f"rec-{message.pk}",
        1,
    )
    assert message.sent_at == NOON
    assert [m.body for m in recorder] == ["Besøket i dag gikk fint."]
    assert AuditEvent.objects.filter(action="sms.sent", object_id=str(message.pk)).count() == 1


def test_sending_twice_calls_the_backend_once(world, recorder):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    assert send(message) == SmsStatus.SENT
    assert send(message) == "not_claimed"
    send_sms.delay(message.pk)  # a duplicate task, run eagerly here
    assert len(recorder) == 1


def test_the_outbox_backend_is_the_default(world, settings):
    settings.SMS_BACKEND = "outbox"
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    send(message)
    assert (message.status, message.provider_sid) == (SmsStatus.SENT, f"outbox-{message.pk}")


def test_consent_withdrawn_after_queueing_stops_the_message(world, recorder, daytime):
    relative = relative_with_consent(world.home.dept_a)
    message = queue_to_relative(relative)
    daytime.shift(timedelta(minutes=1))
    customer_services.consent_withdraw(
        consent=Consent.objects.get(relative=relative), by=world.home.leader_a.user
    )
    assert send(message) == SmsStatus.BLOCKED_NO_CONSENT
    assert message.status == SmsStatus.BLOCKED_NO_CONSENT
    assert "trukket samtykket" in message.error_message
    assert recorder == []
    assert AuditEvent.objects.filter(action="sms.blocked_no_consent").exists()


def test_a_staff_member_who_withdraws_gets_nothing_more(world, recorder):
    senior = staff_with_consent(world.home.senior_a)
    message, _ = services.sms_queue(
        organization_id=senior.organization_id,
        to_phone=senior.user.phone,
        body="Teamsmøte torsdag kl. 10",
        purpose="team_meeting",
        audience=SmsAudience.STAFF,
        membership_id=senior.pk,
        idempotency_key="team-meeting:1",
    )
    services.staff_sms_consent_withdraw(membership=senior, by=senior.user)
    assert send(message) == SmsStatus.BLOCKED_NO_CONSENT
    assert recorder == []


def test_ending_the_recipient_cancels_queued_messages_through_the_status_page(
    world, recorder, client_for
):
    relative = relative_with_consent(world.home.dept_a)
    recipient = relative.recipient
    recipient.status = RecipientStatus.ACTIVE
    recipient.save()
    to_relative = queue_to_relative(relative)
    already_sent = queue_to_relative(relative, key="earlier")
    send(already_sent)
    response = client_for(world.home.leader_a).post(
        f"/brukere/{recipient.pk}/status/", {"to_status": "ended", "reason": "Flyttet"}
    )
    assert response.status_code == 302
    to_relative.refresh_from_db()
    already_sent.refresh_from_db()
    assert to_relative.status == SmsStatus.CANCELLED
    assert already_sent.status == SmsStatus.SENT  # what was sent stays as it was
    assert send(to_relative) == "not_claimed"
    assert [m.pk for m in recorder] == [already_sent.pk]
    event = AuditEvent.objects.get(action="sms.cancelled")
    assert (event.actor, event.details["count"]) == (world.home.leader_a.user, 1)


def test_pausing_cancels_queued_messages_too(world, recorder):
    relative = relative_with_consent(world.home.dept_a)
    relative.recipient.status = RecipientStatus.ACTIVE
    relative.recipient.save()
    message = queue_to_relative(relative)
    customer_services.recipient_change_status(
        recipient=relative.recipient, by=world.home.leader_a, to_status="paused", reason="Sykehus"
    )
    message.refresh_from_db()
    assert message.status == SmsStatus.CANCELLED


def test_the_hooks_are_registered():
    assert services.cancel_on_recipient_stop in hooks.ON_END
    assert services.cancel_on_recipient_stop in hooks.ON_PAUSE
    assert services.anonymise_for_recipient in hooks.ON_ANONYMISE
    assert services.export_for_recipient in hooks.EXPORT_SECTIONS


def test_a_recipient_ended_without_the_hook_is_still_not_messaged(world, recorder):
    relative = relative_with_consent(world.home.dept_a)
    message = queue_to_relative(relative)
    type(relative.recipient).objects.filter(pk=relative.recipient_id).update(status="ended")
    assert send(message) == SmsStatus.CANCELLED
    assert recorder == []


def test_a_changed_number_cancels_the_message(world, recorder):
    relative = relative_with_consent(world.home.dept_a)
    message = queue_to_relative(relative)
    relative.phone = "+4798765432"
    relative.save()
    assert send(message) == SmsStatus.CANCELLED
    assert "mobilnummer er endret" in message.error_message
    assert recorder == []


def test_a_message_for_the_morning_is_not_sent_at_night(world, recorder):
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=OSLO), tick=False):
        relative = relative_with_consent(world.home.dept_a)
    with time_machine.travel(datetime(2026, 3, 10, 21, 30, tzinfo=OSLO), tick=False):
        message = queue_to_relative(relative)
        assert send(message) == "deferred"
        assert message.status == SmsStatus.QUEUED
    with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=OSLO), tick=False):
        assert send(message) == SmsStatus.SENT
    assert message.sent_at == datetime(2026, 3, 11, 9, 0, tzinfo=OSLO)
    assert len(recorder) == 1


def test_a_send_that_slips_past_the_evening_waits_for_the_morning(world, recorder):
    with time_machine.travel(datetime(2026, 3, 10, 19, 58, tzinfo=OSLO), tick=False):
        message = queue_to_relative(relative_with_consent(world.home.dept_a))
    with time_machine.travel(datetime(2026, 3, 10, 20, 5, tzinfo=OSLO), tick=False):
        assert send(message) == "deferred"
    assert message.send_after == datetime(2026, 3, 11, 9, 0, tzinfo=OSLO)
    assert message.enqueued_for is None  # too far ahead for an ETA task: the sweeper sends it
    assert recorder == []


# --- Provider errors ----------------------------------------------------------------------


@pytest.fixture
def scripted(settings, recorder):
    settings.SMS_BACKEND = "tests.sms.recording_backend.ScriptedBackend"
    ScriptedBackend.script = []
    ScriptedBackend.calls = []
    return ScriptedBackend


def test_a_permanent_error_fails_the_message_without_retry(world, scripted):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    scripted.script = [SmsPermanentError("21211", "Ugyldig mobilnummer")]
    assert send(message) == SmsStatus.FAILED
    assert (message.error_code, message.error_message) == ("21211", "Ugyldig mobilnummer")
    assert send(message) == "not_claimed"
    assert scripted.calls == [message.pk]


def test_a_transient_error_puts_it_back_and_the_task_retries(world, scripted, recorder):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    scripted.script = [SmsTransientError("503", "Service Unavailable")] * 2
    with pytest.raises(SmsTransientError):
        services.sms_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (SmsStatus.QUEUED, 1, "503")
    # The task retries (eagerly here, without the backoff): one more 503, then it goes through.
    result = send_sms.apply(args=[message.pk], throw=False)
    assert result.get() == SmsStatus.SENT
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.SENT, 3)
    assert scripted.calls == [message.pk] * 3
    assert [m.pk for m in recorder] == [message.pk]


def test_it_gives_up_after_five_attempts(world, scripted):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    scripted.script = [SmsTransientError("429", "Too Many Requests")] * 10
    for _attempt in range(4):
        with pytest.raises(SmsTransientError):
            services.sms_send(message_id=message.pk)
    assert services.sms_send(message_id=message.pk) == SmsStatus.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (SmsStatus.FAILED, 5, "429")
    assert len(scripted.calls) == 5


def test_the_send_task_retries_only_transient_errors_with_backoff_and_limits():
    assert send_sms.autoretry_for == (SmsTransientError,)
    assert send_sms.retry_backoff
    assert send_sms.max_retries >= services.MAX_ATTEMPTS
    assert (send_sms.acks_late, send_sms.soft_time_limit, send_sms.time_limit) == (True, 30, 60)


def test_an_uncertain_outcome_is_never_retried(world, scripted):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    scripted.script = [SmsUncertainError("timeout", "Read timed out")]
    assert send(message) == SmsStatus.UNCERTAIN
    assert send(message) == "not_claimed"
    assert scripted.calls == [message.pk]


def test_an_unexpected_error_during_the_call_is_uncertain_too(world, scripted):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    scripted.script = [RuntimeError("boom")]
    with pytest.raises(RuntimeError):
        services.sms_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == SmsStatus.UNCERTAIN
    assert services.sms_send(message_id=message.pk) == "not_claimed"


# --- The sweeper ------------------------------------------------------------------------


def test_the_sweeper_sends_what_waited_for_the_morning(
    world, recorder, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=OSLO), tick=False):
        relative = relative_with_consent(world.home.dept_a)
    with time_machine.travel(datetime(2026, 3, 10, 22, 0, tzinfo=OSLO), tick=False):
        message = queue_to_relative(relative)
        assert services.sms_sweep() == {"enqueued": 0, "uncertain": 0}
    with (
        time_machine.travel(datetime(2026, 3, 11, 9, 0, 30, tzinfo=OSLO), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.sms_sweep() == {"enqueued": 1, "uncertain": 0}
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert [m.pk for m in recorder] == [message.pk]


def test_the_sweeper_leaves_a_message_whose_task_is_on_its_way(world, recorder):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    SmsMessage.objects.filter(pk=message.pk).update(enqueued_for=NOON)
    assert services.sms_sweep(now=NOON + timedelta(minutes=5))["enqueued"] == 0
    assert services.sms_sweep(now=NOON + timedelta(minutes=16))["enqueued"] == 1


def test_a_send_whose_worker_died_becomes_uncertain_and_is_not_resent(world, recorder):
    message = queue_to_relative(relative_with_consent(world.home.dept_a))
    # What a worker killed during the provider call leaves behind.
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.SENDING, claimed_at=NOON, attempts=1
    )
    assert services.sms_sweep(now=NOON + timedelta(minutes=5)) == {"enqueued": 0, "uncertain": 0}
    assert services.sms_sweep(now=NOON + timedelta(minutes=11)) == {"enqueued": 0, "uncertain": 1}
    assert send(message) == "not_claimed"
    assert message.status == SmsStatus.UNCERTAIN
    assert recorder == []


# --- Anonymisation and the data-access export ------------------------------------------------


def test_anonymising_removes_numbers_and_texts(world, recorder):
    relative = relative_with_consent(world.home.dept_a)
    message = queue_to_relative(relative)
    send(message)
    export = customer_services.recipient_export(recipient=relative.recipient)
    assert [row["text"] for row in export["sms"]] == ["Besøket i dag gikk fint."]
    customer_services.recipient_anonymise(recipient=relative.recipient)
    message.refresh_from_db()
    assert (message.to_phone, message.body, message.status) == ("", "", SmsStatus.SENT)


# --- Property: whatever the interleaving, consent at the moment of sending decides ----------

# (what, whose consent or message, which key or message); queueing and sending are
# drawn more often than giving and withdrawing so most runs send and block something.
operations = st.lists(
    st.tuples(
        st.sampled_from(["give", "give", "withdraw", "queue", "queue", "send", "send", "send"]),
        st.sampled_from(["self", "rel"]),
        st.integers(0, 2),
    ),
    min_size=4,
    max_size=25,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(initial=st.sets(st.sampled_from(["self", "rel"])), ops=operations)
def test_a_message_goes_out_only_under_consent_at_that_moment_and_at_most_once(
    world, recorder, daytime, initial, ops
):
    daytime.move_to(NOON)
    SmsMessage.objects.all().delete()
    Consent.objects.all().delete()
    recorder.clear()
    recipient = recipient_with_consent(world.home.dept_a, phone="+4790000001")
    Consent.objects.filter(recipient=recipient).delete()
    relative = recipient.relatives.create(
        organization=recipient.organization, name="Kari", relation="child", phone="+4790000002"
    )
    person = {"self": None, "rel": relative}
    active = {"self": False, "rel": False}
    keys: dict[str, SmsMessage] = {}
    for what, who, number in [("give", who, 0) for who in sorted(initial)] + ops:
        daytime.shift(timedelta(minutes=1))
        if what == "give":
            customer_services.consent_give(
                recipient=recipient,
                by=world.home.leader_a,
                relative=person[who],
                purpose=SUMMARY,
                given_by="recipient",
                method="verbal",
            )
            active[who] = True
        elif what == "withdraw":
            consent = Consent.objects.filter(
                recipient=recipient, relative=person[who], withdrawn_at__isnull=True
            ).first()
            if consent is not None:
                customer_services.consent_withdraw(consent=consent, by=world.home.leader_a.user)
            active[who] = False
        elif what == "queue":
            key = f"{who}:{number}"
            before = SmsMessage.objects.count()
            try:
                message, created = services.sms_queue(
                    organization_id=recipient.organization_id,
                    to_phone="+4790000001" if who == "self" else "+4790000002",
                    body="Hei",
                    purpose=SUMMARY,
                    audience=SmsAudience.RECIPIENT if who == "self" else SmsAudience.RELATIVE,
                    recipient_id=recipient.pk,
                    relative_id=relative.pk if who == "rel" else None,
                    idempotency_key=key,
                )
            except ValidationError:
                assert key not in keys
                assert not active[who]
                assert SmsMessage.objects.count() == before
            else:
                assert created is (key not in keys)
                assert created is False or active[who]
                keys.setdefault(key, message)
        elif keys:
            message = list(keys.values())[number % len(keys)]
            was = SmsMessage.objects.get(pk=message.pk).status
            sent_before = len(recorder)
            result = services.sms_send(message_id=message.pk)
            if was != SmsStatus.QUEUED:
                assert result == "not_claimed"
                assert len(recorder) == sent_before
            else:
                whose = "self" if message.audience == SmsAudience.RECIPIENT else "rel"
                expected = SmsStatus.SENT if active[whose] else SmsStatus.BLOCKED_NO_CONSENT
                assert result == expected
    sent_ids = [m.pk for m in recorder]
    assert len(sent_ids) == len(set(sent_ids))  # never twice
    for message in SmsMessage.objects.filter(pk__in=sent_ids):
        assert message.status == SmsStatus.SENT
        assert consent_is_active(
            recipient_id=recipient.pk,
            relative_id=message.consent_relative_id,
            purpose=SUMMARY,
            at=message.sent_at,
        )
