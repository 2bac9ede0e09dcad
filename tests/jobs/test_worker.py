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
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from customers.models import ConsentPurpose, RecipientStatus
from seniorene.celery import app as celery_app
from seniorene.jobs.models import JobRun, RunStatus
from seniorene.jobs.tasks import run_job
from seniorene.sms.models import SmsMessage, SmsStatus
from tests.factories import (
    CareRecipientFactory,
    ConsentFactory,
    DepartmentFactory,
    MembershipFactory,
    OrganizationFactory,
    VisitFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="needs PostgreSQL and Redis (REDIS_URL)",
    ),
]

BASE_DIR = Path(settings.BASE_DIR)
WORKER_ROLE = "seniorene_jobs_worker"


@dataclass
class Process:
    process: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"never logged {needle!r}:\n{self.text()[-3000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # main process and its children
        self.process.wait(timeout=10)


@pytest.fixture
def worker_role(transactional_db):
    app_role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{WORKER_ROLE}') THEN
                    CREATE ROLE {WORKER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE {app_role};
                END IF;
            END
            $$;
            """
        )
    return WORKER_ROLE


@pytest.fixture
def queue(transactional_db):
    """Publish for real (not eagerly) to a queue of this test's own."""
    name = f"jobs-test-{uuid.uuid4().hex[:12]}"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield name
    celery_app.conf.task_always_eager = eager
    with celery_app.connection_for_write() as conn:
        redis = conn.default_channel.client
        redis.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


@pytest.fixture
def start(worker_role, queue, tmp_path):
    """Return start(kind, *args): a `celery worker` or `celery beat` on the test's queue."""
    started: list[Process] = []
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.jobs.worker_settings",
        "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
            worker_role, db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SMS_TEST_DIR": str(tmp_path),
        "JOBS_TEST_QUEUE": queue,
        "PYTHONPATH": str(BASE_DIR),
    }

    def launch(kind: str, concurrency: int = 2) -> Process:
        name = f"{kind}{len(started)}-{uuid.uuid4().hex[:6]}"
        log = tmp_path / f"{name}.log"
        if kind == "worker":
            args = [
                "worker", "--pool=prefork", f"--concurrency={concurrency}", "-Q", queue,
                "-n", f"{name}@%h", "--without-mingle", "--without-gossip",
                "--without-heartbeat",
            ]  # fmt: skip
        else:
            args = ["beat", f"--pidfile={tmp_path / name}.pid", f"--schedule={tmp_path / name}"]
        process = subprocess.Popen(  # noqa: S603 - our own celery binary
            [str(BASE_DIR / ".venv/bin/celery"), "-A", "seniorene", *args, "--loglevel=INFO"],
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(Process(process, log))
        started[-1].wait_for(" ready." if kind == "worker" else "beat: Starting")
        return started[-1]

    yield launch
    for process in started:
        process.kill()


def sends(tmp_path: Path) -> Counter[int]:
    log = tmp_path / "sends.log"
    return Counter(int(line) for line in log.read_text().split()) if log.exists() else Counter()


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


def _blocked_on_a_lock(dbname: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND usename = %s AND wait_event_type = 'Lock'",
            [dbname, WORKER_ROLE],
        )
        return cursor.fetchone()[0] > 0


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
            lambda: _blocked_on_a_lock(db["NAME"]) and SmsMessage.objects.count() == 5,
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
