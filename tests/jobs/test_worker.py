"""Issue 9 with real Celery workers and beat, real Redis and PostgreSQL.

- A reminder job killed (SIGKILL) in the middle of its run, and restarted by the
  broker's redelivery, sends every reminder exactly once.
- Two beat processes firing the same schedule at once send nothing twice.

Workers and beats log in as a role bound by row-level security (as production's app
role), send SMS through the recording backend (each send appends to a file), and take
every task from a queue of the test's own. All are killed in teardown.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from customers.models import ConsentPurpose, RecipientStatus
from messaging.models import SmsMessage, SmsStatus
from seniorene.jobs.models import JobRun, RunStatus
from seniorene.jobs.tasks import run_job
from tests.factories import (
    CareRecipientFactory,
    ConsentFactory,
    DepartmentFactory,
    MembershipFactory,
    OrganizationFactory,
    VisitFactory,
)
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
def queue(transactional_db):
    """Publish for real (not eagerly) to a queue of this test's own."""
    with own_queue("jobs-test") as name:
        yield name


@pytest.fixture
def start(worker_role, queue, tmp_path):
    """Return start(kind, *args): a `celery worker` or `celery beat` on the test's queue."""
    started: list[Process] = []
    env = worker_env(
        role=worker_role,
        settings_module="tests.jobs.worker_settings",
        tmp_path=tmp_path,
        JOBS_TEST_QUEUE=queue,
    )

    def begin(kind: str, concurrency: int = 2) -> Process:
        name = f"{kind}{len(started)}-{uuid.uuid4().hex[:6]}"
        if kind == "worker":
            args, ready = worker_args(queue=queue, name=name, concurrency=concurrency), " ready."
        else:
            pid, schedule = f"--pidfile={tmp_path / name}.pid", f"--schedule={tmp_path / name}"
            args, ready = ["beat", pid, schedule], "beat: Starting"
        started.append(launch(args, env=env, log=tmp_path / f"{name}.log", ready=ready))
        return started[-1]

    yield begin
    for process in started:
        process.kill()


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def visits_tomorrow(count: int):
    """`count` consenting recipients, one visit each tomorrow (sending hours all day)."""
    organization = OrganizationFactory(quiet_hours_start=0, quiet_hours_end=24)
    department = DepartmentFactory(organization=organization)
    senior = MembershipFactory(organization=organization, role="senior", departments=[department])
    visits = []
    for n in range(count):
        recipient = CareRecipientFactory(
            department=department, status=RecipientStatus.ACTIVE, phone=f"+479100{n:04d}"
        )
        ConsentFactory(recipient=recipient, relative=None, purpose=ConsentPurpose.REMINDER_SMS)
        starts = timezone.make_aware(
            dt.datetime.combine(tomorrow(), dt.time(10)) + dt.timedelta(minutes=10 * n)
        )
        visits.append(
            VisitFactory(
                recipient=recipient, senior=senior, starts_at=starts, original_starts_at=starts
            )
        )
    return organization, visits


def wait_until(condition, timeout: float = 40, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_reminder_job_killed_mid_run_and_restarted_sends_every_reminder_exactly_once(
    queue, start, tmp_path
):
    """The job queues reminders one visit at a time. The test holds a lock on the sixth
    visit, so the worker is stopped right there, five reminders in, when it is killed.
    The broker redelivers the unacknowledged job to a fresh worker (acks_late), which
    finds the five, queues the other seven, and every reminder goes out once."""
    organization, visits = visits_tomorrow(12)
    db = connection.settings_dict
    lock = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )
    lock.execute("SELECT id FROM visits_visit WHERE id = %s FOR UPDATE", [visits[5].pk])
    try:
        doomed = start("worker", concurrency=1)  # busy with the job: sends nothing meanwhile
        run_job.apply_async(
            args=[organization.pk, "reminders", tomorrow().isoformat()], queue=queue
        )
        published = time.monotonic()
        wait_until(
            lambda: worker_waits_on_a_lock(db["NAME"]) and SmsMessage.objects.count() == 5,
            what="the job to stop at the sixth visit",
        )
        doomed.kill()
    finally:
        lock.rollback()
        lock.close()
    assert sends(tmp_path) == Counter()
    assert JobRun.objects.get().status == RunStatus.RUNNING  # it never finished

    # The visibility timeout is one second here (an hour in production).
    time.sleep(max(0.0, published + 1.5 - time.monotonic()))
    start("worker", concurrency=2)
    wait_until(
        lambda: SmsMessage.objects.filter(status=SmsStatus.SENT).count() == 12,
        what="twelve reminders sent",
    )
    time.sleep(1)  # room for any duplicate to show itself
    assert sends(tmp_path) == Counter(
        {pk: 1 for pk in SmsMessage.objects.values_list("pk", flat=True)}
    )
    assert set(SmsMessage.objects.values_list("visit_id", flat=True)) == {v.pk for v in visits}
    finished = JobRun.objects.get(status=RunStatus.OK)
    assert (finished.handled, finished.skipped) == (7, 5)


def test_two_beats_firing_the_same_schedule_at_once_send_nothing_twice(queue, start, tmp_path):
    organization, visits = visits_tomorrow(6)
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.create(
        name="test: reminders every second",
        task="seniorene.jobs.tasks.run_job_everywhere",
        args='["reminders"]',
        interval=every_second,
    )
    start("worker", concurrency=2)
    first, second = start("beat"), start("beat")
    wait_until(
        lambda: (
            first.text().count("Sending due task") >= 3
            and second.text().count("Sending due task") >= 3
            and JobRun.objects.filter(status=RunStatus.OK).count() >= 6
        ),
        what="both beats firing, six finished runs",
    )
    first.kill()
    second.kill()
    wait_until(
        lambda: SmsMessage.objects.filter(status=SmsStatus.SENT).count() == 6,
        what="six reminders sent",
    )
    time.sleep(1)
    assert sends(tmp_path) == Counter(
        {pk: 1 for pk in SmsMessage.objects.values_list("pk", flat=True)}
    )
    assert SmsMessage.objects.count() == 6
    assert sum(JobRun.objects.values_list("handled", flat=True)) == 6
