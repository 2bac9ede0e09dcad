"""Background jobs of the intake: the interview PDF and the admin e-mail.

Tasks take the organization id with the object id: under row-level security
a task sees nothing until it has set its tenant.
"""

from __future__ import annotations

from celery import shared_task

from omsorg.notices import leader_notices_email, meeting_announce, notification_email
from omsorg.pdf import interview_render_pdf
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.services import JobTransientError
from seniorene.jobs.tasks import notice_task


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=3,
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
)
def render_interview_pdf(organization_id: int, interview_id: int) -> None:
    """Render the completed interview to PDF; retried with backoff, marked failed meanwhile."""
    with tenant_context(organization_id):
        interview_render_pdf(interview_id=interview_id)


@notice_task()
def notify_admin_of_intake(organization_id: int, notification_id: int) -> None:
    """E-mail the admins that a form was delivered; claimed, so never twice."""
    sent = notification_email(organization_id=organization_id, notification_id=notification_id)
    if sent == "retry":
        raise JobTransientError(f"intake notice {notification_id}")


@notice_task()
def announce_meeting(organization_id: int, interview_id: int, change: str) -> None:
    """Tell the senior a Bli kjent meeting was booked, moved or cancelled; claimed, so once."""
    sent = meeting_announce(
        organization_id=organization_id, interview_id=interview_id, change=change
    )
    if sent == "retry":
        raise JobTransientError(f"bli-kjent {interview_id} {change}")


@notice_task()
def notify_leaders_of_intake(organization_id: int, interview_id: int) -> None:
    """E-mail the department's leaders that a meeting was completed; claimed per leader."""
    sent = leader_notices_email(organization_id=organization_id, interview_id=interview_id)
    if "retry" in sent.values():
        raise JobTransientError(f"intake leaders {interview_id}")
