"""SMS helpers for the whole suite: people who may get SMS, and the isolation suite's rows.

Other apps' tests that queue SMS use `relative_with_consent`, `recipient_with_consent`
or `staff_with_consent` to get someone the gateway will send to.
"""

from __future__ import annotations

from typing import Any

from customers.models import CareRecipient, ConsentPurpose, Relative
from messaging import services
from messaging.models import (
    InboundSms,
    InboundSmsRead,
    SmsAudience,
    SmsMessage,
    SmsPurpose,
    SmsTemplate,
    SmsTemplateKind,
    StaffSmsConsent,
)
from seniorene.accounts.models import Membership
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory

SUMMARY = ConsentPurpose.VISIT_SUMMARY_SMS


def relative_with_consent(department: Any, purpose: str = SUMMARY, **fields: Any) -> Relative:
    """A relative (with a mobile number) of a new recipient in `department`, who consented."""
    recipient = CareRecipientFactory(department=department)
    relative = RelativeFactory(recipient=recipient, **fields)
    ConsentFactory(recipient=recipient, relative=relative, purpose=purpose)
    return relative


def recipient_with_consent(
    department: Any, purpose: str = SUMMARY, phone: str = "+4790000001"
) -> CareRecipient:
    recipient = CareRecipientFactory(department=department, phone=phone)
    ConsentFactory(recipient=recipient, relative=None, purpose=purpose)
    return recipient


def staff_with_consent(membership: Membership, phone: str = "+4790000009") -> Membership:
    membership.user.phone = phone
    membership.user.save(update_fields=["phone"])
    services.staff_sms_consent_give(membership=membership, by=membership.user)
    return membership


def queue_to_relative(relative: Relative, key: str = "k1", **fields: Any) -> SmsMessage:
    fields.setdefault("body", "Besøket i dag gikk fint.")
    fields.setdefault("purpose", SUMMARY)
    fields.setdefault("to_phone", relative.phone)
    message, _created = services.sms_queue(
        organization_id=relative.organization_id,
        audience=SmsAudience.RELATIVE,
        relative_id=relative.pk,
        idempotency_key=key,
        **fields,
    )
    return message


def populate_sms_tables(world: Any) -> None:
    """A row in every SMS tenant table, for tests/isolation/test_database_wall.py."""
    home = world.home
    relative = RelativeFactory(recipient__department=home.dept_a)
    SmsMessage.objects.create(
        organization=home.organization,
        to_phone=str(relative.phone),
        body="Hei",
        purpose=SmsPurpose.VISIT_SUMMARY_SMS,
        audience=SmsAudience.RELATIVE,
        recipient=relative.recipient,
        relative=relative,
        idempotency_key="isolation",
    )
    StaffSmsConsent.objects.create(organization=home.organization, membership=home.senior_a)
    SmsTemplate.objects.create(
        organization=home.organization, kind=SmsTemplateKind.FEEDBACK_THANKS, body="Takk!"
    )
    reply = InboundSms.objects.create(
        organization=home.organization,
        recipient=relative.recipient,
        relative=relative,
        from_phone=str(relative.phone),
        body="Takk!",
    )
    InboundSmsRead.objects.create(
        organization=home.organization, message=reply, membership=home.leader_a
    )


# --- Replies (issue 21): objects for the isolation suite's Samples --------------------------


def sample_reply(cast: Any, who: Membership, dept: Any) -> dict[str, Any]:
    """A relative's reply on a recipient of `dept`."""
    relative = RelativeFactory(recipient__department=dept)
    reply = InboundSms.objects.create(
        organization=cast.organization,
        recipient=relative.recipient,
        relative=relative,
        from_phone=relative.phone.as_e164,
        body="Takk! Mor har vondt i foten i dag",
    )
    return {"pk": reply.pk}


def sample_unknown(cast: Any, who: Membership, dept: Any) -> dict[str, Any]:
    """An SMS from a number only the organization's outbox knows (admin's list)."""
    reply = InboundSms.objects.create(
        organization=cast.organization, from_phone="+4791999999", body="Hvem er dette?"
    )
    return {"pk": reply.pk}
