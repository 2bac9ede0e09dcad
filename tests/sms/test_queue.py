"""Queueing an SMS: consent first, one row per logical message (R8), sending hours in Oslo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from customers import services as customer_services
from customers.models import Consent, ConsentPurpose
from messaging import services
from messaging.models import SmsAudience, SmsMessage, SmsStatus
from seniorene.audit.models import AuditEvent
from tests.factories import RelativeFactory
from tests.sms.conftest import OSLO
from tests.sms.helpers import (
    SUMMARY,
    queue_to_relative,
    recipient_with_consent,
    relative_with_consent,
    staff_with_consent,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("daytime")]


def test_it_queues_a_message_to_a_relative_who_consented(world):
    relative = relative_with_consent(world.home.dept_a)
    message, created = services.sms_queue(
        organization_id=world.home.organization.pk,
        to_phone=relative.phone,
        body="Hei! Besøket gikk fint \u2013 vi gikk tur.",
        purpose=SUMMARY,
        audience=SmsAudience.RELATIVE,
        relative_id=relative.pk,
        visit_id=77,
        idempotency_key=f"visit:77:relative:{relative.pk}:{SUMMARY}",
        created_by=world.home.senior_a.user,
    )
    assert created
    assert message.status == SmsStatus.QUEUED
    assert message.recipient_id == relative.recipient_id  # taken from the relative
    assert message.to_phone == str(relative.phone.as_e164)
    assert message.body == "Hei! Besøket gikk fint - vi gikk tur."
    assert message.send_after == datetime(2026, 3, 10, 12, 0, tzinfo=OSLO)
    event = AuditEvent.objects.get(action="sms.queued")
    assert (event.actor, event.object_id) == (world.home.senior_a.user, str(message.pk))
    assert "Besøket" not in str(event.details)  # no message text in the audit trail


def test_without_consent_nothing_is_stored_and_the_reason_is_norwegian(world):
    relative = RelativeFactory(recipient__department=world.home.dept_a)
    with pytest.raises(ValidationError) as caught:
        queue_to_relative(relative)
    assert caught.value.code == "no_consent"
    assert caught.value.messages == [
        "Pårørende har ikke samtykket til denne typen SMS, eller har trukket samtykket."
    ]
    assert not SmsMessage.objects.exists()
    assert not AuditEvent.objects.filter(action="sms.queued").exists()


def test_consent_for_another_purpose_or_person_is_not_enough(world):
    relative = relative_with_consent(world.home.dept_a, purpose=ConsentPurpose.REMINDER_SMS)
    with pytest.raises(ValidationError, match="Pårørende har ikke samtykket"):
        queue_to_relative(relative)
    recipient = relative.recipient
    recipient.phone = "+4790000001"
    recipient.save()
    with pytest.raises(ValidationError, match="Brukeren har ikke samtykket"):
        services.sms_queue(
            organization_id=recipient.organization_id,
            to_phone=recipient.phone,
            body="Takk for i dag!",
            purpose=ConsentPurpose.REMINDER_SMS,
            audience=SmsAudience.RECIPIENT,
            recipient_id=recipient.pk,
            idempotency_key="r1",
        )
    assert not SmsMessage.objects.exists()


def test_a_withdrawn_consent_stops_queueing(world):
    relative = relative_with_consent(world.home.dept_a)
    consent = Consent.objects.get(relative=relative)
    customer_services.consent_withdraw(consent=consent, by=world.home.leader_a.user)
    with pytest.raises(ValidationError, match="trukket samtykket"):
        queue_to_relative(relative)


def test_an_ended_recipient_gets_no_sms(world):
    relative = relative_with_consent(world.home.dept_a)
    relative.recipient.status = "ended"
    relative.recipient.save()
    with pytest.raises(ValidationError, match="Brukeren er avsluttet") as caught:
        queue_to_relative(relative)
    assert caught.value.code == "recipient_ended"


def test_the_number_must_be_the_persons_own(world):
    relative = relative_with_consent(world.home.dept_a)
    with pytest.raises(ValidationError, match="ikke mottakerens registrerte mobilnummer"):
        queue_to_relative(relative, to_phone="+4799999999")
    assert not SmsMessage.objects.exists()


def test_another_organizations_relative_is_not_found(world):
    relative = relative_with_consent(world.other.dept_a)
    with pytest.raises(ValidationError, match="Fant ikke den pårørende"):
        services.sms_queue(
            organization_id=world.home.organization.pk,
            to_phone=relative.phone,
            body="Hei",
            purpose=SUMMARY,
            audience=SmsAudience.RELATIVE,
            relative_id=relative.pk,
            idempotency_key="x",
        )


def test_the_same_key_twice_is_one_row(world):
    relative = relative_with_consent(world.home.dept_a)
    first = queue_to_relative(relative, key="visit:5:relative:1:visit_summary_sms")
    second, created = services.sms_queue(
        organization_id=relative.organization_id,
        to_phone=relative.phone,
        body="Et annet forsøk",
        purpose=SUMMARY,
        audience=SmsAudience.RELATIVE,
        relative_id=relative.pk,
        idempotency_key="visit:5:relative:1:visit_summary_sms",
    )
    assert (second.pk, created) == (first.pk, False)
    assert SmsMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="sms.queued").count() == 1


def test_the_same_key_returns_the_row_even_after_consent_is_withdrawn(world):
    """A second press after a withdrawal finds the first message; sending blocks it."""
    relative = relative_with_consent(world.home.dept_a)
    first = queue_to_relative(relative)
    customer_services.consent_withdraw(
        consent=Consent.objects.get(relative=relative), by=world.home.leader_a.user
    )
    assert queue_to_relative(relative).pk == first.pk


def test_the_same_notice_for_a_visit_goes_once_to_a_shared_number(world):
    """A relative whose number is also the recipient's gets one visit summary (Lessons)."""
    recipient = recipient_with_consent(world.home.dept_a, phone="+4791112223")
    relative = RelativeFactory(recipient=recipient, phone="+4791112223")
    customer_services.consent_give(
        recipient=recipient,
        by=world.home.leader_a,
        relative=relative,
        purpose=SUMMARY,
        given_by="recipient",
        method="verbal",
    )
    to_recipient, created = services.sms_queue(
        organization_id=recipient.organization_id,
        to_phone="+4791112223",
        body="Takk for besøket",
        purpose=SUMMARY,
        audience=SmsAudience.RECIPIENT,
        recipient_id=recipient.pk,
        visit_id=9,
        idempotency_key=f"visit:9:recipient:{recipient.pk}:{SUMMARY}",
    )
    to_relative, again = services.sms_queue(
        organization_id=recipient.organization_id,
        to_phone="911 12 223",  # the same number, written the Norwegian way
        body="Besøket gikk fint",
        purpose=SUMMARY,
        audience=SmsAudience.RELATIVE,
        relative_id=relative.pk,
        visit_id=9,
        idempotency_key=f"visit:9:relative:{relative.pk}:{SUMMARY}",
    )
    assert created
    assert not again
    assert to_relative.pk == to_recipient.pk
    assert SmsMessage.objects.count() == 1


