"""Background jobs of the intake: the interview PDF and the admin e-mail.

Tasks take the organization id with the object id: under row-level security
a task sees nothing until it has set its tenant.
"""

from __future__ import annotations

from celery import shared_task

from omsorg.models import AdminNotification
from omsorg.notices import notification_email
from omsorg.pdf import interview_render_pdf
from seniorene.accounts.tenancy import tenant_context


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


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def notify_admin_of_intake(organization_id: int, notification_id: int) -> None:
    with tenant_context(organization_id):
        notification = (
            AdminNotification.objects.for_organization(organization_id)
            .select_related("organization")
            .filter(pk=notification_id)
            .first()
        )
        if notification is not None:
            notification_email(notification=notification)
