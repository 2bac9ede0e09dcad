"""The reminder job in batches (issue 23) does what it did one visit at a time.

Property: for any mix of recipients (consent or none, withdrawn, paused or ended, no
number), visits (planned, cancelled, already reminded) and changes between queueing
and sending (consent withdrawn, the recipient ended, a new number), the bulk path —
`reminders_queue` over batches, then `sms_send_many` — leaves the same messages with
the same texts and statuses, honours the same consents, and writes the same audit
events as `reminder_queue` and `sms_send` one by one. Both run from the same rows
(each inside a transaction that is rolled back), so only the path differs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Consent, ConsentPurpose, RecipientStatus
from messaging import services
from messaging.models import SmsMessage, SmsStatus
from seniorene.audit.models import AuditEvent
from tests.factories import (
    CareRecipientFactory,
    ConsentFactory,
    DepartmentFactory,
    MembershipFactory,
    OrganizationFactory,
    VisitFactory,
)
from tests.jobs.conftest import oslo
from visits import reminders
from visits.models import Visit, VisitStatus

pytestmark = pytest.mark.django_db

QUEUE_AT = {"evening": oslo(2026, 3, 10, 17, 0), "night": oslo(2026, 3, 10, 21, 30)}
SEND_AT = {"evening": oslo(2026, 3, 10, 17, 1), "night": oslo(2026, 3, 11, 9, 1)}

person = st.fixed_dictionaries(
    {
        "consent": st.sampled_from(["yes", "yes", "no", "withdrawn"]),
        "status": st.sampled_from(["active", "active", "paused", "ended"]),
        "phone": st.booleans(),
        "visit": st.sampled_from(["planned", "planned", "cancelled", "reminded"]),
        "then": st.sampled_from(["nothing", "nothing", "withdraw", "end", "new_phone"]),
    }
)


def build(people: list[dict[str, Any]]) -> tuple[int, list[int]]:
    """An organization with one recipient and one visit tomorrow per entry of `people`."""
    with time_machine.travel(oslo(2026, 3, 10, 8, 0), tick=False):
        organization = OrganizationFactory()
        department = DepartmentFactory(organization=organization)
        senior = MembershipFactory(
            organization=organization, role="senior", departments=[department]
        )
        visits = []
        for n, spec in enumerate(people):
            recipient = CareRecipientFactory(
                department=department,
                status=RecipientStatus.ACTIVE if spec["status"] == "active" else spec["status"],
                phone=f"+4791{n:06d}" if spec["phone"] else "",
            )
            if spec["consent"] != "no":
                ConsentFactory(
                    recipient=recipient,
                    relative=None,
                    purpose=ConsentPurpose.REMINDER_SMS,
                    withdrawn_at=oslo(2026, 3, 10, 9, 0)
                    if spec["consent"] == "withdrawn"
                    else None,
                )
            starts = oslo(2026, 3, 11, 10, 0) + dt.timedelta(minutes=15 * n)
            visit = VisitFactory(
                recipient=recipient, senior=senior, starts_at=starts, original_starts_at=starts
            )
            if spec["visit"] == "cancelled":
                Visit.objects.filter(pk=visit.pk).update(
                    status=VisitStatus.CANCELLED, cancelled_at=oslo(2026, 3, 10, 8, 0)
                )
            visits.append(visit.pk)
    # Visits reminded by an earlier run (its message still waits for the morning).
    with time_machine.travel(oslo(2026, 3, 10, 7, 0), tick=False):
        for spec, visit_id in zip(people, visits, strict=True):
            if spec["visit"] == "reminded":
                reminders.reminder_queue(organization_id=organization.pk, visit_id=visit_id)
    return organization.pk, visits


def change_before_sending(people: list[dict[str, Any]], visits: list[int]) -> None:
    for n, (spec, visit_id) in enumerate(zip(people, visits, strict=True)):
        recipient = Visit.objects.get(pk=visit_id).recipient
        if spec["then"] == "withdraw":
            Consent.objects.filter(recipient=recipient).update(
                withdrawn_at=oslo(2026, 3, 10, 17, 0)
            )
        elif spec["then"] == "end":
            type(recipient).objects.filter(pk=recipient.pk).update(status=RecipientStatus.ENDED)
        elif spec["then"] == "new_phone" and recipient.phone:
            type(recipient).objects.filter(pk=recipient.pk).update(phone=f"+4792{n:06d}")


def one_by_one(organization_id: int, visit_ids: list[int]) -> list[str]:
    return [
        reminders.reminder_queue(organization_id=organization_id, visit_id=v) for v in visit_ids
    ]


def in_batches(organization_id: int, visit_ids: list[int]) -> list[str]:
    outcomes: list[str] = []
    while visit_ids:
        done, count = reminders.reminders_queue(
            organization_id=organization_id, visit_ids=visit_ids
        )
        outcomes += done
        visit_ids = visit_ids[count:]
    return outcomes


def send_one_by_one(organization_id: int, ids: list[int]) -> None:
    for pk in ids:
        services.sms_send(message_id=pk)


def send_in_batches(organization_id: int, ids: list[int], size: int = 3) -> None:
    for start in range(0, len(ids), size):
        services.sms_send_many(
            organization_id=organization_id, message_ids=ids[start : start + size]
        )


def facts(organization_id: int, before: set[int]) -> dict[str, Any]:
    """What a person could see afterwards, with message ids replaced by their visits."""
    messages = SmsMessage.objects.filter(organization_id=organization_id)
    visit_of = {str(m.pk): m.visit_id for m in messages}
    audit = Counter(
        (
            e.action,
            e.object_type,
            visit_of.get(e.object_id),
            e.object_repr.replace(f"SMS {e.object_id} ", "SMS "),
            tuple(sorted(e.details.items())),
        )
        for e in AuditEvent.objects.filter(organization_id=organization_id).exclude(pk__in=before)
    )
    return {
        "messages": sorted(
            (
                m.visit_id,
                m.to_phone,
                m.body,
                m.status,
                m.attempts,
                m.error_code,
                m.error_message,
                m.send_after,
                m.recipient_id,
                m.audience,
                m.provider_sid.replace(str(m.pk), "ID"),
                m.claimed_at is not None,
                m.sent_at is not None,
            )
            for m in messages
        ),
        "audit": audit,
    }


def run(path: str, organization_id: int, visits: list[int], people, when: str):
    """Queue and send by `path` inside a transaction that is rolled back; return facts."""
    queue, send = {
        "one": (one_by_one, send_one_by_one),
        "bulk": (in_batches, send_in_batches),
    }[path]
    with transaction.atomic():
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        known = set(SmsMessage.objects.values_list("pk", flat=True))
        with time_machine.travel(QUEUE_AT[when], tick=False):
            outcomes = queue(organization_id, list(visits))
        change_before_sending(people, visits)
        with time_machine.travel(SEND_AT[when], tick=False):
            ids = list(SmsMessage.objects.order_by("pk").values_list("pk", flat=True))
            send(organization_id, ids)
            found = {"outcomes": outcomes, **facts(organization_id, before)}
            found["new"] = SmsMessage.objects.exclude(pk__in=known).count()
        transaction.set_rollback(True)
    return found


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(person, min_size=1, max_size=8),
    batch=st.integers(1, 4),
    when=st.sampled_from(["evening", "night"]),
)
def test_the_bulk_path_sends_the_same_messages_under_the_same_consents_with_the_same_audit(
    outbox_sms, monkeypatch, people, batch, when
):
    monkeypatch.setattr(reminders, "REMINDER_BATCH", batch)
    organization_id, visits = build(people)
    one = run("one", organization_id, visits, people, when)
    bulk = run("bulk", organization_id, visits, people, when)
    assert bulk == one
    # And what that means: a message went out only under consent at that moment.
    for spec, visit_id in zip(people, visits, strict=True):
        statuses = {m[3] for m in one["messages"] if m[0] == visit_id}
        if SmsStatus.SENT in statuses:
            assert spec["consent"] == "yes"
            assert spec["then"] != "withdraw"
