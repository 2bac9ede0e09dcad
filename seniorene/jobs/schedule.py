"""The beat schedule of the jobs, kept in django-celery-beat's tables (Europe/Oslo).

Used by migration ``jobs.0002_schedules`` and by ``manage.py jobs_schedule``; both are
idempotent. A schedule changed afterwards by platform staff (Django admin, "Periodic
tasks") is kept: installing again only creates what is missing, unless `reset`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

TASK = "seniorene.jobs.tasks.run_job_everywhere"
TIMEZONE = "Europe/Oslo"


@dataclass(frozen=True)
class Entry:
    job: str
    name: str
    minute: str
    hour: str


# Civil Oslo time: 17:00 stays 17:00 on the wall clock in winter and summer. Nothing runs
# between 02:00 and 03:00, the hour that is skipped in March and repeated in October.
SCHEDULE: tuple[Entry, ...] = (
    Entry("reminders", "Jobb: påminnelse til brukere om morgendagens besøk", "0", "17"),
    Entry("reminder_recheck", "Jobb: trekk tilbake påminnelser om endrede besøk", "*/5", "*"),
    Entry("senior_digest", "Jobb: morgendagens besøk til seniorene", "0", "18"),
    Entry("unlogged_senior", "Jobb: purring til senior på besøk som ikke er ført", "*/15", "*"),
    Entry("unlogged_leader", "Jobb: besøk som ikke ble ført i går, til leder", "30", "7"),
    Entry("late_start", "Jobb: varsel til leder om besøk som ikke har startet", "*/5", "*"),
    Entry("watchdog", "Jobb: brukere uten kommende besøk, til leder", "0", "7"),
    Entry("expand_plans", "Jobb: lag besøk fra besøksplanene", "30", "1"),
    Entry("retention", "Jobb: anonymiser avsluttede brukere", "30", "3"),
    Entry("pdf_retry", "Jobb: lag PDF-er som mangler", "20", "*"),
)


def schedule_install(crontab_model: Any, task_model: Any, *, reset: bool = False) -> int:
    """Create the missing periodic tasks (all with `reset`); return how many were written."""
    written = 0
    for entry in SCHEDULE:
        existing = task_model.objects.filter(name=entry.name).first()
        if existing is not None and not reset:
            continue
        crontab, _ = crontab_model.objects.get_or_create(
            minute=entry.minute,
            hour=entry.hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=TIMEZONE,
        )
        task_model.objects.update_or_create(
            name=entry.name,
            defaults={
                "task": TASK,
                "crontab": crontab,
                "interval": None,
                "args": json.dumps([entry.job]),
                "enabled": True,
            },
        )
        written += 1
    return written


def schedule_remove(task_model: Any) -> None:
    task_model.objects.filter(name__in=[e.name for e in SCHEDULE]).delete()
