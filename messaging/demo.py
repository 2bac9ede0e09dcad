"""Demo SMS: Astrid's daughter Ingrid answered the summary after a visit (issue 21), so the
card shows a conversation and the leader's *Følg opp* a reply to handle."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from customers.models import CareRecipient, Relative
from messaging.inbound import inbound_receive
from messaging.models import InboundSms, SmsAudience, SmsMessage, SmsPurpose, SmsStatus
from seniorene.accounts.demo import DemoOrg

REPLY_SID = "SMdemo0000000000000000000000000001"


def seed(orgs: dict[str, DemoOrg]) -> None:
    demo = orgs["seniorene"]
    astrid = CareRecipient.objects.filter(
        organization=demo.organization, name="Astrid Ødegaard"
    ).first()
    ingrid = Relative.objects.filter(recipient=astrid, name="Ingrid Ødegaard").first()
    if astrid is None or ingrid is None or not ingrid.phone:
        return
    if InboundSms.objects.filter(organization=demo.organization, provider_sid=REPLY_SID).exists():
        return
    sent_at = timezone.now() - timedelta(hours=3)
    SmsMessage.objects.get_or_create(
        organization=demo.organization,
        idempotency_key="demo:summary:astrid",
        defaults={
            "recipient": astrid,
            "relative": ingrid,
            "audience": SmsAudience.RELATIVE,
            "purpose": SmsPurpose.VISIT_SUMMARY_SMS,
            "to_phone": ingrid.phone.as_e164,
            "body": (
                "Hei Ingrid! Ragnhild har vært hos Astrid i dag. De gikk en tur til "
                "parken og drakk kaffe. Hilsen Seniorene"
            ),
            "status": SmsStatus.DELIVERED,
            "sent_at": sent_at,
            "delivered_at": sent_at,
        },
    )
    inbound_receive(
        from_phone=ingrid.phone.as_e164,
        body="Takk! Mor har vondt i foten i dag",
        provider_sid=REPLY_SID,
        at=sent_at + timedelta(minutes=25),
    )
