"""Telling the seniors when a visit changes hands: the one who had it and the one who gets it.

An e-mail to each, sent once per change (a claim keyed by the change's audit row, as every
notice: `seniorene.jobs.services.notice_send`). Like the other staff notices it names no
recipient: a time and a link; the page behind the link checks access.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.models import Membership
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send
from visits.models import Visit


def reassign_notify(
    *, organization_id: int, visit_id: int, from_id: int, to_id: int, change_id: int
) -> list[str]:
    """E-mail the senior the visit was taken from and the one it was given to.

    Returns what `notice_send` said for each ("sent", "already", …); an inactive senior or
    one without an e-mail address is skipped."""
    with tenant_context(organization_id):
        visit = Visit.objects.for_organization(organization_id).filter(pk=visit_id).first()
        seniors = {
            m.pk: m
            for m in Membership.objects.for_organization(organization_id)
            .filter(pk__in=[from_id, to_id], is_active=True)
            .select_related("user")
        }
    if visit is None:
        return []
    when = timezone.localtime(visit.starts_at)
    outcomes = []
    for membership_id, gets_it in ((from_id, False), (to_id, True)):
        senior = seniors.get(membership_id)
        if senior is None or not senior.user.email:
            continue
        url = reverse("visits:my_visit", args=[visit.pk]) if gets_it else reverse("visits:agenda")
        ctx = {
            "name": senior.user.get_short_name(),
            "when": when,
            "gets_it": gets_it,
            "url": settings.SITE_URL + url,
        }
        if gets_it:
            subject = _("Du har fått et besøk")
        else:
            subject = _("Et besøk er gitt til en annen senior")

        def send(
            to: str = senior.user.email, subject: str = subject, ctx: dict[str, Any] = ctx
        ) -> None:
            mail_send(
                to=[to],
                subject=subject,
                template="visits/email/reassigned_senior.txt",
                context=ctx,
            )

        key = f"reassigned:{change_id}:{membership_id}"
        outcomes.append(notice_send(organization_id=organization_id, key=key, send=send))
    return outcomes
