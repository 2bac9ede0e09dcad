"""Change notices under a worker crash (issue 21), with a real Celery worker, real Redis and
PostgreSQL: a worker killed (SIGKILL) in the middle of sending a cancelled visit's notices
sends nothing twice and loses none; running the notice again queues nothing new.

The cancellation writes one outbox row per relative in its own transaction. A worker
takes the daughter's notice, hands it to the provider and is killed before it stores the
answer, with the son's task still unacknowledged. A fresh worker gets both tasks again from
the broker: it leaves the daughter's notice alone (it may have gone out: "sending", later
"uncertain" for a person to check, never re-sent) and sends the son's once.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import Customer
from messaging import services
from messaging.models import SmsMessage, SmsPurpose, SmsStatus
from messaging.tasks import send_sms
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory, VisitFactory
from tests.workers import (
    Process,
    launch,
    needs_postgresql_and_redis,
    own_queue,
    sends,
    worker_args,
    worker_env,
)
from visits.change_notices import VisitChange, visit_change_notify
from visits.changes import visit_cancel

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql_and_redis]


@pytest.fixture
def broker(transactional_db):
    with own_queue("change-notice-test") as queue:
        yield queue


@pytest.fixture
def start_worker(worker_role, broker, tmp_path):
    started: list[Process] = []
    env = worker_env(
        role=worker_role, settings_module="tests.sms.worker_settings", tmp_path=tmp_path
    )

    def start() -> Process:
        name = f"w{len(started)}-{uuid.uuid4().hex[:6]}"
        worker = launch(
            worker_args(queue=broker, name=name, concurrency=1),
            env=env,
            log=tmp_path / f"{name}.log",
            ready=" ready.",
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def publish(message_id: int, queue: str) -> str:
    task_id = str(uuid.uuid4())
    send_sms.apply_async(args=[message_id], queue=queue, task_id=task_id)
    return task_id


def test_a_worker_killed_mid_send_sends_no_change_notice_twice(
    world_tx, broker, start_worker, tmp_path, monkeypatch
):
    cast = world_tx
    organization = cast.organization
    # Sending hours all day: the worker runs on the real clock.
    organization.quiet_hours_start, organization.quiet_hours_end = 0, 24
    organization.save()
    recipient = CareRecipientFactory(department=cast.dept_a, status="active", name="Åse Ødegård")
    daughter = RelativeFactory(recipient=recipient, name="Ingrid Ødegård", phone="+4790011223")
    son = RelativeFactory(recipient=recipient, name="Bjørn Ødegård", phone="+4790022334")
    Customer.objects.create(
        organization=organization, recipient=recipient, kind="relative", relative=daughter
    )
    ConsentFactory(recipient=recipient, relative=daughter)
    ConsentFactory(recipient=recipient, relative=son)
    visit = VisitFactory(recipient=recipient, senior=cast.senior_a)
    # The test publishes the send tasks to its own queue (the default queue has no worker).
    monkeypatch.setattr(services, "_schedule", lambda message_id, when: None)

    visit_cancel(visit=visit, by=cast.leader_a, kind="customer", reason="Bortreist")
    rows = SmsMessage.objects.filter(purpose=SmsPurpose.VISIT_CHANGE_SMS)
    first = rows.get(relative=daughter)
    second = rows.get(relative=son)

    (tmp_path / f"hang-after-{first.pk}").touch()
    doomed = start_worker()
    task_ids = [publish(first.pk, broker), publish(second.pk, broker)]
    published = time.monotonic()
    deadline = time.monotonic() + 20
    while not (tmp_path / f"reached-after-{first.pk}").exists():
        assert time.monotonic() < deadline, doomed.text()[-3000:]
        time.sleep(0.05)
    doomed.kill()
    (tmp_path / f"hang-after-{first.pk}").unlink()
    assert sends(tmp_path) == Counter({first.pk: 1})

    # The change run again (a retry of the request, a second call): nothing new.
    visit.refresh_from_db()
    visit_change_notify(visit=visit, change=VisitChange.CANCELLED)
    with pytest.raises(ValidationError):
        visit_cancel(visit=visit, by=cast.leader_a, kind="customer", reason="Bortreist")
    assert rows.count() == 2

    # A fresh worker gets the killed worker's unacknowledged tasks again.
    time.sleep(max(0.0, published + 1.5 - time.monotonic()))
    fresh = start_worker()
    fresh.wait_for_tasks(task_ids)
    assert sends(tmp_path) == Counter({first.pk: 1, second.pk: 1})
    statuses = {m.relative_id: m.status for m in rows}
    assert statuses == {daughter.pk: SmsStatus.SENDING, second.relative_id: SmsStatus.SENT}
    # The sweeper hands the unknown one to a person; a stray task sends nothing more.
    later = timezone.now() + services.STUCK_AFTER + timedelta(minutes=1)
    assert services.sms_sweep(now=later) == {"enqueued": 0, "uncertain": 1}
    fresh.wait_for_tasks([publish(first.pk, broker), publish(second.pk, broker)])
    assert sends(tmp_path) == Counter({first.pk: 1, second.pk: 1})
