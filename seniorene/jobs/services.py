"""Running a job for one organization: record the run, claim each notice once.

Every job is a plain function ``job(*, organization_id, day, now, tally)``, registered
by its app (see `seniorene.jobs.registry`); `job_execute` wraps it in a `JobRun` row so
the admin's "Jobber" page shows the last run, how many items it handled and what failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from seniorene.accounts.models import Organization, User
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.services import audit_record
from seniorene.jobs.models import (
    DEFAULT_LATE_START_MINUTES,
    ClaimStatus,
    JobClaim,
    JobRun,
    JobSettings,
    RunStatus,
)
from seniorene.jobs.registry import Tally, job_get, job_names
from seniorene.mail import is_transient

logger = logging.getLogger(__name__)

# Job runs and claims are kept this long (every claim's window of use is at most days).
JOB_HISTORY = timedelta(days=90)


class JobTransientError(Exception):
    """Some items of a run hit a transient error and wait for the retry of the whole run."""


# --- Runs --------------------------------------------------------------------------


@contextmanager
def job_run(*, organization_id: int, job: str, day: date | None, trigger: str) -> Iterator[Tally]:
    """Record a run of `job`: a row committed before the work, finished after it.

    A run whose worker was killed stays "running" on the page: the next run (or the
    broker's redelivery) does the rest, because every job is idempotent.
    """
    with tenant_context(organization_id):
        run = JobRun.objects.create(
            organization_id=organization_id, job=job, for_date=day, trigger=trigger[:20]
        )
    tally = Tally()
    try:
        yield tally
    except Exception as exc:
        _finish(run.pk, organization_id, tally, RunStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    status = RunStatus.FAILED if tally.failed else RunStatus.OK
    _finish(run.pk, organization_id, tally, status, "; ".join(tally.notes))
    if job_get(job).keep_one_empty_run and tally.is_empty():
        with tenant_context(organization_id):
            JobRun.objects.for_organization(organization_id).filter(
                job=job, status=RunStatus.OK, handled=0, skipped=0, failed=0, note=""
            ).exclude(pk=run.pk).delete()


def _finish(run_id: int, organization_id: int, tally: Tally, status: str, note: str) -> None:
    with tenant_context(organization_id):
        JobRun.objects.filter(pk=run_id).update(
            status=status,
            finished_at=timezone.now(),
            handled=tally.handled,
            skipped=tally.skipped,
            failed=tally.failed,
            note=note[:300],
        )


def job_execute(
    *,
    organization_id: int,
    job: str,
    day: date | None = None,
    now: datetime | None = None,
    trigger: str = "beat",
) -> dict[str, int]:
    """Run `job` for one organization and record it; return its counts.

    `day` is the day the job is about (tomorrow's visits for the reminders); without
    it the job's own offset from today (Oslo) is used. Raises JobTransientError when
    some items should be tried again (the task retries the run: sent items are skipped).
    """
    spec = job_get(job)
    now = now or timezone.now()
    if day is None:
        day = timezone.localdate(now) + timedelta(days=spec.day_offset)
    with job_run(organization_id=organization_id, job=job, day=day, trigger=trigger) as tally:
        spec.run(organization_id=organization_id, day=day, now=now, tally=tally)
    if tally.transient:
        raise JobTransientError(f"{job}: {tally.transient} item(s) to try again")
    return tally.as_dict()


def last_runs(organization_id: int) -> dict[str, JobRun]:
    """The newest run of each job of the organization (one small query per job)."""
    runs = JobRun.objects.for_organization(organization_id).order_by("-started_at", "-id")
    found = {}
    for job in job_names():
        run = runs.filter(job=job).first()
        if run is not None:
            found[job] = run
    return found


def job_history_prune(*, organization_id: int, now: datetime) -> tuple[int, int]:
    """Forget the organization's job runs and claims older than `JOB_HISTORY`; return how
    many runs and claims were removed."""
    with tenant_context(organization_id):
        old_runs, _ = (
            JobRun.objects.for_organization(organization_id)
            .filter(started_at__lt=now - JOB_HISTORY)
            .delete()
        )
        old_claims, _ = (
            JobClaim.objects.for_organization(organization_id)
            .filter(created_at__lt=now - JOB_HISTORY)
            .delete()
        )
    return old_runs, old_claims


# --- Claims: a notice goes out at most once ------------------------------------------


# A notice whose sending hit a transient error this many times is given up ("failed").
NOTICE_ATTEMPTS = 3


def notice_send(*, organization_id: int, key: str, send: Callable[[], None]) -> str:
    """Send the notice `key` once; return "sent", "already", "retry" or "failed".

    The one send-once claim of the project: every job item and every notice (reminders,
    digests, the watchdog e-mail, team-meeting links, the admin's intake e-mail) goes
    through it.

    1. Find or create the claim row (unique per organization and key).
    2. Claim it with a conditional update (queued → sending) and commit: zero rows
       means it went out, or another worker has it.
    3. Call `send` outside any transaction; record the outcome. A transient error
       (`seniorene.mail.is_transient`) puts the row back in the queue for the next run,
       up to `NOTICE_ATTEMPTS` attempts; any other error fails it at once. A crash leaves
       it "sending", never resent.
    """
    now = timezone.now()
    with tenant_context(organization_id):
        claim, _created = JobClaim.objects.get_or_create(organization_id=organization_id, key=key)
        taken = JobClaim.objects.filter(pk=claim.pk, status=ClaimStatus.QUEUED).update(
            status=ClaimStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        attempts = claim.attempts + 1
    if not taken:
        return "already"
    try:
        send()
    except Exception as exc:
        if is_transient(exc) and attempts < NOTICE_ATTEMPTS:
            logger.warning("notice %s: transient error %s", key, exc)
            _claim_done(organization_id, claim.pk, ClaimStatus.QUEUED, str(exc))
            return "retry"
        logger.exception("notice %s failed", key)
        _claim_done(organization_id, claim.pk, ClaimStatus.FAILED, str(exc))
        return "failed"
    _claim_done(organization_id, claim.pk, ClaimStatus.SENT, "")
    return "sent"


def notice_state(*, organization_id: int, keys: list[str]) -> dict[str, JobClaim]:
    """The claims of `keys` that exist, by key (what a page shows of notices sent)."""
    with tenant_context(organization_id):
        claims = JobClaim.objects.for_organization(organization_id).filter(key__in=keys)
        return {c.key: c for c in claims}


def _claim_done(organization_id: int, claim_id: int, status: str, error: str) -> None:
    with tenant_context(organization_id):
        JobClaim.objects.filter(pk=claim_id, status=ClaimStatus.SENDING).update(
            status=status,
            error=error[:300],
            done_at=timezone.now() if status == ClaimStatus.SENT else None,
        )


# --- Settings ----------------------------------------------------------------------


def late_start_minutes(organization_id: int) -> int:
    """Minutes after its start before an unstarted visit alerts the leader (default 30)."""
    value = (
        JobSettings.objects.for_organization(organization_id)
        .values_list("late_start_minutes", flat=True)
        .first()
    )
    return value or DEFAULT_LATE_START_MINUTES


@transaction.atomic
def job_settings_save(
    *, organization: Organization, late_start_minutes: int, by: User | None
) -> JobSettings:
    """Store the organization's job settings (one row per organization), audited."""
    row, _created = JobSettings.objects.update_or_create(
        organization=organization, defaults={"late_start_minutes": late_start_minutes}
    )
    audit_record(
        organization=organization,
        actor=by,
        action="jobs.settings_changed",
        details={"late_start_minutes": late_start_minutes},
    )
    return row
