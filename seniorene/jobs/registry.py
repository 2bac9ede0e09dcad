"""Every job, by name: the function that runs it for one organization and the day it is about.

`day_offset` is the day a scheduled run is about, counted from the run's Oslo date:
reminders at 17:00 are for tomorrow (+1), the leader's morning list for yesterday (-1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.models import JobClaim, JobName, JobRun
from seniorene.jobs.services import Tally
from visits import reminders

# Job runs and claims are kept this long (every claim's window of use is at most days).
JOB_HISTORY = timedelta(days=90)
# PDFs still missing this long after the interview was completed are rendered again …
PDF_GRACE = timedelta(minutes=15)
# … for interviews completed within this window (a PDF that cannot be made stops being tried).
PDF_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class JobSpec:
    run: Callable[..., None]
    day_offset: int = 0


def _watchdog(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """The planning issue's daily watchdog e-mail to each leader (claimed per leader and day)."""
    from visits.services import leaders_of, watchdog_email

    with tenant_context(organization_id):
        leader_ids = leaders_of(organization_id)
    for membership_id in leader_ids:
        with tenant_context(organization_id):
            sent = watchdog_email(membership_id=membership_id, now=now)
        tally.add("sent" if sent else "already")


def _expand_plans(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Make the visits of the rolling horizon (safe to repeat: existing visits are kept)."""
    from visits.services import plans_expand

    with tenant_context(organization_id):
        result = plans_expand(organization_id=organization_id)
    tally.handled += result.created + result.updated + result.restored + result.cancelled
    tally.notes.append(
        f"created {result.created}, updated {result.updated}, "
        f"restored {result.restored}, cancelled {result.cancelled}"
    )


def _retention(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Anonymise ended recipients whose retention period has passed (one transaction each);
    forget job runs and claims older than `JOB_HISTORY`."""
    from customers.services import recipient_anonymise, recipients_due_for_anonymisation

    with tenant_context(organization_id):
        ids = list(
            recipients_due_for_anonymisation(organization_id=organization_id, now=now).values_list(
                "pk", flat=True
            )
        )
    for recipient_id in ids:
        with tenant_context(organization_id):
            from customers.models import CareRecipient

            recipient = CareRecipient.objects.for_organization(organization_id).get(pk=recipient_id)
            recipient_anonymise(recipient=recipient)
        tally.handled += 1
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
    if old_runs or old_claims:
        tally.notes.append(f"removed {old_runs} old job runs, {old_claims} old claims")


def _pdf_retry(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Queue the rendering again for completed interviews whose PDF is still missing.

    The render task retries transient failures itself; this catches what it gave up on or
    never got (a lost task). Rendering twice only replaces the file.
    """
    from omsorg.models import IntakeInterview, InterviewStatus, PdfStatus
    from omsorg.tasks import render_interview_pdf

    with tenant_context(organization_id):
        ids = list(
            IntakeInterview.objects.for_organization(organization_id)
            .filter(
                status=InterviewStatus.COMPLETED,
                completed_at__lt=now - PDF_GRACE,
                completed_at__gte=now - PDF_WINDOW,
            )
            .exclude(pdf_status=PdfStatus.READY)
            .values_list("pk", flat=True)
        )
    for interview_id in ids:
        render_interview_pdf.delay(organization_id, interview_id)
        tally.handled += 1


JOBS: dict[str, JobSpec] = {
    JobName.REMINDERS: JobSpec(reminders.reminders_send, day_offset=1),
    JobName.REMINDER_RECHECK: JobSpec(reminders.reminders_recheck),
    JobName.SENIOR_DIGEST: JobSpec(reminders.senior_digests_send, day_offset=1),
    JobName.UNLOGGED_SENIOR: JobSpec(reminders.unlogged_senior_nudges),
    JobName.UNLOGGED_LEADER: JobSpec(reminders.unlogged_leader_digests, day_offset=-1),
    JobName.LATE_START: JobSpec(reminders.late_start_alerts),
    JobName.WATCHDOG: JobSpec(_watchdog),
    JobName.EXPAND_PLANS: JobSpec(_expand_plans),
    JobName.RETENTION: JobSpec(_retention),
    JobName.PDF_RETRY: JobSpec(_pdf_retry),
}