def test_a_staff_member_needs_their_own_consent(world):
    senior = world.home.senior_a
    senior.user.phone = "+4790000009"
    senior.user.save()

    def queue():
        return services.sms_queue(
            organization_id=senior.organization_id,
            to_phone="+4790000009",
            body="Teamsmøte torsdag",
            purpose="team_meeting",
            audience=SmsAudience.STAFF,
            membership_id=senior.pk,
            idempotency_key=f"team-meeting:{senior.pk}",
        )

    with pytest.raises(ValidationError, match="Medarbeideren har ikke samtykket"):
        queue()
    staff_with_consent(senior)
    assert services.staff_may_receive_sms(membership_id=senior.pk)
    message, created = queue()
    assert created
    assert (message.membership, message.recipient) == (senior, None)
    services.staff_sms_consent_withdraw(membership=senior, by=senior.user)
    assert not services.staff_may_receive_sms(membership_id=senior.pk)


def test_an_inactive_member_may_not_receive_sms(world):
    senior = staff_with_consent(world.home.senior_a)
    senior.is_active = False
    senior.save()
    assert not services.staff_may_receive_sms(membership_id=senior.pk)


@pytest.mark.parametrize(
    ("purpose", "audience", "who"),
    [
        ("team_meeting", SmsAudience.RELATIVE, "relative"),
        (SUMMARY, SmsAudience.STAFF, "staff"),
        ("nonsense", SmsAudience.RELATIVE, "relative"),
    ],
)
def test_purpose_and_audience_must_fit(world, purpose, audience, who):
    relative = relative_with_consent(world.home.dept_a)
    people = (
        {"relative_id": relative.pk} if who == "relative" else {"membership_id": world.home.lead.pk}
    )
    with pytest.raises(ValidationError):
        services.sms_queue(
            organization_id=relative.organization_id,
            to_phone=relative.phone,
            body="Hei",
            purpose=purpose,
            audience=audience,
            idempotency_key="k",
            **people,
        )


