"""The admin's notice that a Bli kjent form was delivered: an e-mail without its content (R3)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from omsorg.models import AdminNotification
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send


def notification_email(*, organization_id: int, notification_id: int) -> str:
    """E-mail the organization's admins (and its contact address) when the form was delivered
    (Oslo time): no form content (R3). At most once per notice (a claim, as every notice);
    returns what `notice_send` says ("sent", "already", "retry", "failed"), or "nobody"."""
    with tenant_context(organization_id):
        notification = (
            AdminNotification.objects.for_organization(organization_id)
            .select_related("organization", "interview")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "nobody"
        mail = _notification_mail(notification)
    if mail is None:
        return "nobody"
    recipients, subject, context = mail
    return notice_send(
        organization_id=organization_id,
        key=f"intake-notice:{notification_id}",
        send=lambda: mail_send(
            to=recipients,
            subject=subject,
            template="omsorg/email/intake_notice.txt",
            context=context,
        ),
    )


def _notification_mail(
    notification: AdminNotification,
) -> tuple[list[str], str, dict[str, str]] | None:
    """Who gets the notice, its subject and what the body says (None: nobody to tell)."""
    org = notification.organization
    admins = Membership.objects.for_organization(org).filter(role=Role.ADMIN, is_active=True)
    recipients = sorted(
        {m.user.email for m in admins.select_related("user")}
        | ({org.contact_email} if org.contact_email else set())
    )
    if not recipients:
        return None
    delivered = timezone.localtime(notification.interview.completed_at or notification.created_at)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Bli kjent gjennomført: %(name)s") % {"name": notification.recipient_name}
    context = {
        "recipient": notification.recipient_name,
        "senior": notification.senior_name,
        "day": date_format(delivered, "j.n.Y"),
        "time": date_format(delivered, "H.i"),
    }
    return recipients, subject, context
