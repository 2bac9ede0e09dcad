"""Sending in batches (`sms_send_many`): only a message handed to the provider can end up
"uncertain"; the rest of a batch whose worker died goes back to the queue and is sent.

The worker is "killed" here by an exception that no `except Exception` catches, raised
inside the provider call; tests/jobs/test_bulk_send_worker.py does it with SIGKILL.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from customers.models import RecipientStatus
from messaging import services
from messaging.models import SmsMessage, SmsStatus
from seniorene.audit.models import AuditEvent
from tests.sms.conftest import NOON
from tests.sms.helpers import queue_to_relative, relative_with_consent
from tests.sms.recording_backend import RecordingBackend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("daytime")]


class Killed(BaseException):
    """The worker's end, as far as the code under test can tell: nothing handles it."""


def five_messages(world) -> list[SmsMessage]:
    return [
        queue_to_relative(relative_with_consent(world.home.dept_a), key=f"k{n}") for n in range(5)
    ]


def statuses(messages: list[SmsMessage]) -> list[str]:
    found = dict(SmsMessage.objects.values_list("pk", "status"))
    return [found[m.pk] for m in messages]


class Peeking(RecordingBackend):
    """Records what the batch's rows look like at each provider call; can die at one."""

    def __init__(self, batch: list[SmsMessage], die_at: int | None = None) -> None:
        self.batch, self.die_at, self.seen = batch, die_at, []

    def send(self, *, to: str, body: str, status_callback: str, reference: str) -> str:
        self.seen.append(statuses(self.batch))
        if len(self.seen) - 1 == self.die_at:
            raise Killed
        return super().send(to=to, body=body, status_callback=status_callback, reference=reference)


def test_a_batch_hands_over_one_message_at_a_time_and_records_each_before_the_next(
    world, recorder, monkeypatch
):
    batch = five_messages(world)
    backend = Peeking(batch)
    monkeypatch.setattr(services, "get_backend", lambda: backend)
    counts = services.sms_send_many(
        organization_id=world.home.organization.pk, message_ids=[m.pk for m in batch]
    )
    assert counts["sent"] == 5
    sent, sending, claimed = SmsStatus.SENT, SmsStatus.SENDING, SmsStatus.CLAIMED
    # At each call: the ones before it recorded "sent", it "sending", the rest "claimed".
    assert backend.seen == [[sent] * n + [sending] + [claimed] * (4 - n) for n in range(5)]
    assert statuses(batch) == [sent] * 5
    assert [m.pk for m in recorder] == [m.pk for m in batch]
    assert AuditEvent.objects.filter(action="sms.sent").count() == 5


def test_a_batch_whose_worker_died_is_sent_by_the_sweeper_except_the_one_in_flight(
    world, recorder, monkeypatch, django_capture_on_commit_callbacks
):
    batch = five_messages(world)
    backend = Peeking(batch, die_at=2)
    monkeypatch.setattr(services, "get_backend", lambda: backend)
    with pytest.raises(Killed):
        services.sms_send_many(
            organization_id=world.home.organization.pk, message_ids=[m.pk for m in batch]
        )
    sent, sending, claimed = SmsStatus.SENT, SmsStatus.SENDING, SmsStatus.CLAIMED
    assert statuses(batch) == [sent, sent, sending, claimed, claimed]
    assert [m.pk for m in recorder] == [batch[0].pk, batch[1].pk]

    # A duplicate of the batch task (the broker's redelivery) claims none of them.
    monkeypatch.setattr(services, "get_backend", RecordingBackend)
    again = services.sms_send_many(
        organization_id=world.home.organization.pk, message_ids=[m.pk for m in batch]
    )
    assert again["sent"] == 0
    # Nor does the sweeper before `STUCK_AFTER`: the worker may only be slow.
    assert services.sms_sweep(now=NOON + timedelta(minutes=5)) == {"enqueued": 0, "uncertain": 0}
    with django_capture_on_commit_callbacks(execute=True):  # the batch task runs eagerly
        found = services.sms_sweep(now=NOON + services.STUCK_AFTER + timedelta(minutes=1))
    assert found == {"enqueued": 2, "uncertain": 1}
    assert statuses(batch) == [sent, sent, SmsStatus.UNCERTAIN, sent, sent]
    # Each went to the provider once; the one in flight was not tried again.
    assert Counter(m.pk for m in recorder) == Counter({m.pk: 1 for m in batch if m != batch[2]})
    attempts = dict(SmsMessage.objects.values_list("pk", "attempts"))
    assert [attempts[m.pk] for m in batch] == [1, 1, 1, 1, 1]


def test_a_message_cancelled_while_its_batch_is_on_its_way_is_not_sent(
    world, recorder, monkeypatch
):
    batch = five_messages(world)
    last = batch[-1]

    class EndingOnFirstCall(RecordingBackend):
        def send(self, **kwargs: str) -> str:
            if not recorder:  # the recipient of the last message ends during the first call
                recipient = last.recipient
                recipient.status = RecipientStatus.ENDED
                recipient.save(update_fields=["status"])
                services.cancel_on_recipient_stop(recipient, None)
            return super().send(**kwargs)

    monkeypatch.setattr(services, "get_backend", EndingOnFirstCall)
    counts = services.sms_send_many(
        organization_id=world.home.organization.pk, message_ids=[m.pk for m in batch]
    )
    assert (counts["sent"], counts["skipped"]) == (4, 1)
    assert statuses(batch) == [SmsStatus.SENT] * 4 + [SmsStatus.CANCELLED]
    assert last.pk not in {m.pk for m in recorder}
