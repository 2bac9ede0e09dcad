"""Issue 23 with a real Celery worker: a worker killed (SIGKILL) in the middle of a bulk
send sends nothing twice and loses nothing but the one message it had in flight.

The reminder job runs on the worker and queues its reminders in one batch; the batch
send task (`messaging.tasks.send_sms_batch`) claims them together ("claimed") and hands
them to the recording backend one after the other (each send appends to a file and
takes 0.3 s), each marked "sending" just before. The worker is killed after a few
sends. A fresh worker gets the unacknowledged batch task again from the broker and
sends nothing; the sweeper hands the one message the killed worker left "sending" to a
person ("uncertain") and puts the untried ones back in the queue, and the fresh worker
sends each of those once; a stray duplicate task sends nothing either.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter

import pytest
from django.utils import timezone

from messaging import services
from messaging.models import SmsMessage, SmsStatus
from messaging.tasks import send_sms_batch
from seniorene.jobs.models import JobRun, RunStatus
from seniorene.jobs.tasks import run_job
from tests.jobs.test_worker import tomorrow, visits_tomorrow, wait_until
from tests.workers import (
    Process,
    launch,
    needs_postgresql_and_redis,
    own_queue,
    sends,
    worker_args,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql_and_redis]


@pytest.fixture
def queue(transactional_db):
    with own_queue("bulk-test") as name:
        yield name


@pytest.fixture
def start(worker_role, queue, tmp_path):
    """Return start(send_seconds): a `celery worker` on the test's queue (killed after)."""
    started: list[Process] = []
    env = worker_env(
        role=worker_role,
        settings_module="tests.jobs.worker_settings",
        tmp_path=tmp_path,
        JOBS_TEST_QUEUE=queue,
    )

    def begin(send_seconds: float = 0) -> Process:
        name = f"worker{len(started)}-{uuid.uuid4().hex[:6]}"
        started.append(
            launch(
                worker_args(queue=queue, name=name, concurrency=1),
                env={**env, "SMS_TEST_SEND_SECONDS": str(send_seconds)},
                log=tmp_path / f"{name}.log",
                ready=" ready.",
            )
        )
        return started[-1]

    yield begin
    for process in started:
        process.kill()


class OnQueue:
    """The batch task as the sweeper sees it, published to the test's queue (the test
    process's own default queue has no worker); keeps the ids to wait for."""

    def __init__(self, queue: str) -> None:
        self.queue, self.task_ids = queue, []

    def delay(self, organization_id: int, message_ids: list[int]) -> None:
        result = send_sms_batch.apply_async(args=[organization_id, message_ids], queue=self.queue)
        self.task_ids.append(result.id)


def test_a_worker_killed_during_a_bulk_send_loses_nothing_and_sends_nothing_twice(
    queue, start, tmp_path, monkeypatch
):
    organization, visits = visits_tomorrow(12)
    doomed = start(send_seconds=0.3)
    run_job.apply_async(args=[organization.pk, "reminders", tomorrow().isoformat()], queue=queue)
    wait_until(lambda: sum(sends(tmp_path).values()) >= 5, what="five sends of the batch")
    doomed.kill()
    published = time.monotonic()
    assert JobRun.objects.get().status == RunStatus.OK  # the job itself had finished
    assert doomed.text().count("send_sms_batch[") == 1  # one batch task for the twelve
    handed_over = sends(tmp_path)
    assert set(handed_over.values()) == {1}
    assert SmsMessage.objects.count() == 12
    # Recorded "sent"; at most one "sending" (in flight, or sent and not yet recorded);
    # the rest "claimed", never handed over.
    status = dict(SmsMessage.objects.values_list("pk", "status"))
    statuses = Counter(status.values())
    assert set(statuses) <= {SmsStatus.SENT, SmsStatus.SENDING, SmsStatus.CLAIMED}
    assert statuses[SmsStatus.SENDING] <= 1
    assert statuses[SmsStatus.CLAIMED] >= 12 - len(handed_over) - 1
    untried = {pk for pk, now in status.items() if now == SmsStatus.CLAIMED}
    assert not untried & set(handed_over)
    assert all(handed_over[pk] == 1 for pk, now in status.items() if now == SmsStatus.SENT)

    # The fresh worker gets the killed worker's unacknowledged batch task (visibility
    # timeout 1 s here) and claims nothing: every message is sent, sending or claimed.
    time.sleep(max(0.0, published + 1.5 - time.monotonic()))
    fresh = start()
    fresh.wait_for("send_sms_batch[", timeout=30)
    fresh.wait_for("succeeded", timeout=30)
    time.sleep(1)  # room for any duplicate to show itself
    assert sends(tmp_path) == handed_over

    # Ten minutes on, the sweeper hands the one that may have gone out to a person and
    # puts the untried ones back in the queue; the fresh worker sends them, once each.
    on_queue = OnQueue(queue)
    monkeypatch.setitem(services._BATCH_TASK, "batch", on_queue)
    later = timezone.now() + services.STUCK_AFTER + dt.timedelta(minutes=1)
    found = services.sms_sweep(now=later)
    assert found == {"enqueued": len(untried), "uncertain": statuses[SmsStatus.SENDING]}
    assert len(on_queue.task_ids) == 1  # fewer than `SEND_BATCH`: one batch task
    fresh.wait_for_tasks(on_queue.task_ids)
    assert sends(tmp_path) == handed_over + Counter(untried)
    final = Counter(SmsMessage.objects.values_list("status", flat=True))
    assert final == {
        SmsStatus.SENT: 12 - statuses[SmsStatus.SENDING],
        SmsStatus.UNCERTAIN: statuses[SmsStatus.SENDING],
    }
    assert all(attempts == 1 for attempts in SmsMessage.objects.values_list("attempts", flat=True))
    # A stray duplicate of the batch task sends nothing more either.
    ids = list(SmsMessage.objects.order_by("pk").values_list("pk", flat=True))
    task_id = str(uuid.uuid4())
    send_sms_batch.apply_async(args=[organization.pk, ids], queue=queue, task_id=task_id)
    fresh.wait_for_tasks([task_id])
    assert sends(tmp_path) == handed_over + Counter(untried)
    assert set(SmsMessage.objects.values_list("visit_id", flat=True)) == {v.pk for v in visits}
