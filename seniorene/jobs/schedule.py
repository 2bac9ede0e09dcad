"""The beat schedule of the jobs, kept in django-celery-beat's tables (Europe/Oslo).

Used by migration ``jobs.0002_schedules`` and by ``manage.py jobs_schedule``; both are
idempotent. A schedule changed afterwards by platform staff (Django admin, "Periodic
tasks") is kept: installing again only creates what is missing, unless `reset`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from seniorene.jobs.registry import FAN_OUT_TASK, Interval, jobs_all

TASK = FAN_OUT_TASK
TIMEZONE = "Europe/Oslo"


@dataclass(frozen=True)
class Entry:
    """One beat row: a crontab (`minute`, `hour`) or every `every_minutes` minutes."""

    job: str
    name: str
    minute: str
    hour: str
    task: str = TASK
    args: tuple[str, ...] = ()
    every_minutes: int = 0


def schedule_entries() -> tuple[Entry, ...]:
    """The beat rows of every registered job (see `seniorene.jobs.registry`).

    Civil Oslo time: 17:00 stays 17:00 on the wall clock in winter and summer. No job
    should run between 02:00 and 03:00, the hour that is skipped in March and repeated
    in October.
    """
    entries = []
    for spec in jobs_all():
        if isinstance(spec.schedule, Interval):
            minute, hour, every = "*", "*", spec.schedule.minutes
        else:
            minute, hour, every = spec.schedule.minute, spec.schedule.hour, 0
        entries.append(
            Entry(
                job=spec.name,
                name=spec.beat_name,
                minute=minute,
                hour=hour,
                task=spec.beat_task,
                args=tuple(spec.beat_args),
                every_minutes=every,
            )
        )
    return tuple(entries)


def schedule_install(
    crontab_model: Any, task_model: Any, *, interval_model: Any = None, reset: bool = False
) -> int:
    """Create the missing periodic tasks (all with `reset`); return how many were written.

    `interval_model` is needed only for jobs on an interval (without it they are left out,
    as the first migration of the schedule did).
    """
    written = 0
    for entry in schedule_entries():
        if entry.every_minutes and interval_model is None:
            continue
        existing = task_model.objects.filter(name=entry.name).first()
        if existing is not None and not reset:
            continue
        when: dict[str, Any]
        if entry.every_minutes:
            interval, _ = interval_model.objects.get_or_create(
                every=entry.every_minutes, period="minutes"
            )
            when = {"interval": interval, "crontab": None}
        else:
            crontab, _ = crontab_model.objects.get_or_create(
                minute=entry.minute,
                hour=entry.hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=TIMEZONE,
            )
            when = {"crontab": crontab, "interval": None}
        task_model.objects.update_or_create(
            name=entry.name,
            defaults={
                "task": entry.task,
                **when,
                "args": json.dumps(list(entry.args)),
                "enabled": True,
            },
        )
        written += 1
    return written


def schedule_remove(task_model: Any, *, fan_out_only: bool = False) -> None:
    """Remove the jobs' periodic tasks (only those of the fan-out task, with `fan_out_only`)."""
    names = [e.name for e in schedule_entries() if e.task == TASK or not fan_out_only]
    task_model.objects.filter(name__in=names).delete()
