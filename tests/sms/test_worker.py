"""R8 with real Celery workers, real Redis and PostgreSQL: duplicates and crashes send once.

Each test starts `celery worker` processes on a queue of its own, logged in to the
test database as a role bound by row-level security (as production's app role),
with a backend that appends every send to a file. Workers are killed in teardown.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from messaging import services
from messaging.models import SmsMessage, SmsStatus
from messaging.tasks import send_sms
from tests.factories import DepartmentFactory, OrganizationFactory
from tests.sms.helpers import queue_to_relative, relative_with_consent
from tests.workers import (
    Process,
    launch,
    needs_postgresql_and_redis,
    own_queue,
    sends,
    worker_args,
    worker_env,
    worker_waits_on_a_lock,
)

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql_and_redis]


@pytest.fixture
def broker(transactional_db):
    """Publish for real (not eagerly) to a queue of this test's own."""
    with own_queue("sms-test") as queue:
        yield queue


@pytest.fixture
def start_worker(worker_role, broker, tmp_path):
    """Return a function that starts a worker on the test's queue; all are killed after."""
    started: list[Process] = []
    env = worker_env(
        role=worker_role, settings_module="tests.sms.worker_settings", tmp_path=tmp_path
    )

    def start(concurrency: int = 2, send_seconds: float = 0) -> Process:
        name = f"w{len(started)}-{uuid.uuid4().hex[:6]}"
        worker = launch(
            worker_args(queue=broker, name=name, concurrency=concurrency),
            env={**env, "SMS_TEST_SEND_SECONDS": str(send_seconds)},
            log=tmp_path / f"{name}.log",
            ready=" ready.",
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def due_message(relative, key: str) -> SmsMessage:
    """A queued message that is due now; queueing it enqueues nothing (the test does)."""
    message = queue_to_relative(relative, key=key, not_before=timezone.now() + timedelta(days=1))
    SmsMessage.objects.filter(pk=message.pk).update(send_after=timezone.now())
    return message


@pytest.fixture
def relative():
    # Sending hours all day, so the test passes at any hour of the real clock.
    organization = OrganizationFactory(quiet_hours_start=0, quiet_hours_end=24)
    return relative_with_consent(DepartmentFactory(organization=organization))


def publish(message_id: int, queue: str) -> str:
    task_id = str(uuid.uuid4())
    send_sms.apply_async(args=[message_id], queue=queue, task_id=task_id)
    return task_id


def test_the_same_send_task_many_times_at_once_sends_once(relative, broker, start_worker, tmp_path):
    message = due_message(relative, "many")
    first = start_worker(concurrency=2, send_seconds=0.3)
    second = start_worker(concurrency=2, send_seconds=0.3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        task_ids = list(pool.map(lambda _n: publish(message.pk, broker), range(24)))
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline:
        done = sum(f"[{t}] succeeded" in first.text() + second.text() for t in task_ids)
        if done == len(task_ids):
            break
        time.sleep(0.1)
    assert done == len(task_ids)
    assert sends(tmp_path) == Counter({message.pk: 1})
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.SENT, 1)
    both = first.text() + second.text()
    assert both.count("'sent'") == 1
    assert both.count("'not_claimed'") == len(task_ids) - 1
    assert "succeeded" in first.text()
    assert "succeeded" in second.text()  # both workers really competed


def test_a_worker_killed_mid_send_never_causes_a_second_send(
    relative, broker, start_worker, tmp_path
):
    """SIGKILL a worker at three points; a fresh worker takes over what it held.

    - `before_claim`: blocked in its claim (a row lock the test holds). Nothing was
      committed, so the claim rolls back and the fresh worker sends it: once.
    - `after_send`: the provider has it, the worker died before storing the answer.
      The fresh worker finds it "sending" and leaves it: sent once, never twice.
    - `during_send`: died inside the provider call; nobody can know whether it went
      out. Left alone, then flagged "uncertain" by the sweeper: at most once (R8).
    """
    before_claim = due_message(relative, "before-claim")
    after_send = due_message(relative, "after-send")
    during_send = due_message(relative, "during-send")
    (tmp_path / f"hang-after-{after_send.pk}").touch()
    (tmp_path / f"hang-before-{during_send.pk}").touch()
    db = connection.settings_dict
    lock = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )
    lock.execute("SELECT id FROM sms_smsmessage WHERE id = %s FOR UPDATE", [before_claim.pk])
    try:
        doomed = start_worker(concurrency=3)
        task_ids = [publish(m.pk, broker) for m in (before_claim, after_send, during_send)]
        published = time.monotonic()
        doomed.wait_for(f"[{task_ids[0]}]")  # received
        deadline = time.monotonic() + 15
        while not (
            (tmp_path / f"reached-after-{after_send.pk}").exists()
            and (tmp_path / f"reached-before-{during_send.pk}").exists()
            and worker_waits_on_a_lock(db["NAME"])
        ):
            assert time.monotonic() < deadline, doomed.text()[-3000:]
            time.sleep(0.05)
        doomed.kill()
    finally:
        lock.rollback()
        lock.close()
    (tmp_path / f"hang-after-{after_send.pk}").unlink()
    (tmp_path / f"hang-before-{during_send.pk}").unlink()
    assert sends(tmp_path) == Counter({after_send.pk: 1})

    # The fresh worker gets the killed worker's unacknowledged tasks from the broker,
    # once they are older than the visibility timeout (1 s here, an hour in production).
    time.sleep(max(0.0, published + 1.5 - time.monotonic()))
    fresh = start_worker(concurrency=2)
    fresh.wait_for_tasks(task_ids)
    assert sends(tmp_path) == Counter({before_claim.pk: 1, after_send.pk: 1})
    statuses = dict(SmsMessage.objects.values_list("idempotency_key", "status"))
    assert statuses == {
        "before-claim": SmsStatus.SENT,
        "after-send": SmsStatus.SENDING,
        "during-send": SmsStatus.SENDING,
    }
    # Ten minutes on, the sweeper hands the two unknowns to a person; it resends nothing.
    later = timezone.now() + services.STUCK_AFTER + timedelta(minutes=1)
    assert services.sms_sweep(now=later) == {"enqueued": 0, "uncertain": 2}
    statuses = dict(SmsMessage.objects.values_list("idempotency_key", "status"))
    assert statuses["after-send"] == statuses["during-send"] == SmsStatus.UNCERTAIN
    # Even a stray duplicate task sends nothing more.
    fresh.wait_for_tasks([publish(m.pk, broker) for m in (after_send, during_send)])
    assert sends(tmp_path) == Counter({before_claim.pk: 1, after_send.pk: 1})
