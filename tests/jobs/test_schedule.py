"""The beat schedule in the database, in Oslo civil time, across the DST changes (R10).

Beat's own scheduler decides when a job is due (`PeriodicTask.schedule.is_due`, the
code the running beat calls); the clock is moved with time-machine.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask

from messaging.models import SmsMessage
from seniorene.celery import app as celery_app
from seniorene.jobs import tasks
from seniorene.jobs.models import JobRun
from seniorene.jobs.registry import job_names
from seniorene.jobs.schedule import TASK, schedule_entries
from tests.jobs.conftest import oslo, recipient_in, visit_at

pytestmark = pytest.mark.django_db
UTC = dt.UTC
SCHEDULE = schedule_entries()
# The jobs the beat fans out through `TASK`; the team meeting and the SMS sweep keep the
# beat tasks of their own that their rows named before they were registered as jobs.
FANNED_OUT = [e for e in SCHEDULE if e.task == TASK]


def periodic(job: str) -> PeriodicTask:
    return PeriodicTask.objects.get(name=next(e.name for e in SCHEDULE if e.job == job))


def test_every_job_is_in_the_database_schedule_in_oslo_time():
    tasks_ = PeriodicTask.objects.filter(task=TASK)
    assert sorted(t.args for t in tasks_) == sorted(f'["{e.job}"]' for e in FANNED_OUT)
    assert {t.crontab.timezone.key for t in tasks_} == {"Europe/Oslo"}
    assert {e.job for e in SCHEDULE} == set(job_names())
    assert all(t.enabled for t in tasks_)


def test_the_schedule_command_is_idempotent_and_keeps_what_staff_changed():
    reminders = periodic("reminders")
    reminders.enabled = False
    reminders.save()
    out = StringIO()
    call_command("jobs_schedule", stdout=out)
    assert "0 periodic task(s) written" in out.getvalue()
    assert not periodic("reminders").enabled
    PeriodicTask.objects.filter(task=TASK).delete()
    call_command("jobs_schedule", stdout=out)
    call_command("jobs_schedule", stdout=out)
    assert PeriodicTask.objects.filter(task=TASK).count() == len(FANNED_OUT)


def test_no_daily_job_runs_in_the_hour_that_dst_skips_or_repeats():
    for entry in SCHEDULE:
        assert entry.hour == "*" or int(entry.hour) != 2, entry


def due(task: PeriodicTask, last_run: dt.datetime, at: dt.datetime) -> bool:
    with time_machine.travel(at, tick=False):
        return task.schedule.is_due(last_run).is_due


@pytest.mark.parametrize(
    ("last_run", "before", "at_hour"),
    [
        # Sunday 29 March 2026: summer time starts, 17:00 local is 15:00 UTC.
        (oslo(2026, 3, 28, 17, 0), dt.datetime(2026, 3, 29, 14, 59, tzinfo=UTC),
         dt.datetime(2026, 3, 29, 15, 0, 30, tzinfo=UTC)),
        # Sunday 25 October 2026: winter time starts, 17:00 local is 16:00 UTC.
        (oslo(2026, 10, 24, 17, 0), dt.datetime(2026, 10, 25, 15, 59, tzinfo=UTC),
         dt.datetime(2026, 10, 25, 16, 0, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_the_reminder_job_fires_at_17_oslo_time_on_the_dst_days(last_run, before, at_hour):
    reminders = periodic("reminders")
    assert not due(reminders, last_run, before)
    assert due(reminders, last_run, at_hour)


def test_the_morning_jobs_fire_at_their_local_hour_after_the_change():
    leader_list = periodic("unlogged_leader")  # 07:30
    last = oslo(2026, 3, 28, 7, 30)
    assert not due(leader_list, last, oslo(2026, 3, 29, 7, 29))
    assert due(leader_list, last, oslo(2026, 3, 29, 7, 30, 30))
    assert oslo(2026, 3, 29, 7, 30).astimezone(UTC).hour == 5  # summer time: UTC+2
    expand = periodic("expand_plans")  # 01:30, before the change at 02:00
    assert due(expand, oslo(2026, 10, 24, 1, 30), oslo(2026, 10, 25, 1, 30, 30))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fan-out test on PostgreSQL")
def test_beat_on_the_saturday_before_dst_reminds_of_sundays_visits_at_their_local_hour(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox"
    with time_machine.travel(oslo(2026, 3, 28, 9, 0), tick=False):
        sunday = visit_at(world.home, oslo(2026, 3, 29, 11, 0))
        late_sunday = visit_at(world.home, oslo(2026, 3, 29, 23, 30), recipient=recipient_in(
            world.home, phone="+4791234568"))  # fmt: skip
        visit_at(world.home, oslo(2026, 3, 30, 0, 30), recipient=recipient_in(
            world.home, phone="+4791234569"))  # fmt: skip
    beat_fires = oslo(2026, 3, 28, 17, 0)
    assert celery_app.conf.task_always_eager
    with time_machine.travel(beat_fires, tick=False):
        assert tasks.run_job_everywhere("reminders") == 2
    run = JobRun.objects.get(organization=world.home.organization)
    assert run.for_date == dt.date(2026, 3, 29)
    bodies = dict(SmsMessage.objects.values_list("visit_id", "body"))
    assert set(bodies) == {sunday.pk, late_sunday.pk}
    assert "søndag 29. mars kl. 11.00" in bodies[sunday.pk]
    assert "kl. 23.30" in bodies[late_sunday.pk]
