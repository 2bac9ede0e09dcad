"""The Bli kjent form as a PDF in private storage (rendered in the background)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from omsorg.defaults import DEFAULT_CRITERIA
from omsorg.models import IntakeInterview, InterviewStatus, Outcome, PdfStatus


def interview_pdf_path(interview: IntakeInterview) -> str:
    return f"interviews/{interview.organization_id}/bli-kjent-{interview.pk}.pdf"


def interview_render_pdf(*, interview_id: int) -> None:
    """Render the filled form to private storage and mark it ready (or failed)."""
    from seniorene.pdf import render_pdf

    interview = IntakeInterview.objects.select_related(
        "recipient__department", "senior__user", "organization"
    ).get(pk=interview_id)
    if interview.status != InterviewStatus.COMPLETED or interview.recipient.anonymised_at:
        return  # an anonymised recipient's answers are gone, and so is the form (retention)
    # Rendering again is harmless (the file is replaced), so retries need no claim.
    IntakeInterview.objects.filter(pk=interview_id).update(
        pdf_status=PdfStatus.PENDING, pdf_attempts=interview.pdf_attempts + 1
    )
    try:
        pdf = render_pdf("pdf/interview.html", interview_pdf_context(interview))
        path = interview_pdf_path(interview)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(pdf))
    except Exception as exc:
        IntakeInterview.objects.filter(pk=interview_id).update(
            pdf_status=PdfStatus.FAILED, pdf_error=str(exc)[:300]
        )
        raise
    IntakeInterview.objects.filter(pk=interview_id).update(
        pdf_status=PdfStatus.READY, pdf_file=path, pdf_error=""
    )


def interview_pdf_context(interview: IntakeInterview | None) -> dict[str, Any]:
    """Context for pdf/interview.html; None renders the blank form to print."""
    if interview is None:
        return {
            "interview": None,
            "criteria": [c for _k, c, _h in DEFAULT_CRITERIA[2:]],
            "outcomes": [label for _v, label in Outcome.choices],
        }
    return {
        "interview": interview,
        "recipient": interview.recipient,
        "answers": list(interview.criterion_answers.all()),
        "organization": interview.organization,
    }
