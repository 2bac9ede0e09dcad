"""Celery entry points of the jobs: the beat fan-out and one run per organization.

Tasks take ids and an ISO date, never objects; `run_job` calls
`services.job_execute`, which records the run. acks_late with the broker's visibility
timeout (an hour, settings) well above the hard time limit (10 minutes): a task is
redelivered only when its worker died, and every job is idempotent, so a redelivered
or doubled run sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from seniorene.accounts.models import Organization
from seniorene.jobs import services
from seniorene.jobs.registry import JOBS, job_get
from seniorene.mail import TRANSIENT_ERRORS

RUN_SOFT_LIMIT = 540
RUN_HARD_LIMIT = 600


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=RUN_SOFT_LIMIT,
    time_limit=RUN_HARD_LIMIT,
    autoretry_for=(*TRANSIENT_ERRORS, services.JobTransientError),
    retry_backoff=60,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=4,
)
def run_job(
    self: Task[Any, Any],
    organization_id: int,
    job: str,
    day: str | None = None,
    trigger: str = "beat",
) -> dict[str, int]:
    """Run `job` for one organization for `day` (ISO date; None: the job's own day)."""
    return services.job_execute(
        organization_id=organization_id,
        job=job,
        day=date.fromisoformat(day) if day else None,
        trigger=trigger if not self.request.retries else f"{trigger}-retry",
    )


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def run_job_everywhere(job: str, now: str | None = None) -> int:
    """For the beat schedule: queue `run_job` for every organization; return how many.

    The day is fixed here, when beat fires, so a run that waits in the queue or is
    redelivered after midnight still does the right day's work.
    """
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}")
    moment = datetime.fromisoformat(now) if now else timezone.now()
    day = timezone.localdate(moment) + timedelta(days=job_get(job).day_offset)
    # Organizations are not tenant rows: the list is readable without a tenant.
    ids = list(Organization.objects.values_list("pk", flat=True))
    for organization_id in ids:
        run_job.delay(organization_id, job, day.isoformat())
    return len(ids)


def notice_task(*, seconds: int = 60) -> Callable[[Callable[..., Any]], Any]:
    """The decorator of a task that sends notices each claimed once (`JobClaim`): when a
    mail server or the SMS provider asks us to try later, the task raises
    `JobTransientError` and Celery runs it again with backoff; the claims make sure that
    nobody who was already told is told again. `seconds` is the soft time limit."""
    decorator: Callable[[Callable[..., Any]], Any] = shared_task(
        autoretry_for=(services.JobTransientError,),
        retry_backoff=60,
        max_retries=4,
        acks_late=True,
        soft_time_limit=seconds,
        time_limit=seconds + seconds // 2,
    )
    return decorator
