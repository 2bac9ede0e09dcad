"""Every job, by name: registered by the app it belongs to, in the app's ``jobs.py``.

The core names no app. `JobsConfig.ready` imports each installed app's ``jobs`` module
(`autodiscover_modules`), which calls `job_register`; this one list then feeds the
choices of `JobRun.job`, the beat schedule (`seniorene.jobs.schedule`) and the admin's
"Jobber" page.

A job is a plain function ``run(*, organization_id, day, now, tally)`` for one
organization. `day_offset` is the day a scheduled run is about, counted from the run's
Oslo date: reminders at 17:00 are for tomorrow (+1), the leader's morning list for
yesterday (-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from django.utils.functional import Promise

# The beat fans a job out to every organization through this task (beat rows name it).
FAN_OUT_TASK = "seniorene.jobs.tasks.run_job_everywhere"


@dataclass
class Tally:
    """What one run did; `transient` counts items that a retry should try again."""

    handled: int = 0
    skipped: int = 0
    failed: int = 0
    transient: int = 0
    notes: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when the run found nothing to do."""
        return not (self.handled or self.skipped or self.failed or self.transient or self.notes)

    def add(self, outcome: str) -> None:
        """Count one item by the outcome of `notice_send` or `sms_queue`."""
        if outcome == "sent":
            self.handled += 1
        elif outcome == "retry":
            self.failed += 1
            self.transient += 1
        elif outcome == "failed":
            self.failed += 1
        else:
            self.skipped += 1

    def as_dict(self) -> dict[str, int]:
        return {"handled": self.handled, "skipped": self.skipped, "failed": self.failed}


class JobFunction(Protocol):
    def __call__(self, *, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
        """Do the job's work for one organization; count each item in `tally`."""


@dataclass(frozen=True)
class Crontab:
    """Civil Oslo time (`minute`, `hour` in crontab syntax), every day."""

    minute: str
    hour: str


@dataclass(frozen=True)
class Interval:
    """Every `minutes` minutes."""

    minutes: int


@dataclass(frozen=True)
class JobSpec:
    """One job: its name (stored on `JobRun.job`), label, function, and beat entry.

    `beat_name` is the name of its django-celery-beat row (kept: staff may have changed
    the row by hand). `beat_task` is the task that row calls: the fan-out with the job's
    name as its argument, unless the job was scheduled under a task of its own before
    it was registered here (that task name is kept, and the task runs the job through
    `run_job` all the same).
    """

    name: str
    label: str | Promise
    run: JobFunction
    schedule: Crontab | Interval
    beat_name: str
    day_offset: int = 0
    beat_task: str = FAN_OUT_TASK
    # Where the admin's page lists the job (lowest first; ties in order of registration).
    position: int = 100
    # A job that runs every minute and mostly finds nothing keeps only its latest empty
    # run: the page still shows when it last ran, without 1,440 empty rows a day.
    keep_one_empty_run: bool = False

    @property
    def beat_args(self) -> list[str]:
        """The arguments of the beat row's task."""
        return [self.name] if self.beat_task == FAN_OUT_TASK else []


# Every registered job by name, in the order of registration (INSTALLED_APPS order).
JOBS: dict[str, JobSpec] = {}


def job_register(spec: JobSpec) -> JobSpec:
    """Add `spec` to the jobs; a second job of the same name is an error."""
    existing = JOBS.get(spec.name)
    if existing is not None and existing != spec:
        raise ValueError(f"job {spec.name!r} is registered twice")
    if len(spec.name) > 30:  # JobRun.job's max_length
        raise ValueError(f"job name {spec.name!r} is longer than 30 characters")
    JOBS[spec.name] = spec
    return spec


def job_get(name: str) -> JobSpec:
    """The job named `name`; KeyError when none is registered."""
    return JOBS[name]


def jobs_all() -> list[JobSpec]:
    """Every registered job, in the order the admin's page lists them."""
    return sorted(JOBS.values(), key=_page_position)


def job_names() -> list[str]:
    """The names of every registered job."""
    return [spec.name for spec in jobs_all()]


def job_choices() -> list[tuple[str, str | Promise]]:
    """Choices for `JobRun.job` (a callable: a new job needs no migration)."""
    return [(spec.name, spec.label) for spec in jobs_all()]


def _page_position(spec: JobSpec) -> tuple[int, int]:
    return (spec.position, list(JOBS).index(spec.name))
