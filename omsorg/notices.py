"""The admin's notice that a Bli kjent form was delivered: an e-mail without its content (R3)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from omsorg.models import AdminNotification
from seniorene.accounts.models import Membership, Role


def notification_email(*, notification: AdminNotification) -> None:
    """E-mail the organization's admins (and its contact address) when the form was delivered
    (Oslo time): no form content (R3)."""
    org = notification.organization
    admins = Membership.objects.for_organization(org).filter(role=Role.ADMIN, is_active=True)
    recipients = sorted(
        {m.user.email for m in admins.select_related("user")}
        | ({org.contact_email} if org.contact_email else set())
    )
    if not recipients:
        return
    delivered = timezone.localtime(notification.interview.completed_at or notification.created_at)
    send_mail(
        subject=_("Bli kjent gjennomført: %(name)s") % {"name": notification.recipient_name},
        message=_(
            "Bli kjent-møtet med %(recipient)s er gjennomført av %(senior)s. "
            "Skjemaet ble levert %(day)s kl. %(time)s (norsk tid).\n"
            "Se varselet i Seniorene Omsorg under Varsler."
        )
        % {
            "recipient": notification.recipient_name,
            "senior": notification.senior_name,
            "day": date_format(delivered, "j.n.Y"),
            "time": date_format(delivered, "H.i"),
        },
        from_email=None,
        recipient_list=recipients,
    )