def test_an_empty_or_huge_body_is_refused(world):
    relative = relative_with_consent(world.home.dept_a)
    with pytest.raises(ValidationError, match="tom"):
        queue_to_relative(relative, body=" \u00a0 ")
    with pytest.raises(ValidationError, match="for lang"):
        queue_to_relative(relative, body="a" * 1600)


def test_the_send_task_is_enqueued_after_commit(
    world, recorder, django_capture_on_commit_callbacks
):
    relative = relative_with_consent(world.home.dept_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_to_relative(relative)
    assert len(callbacks) == 1
    # Tests run Celery eagerly: the committed message went straight through the backend.
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert [m.pk for m in recorder] == [message.pk]


# --- Sending hours (Oslo civil time) ---------------------------------------------------


def at_oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def consented_long_ago(department):
    with time_machine.travel(at_oslo(2026, 1, 5, 12, 0), tick=False):
        return relative_with_consent(department)


@pytest.mark.parametrize(
    ("queued", "sends"),
    [
        (at_oslo(2026, 3, 10, 21, 30), at_oslo(2026, 3, 11, 9, 0)),
        (at_oslo(2026, 3, 10, 6, 15), at_oslo(2026, 3, 10, 9, 0)),
        (at_oslo(2026, 3, 10, 0, 1), at_oslo(2026, 3, 10, 9, 0)),  # not "day-of" at 00:01
        (at_oslo(2026, 3, 10, 9, 0), at_oslo(2026, 3, 10, 9, 0)),
        (at_oslo(2026, 3, 10, 19, 59), at_oslo(2026, 3, 10, 19, 59)),
        (at_oslo(2026, 3, 10, 20, 0), at_oslo(2026, 3, 11, 9, 0)),
        # The night before summer time starts (Sunday 29 March 2026, 02:00 → 03:00).
        (at_oslo(2026, 3, 28, 21, 30), at_oslo(2026, 3, 29, 9, 0)),
        (at_oslo(2026, 3, 29, 1, 30), at_oslo(2026, 3, 29, 9, 0)),
        # The night winter time returns (Sunday 25 October 2026, 03:00 → 02:00).
        (at_oslo(2026, 10, 24, 21, 30), at_oslo(2026, 10, 25, 9, 0)),
        (at_oslo(2026, 10, 25, 2, 30), at_oslo(2026, 10, 25, 9, 0)),
    ],
)
def test_a_message_queued_outside_sending_hours_waits_for_nine(world, queued, sends):
    relative = consented_long_ago(world.home.dept_a)
    with time_machine.travel(queued, tick=False):
        message = queue_to_relative(relative)
    assert message.send_after == sends
    local = message.send_after.astimezone(OSLO)
    assert (local.hour, local.minute) == (sends.hour, sends.minute)


def test_nine_oclock_is_nine_on_the_wall_clock_on_both_sides_of_dst(world):
    relative = consented_long_ago(world.home.dept_a)
    with time_machine.travel(at_oslo(2026, 3, 28, 22, 0), tick=False):
        spring = queue_to_relative(relative, key="spring")
    with time_machine.travel(at_oslo(2026, 10, 24, 22, 0), tick=False):
        autumn = queue_to_relative(relative, key="autumn")
    # 09:00 CEST is 07:00 UTC; 09:00 CET is 08:00 UTC.
    assert spring.send_after == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert autumn.send_after == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_the_organizations_own_sending_hours_count(world):
    organization = world.home.organization
    organization.quiet_hours_start, organization.quiet_hours_end = 10, 18
    organization.save()
    relative = consented_long_ago(world.home.dept_a)
    with time_machine.travel(at_oslo(2026, 3, 10, 18, 5), tick=False):
        message = queue_to_relative(relative)
    assert message.send_after == at_oslo(2026, 3, 11, 10, 0)


def test_not_before_delays_a_reminder(world):
    relative = relative_with_consent(world.home.dept_a, purpose=ConsentPurpose.REMINDER_SMS)
    message = queue_to_relative(
        relative, purpose=ConsentPurpose.REMINDER_SMS, not_before=at_oslo(2026, 3, 12, 22, 0)
    )
    assert message.send_after == at_oslo(2026, 3, 13, 9, 0)
