"""The intake's job: render the PDFs of completed interviews that are still missing.

Registered with the core's job registry (`seniorene.jobs.registry`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from omsorg.models import IntakeInterview, InterviewStatus, PdfStatus
from omsorg.tasks import render_interview_pdf
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.registry import Crontab, JobSpec, Tally, job_register

# PDFs still missing this long after the interview was completed are rendered again …
PDF_GRACE = timedelta(minutes=15)
# … for interviews completed within this window (a PDF that cannot be made stops being tried).
PDF_WINDOW = timedelta(days=7)


def pdf_retry_run(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Queue the rendering again for completed interviews whose PDF is still missing.

    The render task retries transient failures itself; this catches what it gave up on or
    never got (a lost task). Rendering twice only replaces the file.
    """
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


job_register(
    JobSpec(
        name="pdf_retry",
        label=_("Lag PDF-er som mangler"),
        run=pdf_retry_run,
        schedule=Crontab(minute="20", hour="*"),
        beat_name="Jobb: lag PDF-er som mangler",
        position=100,
    )
)
