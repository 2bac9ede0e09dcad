"""Staff told of what a relative did on their page: a visit cancelled, a request sent.

An e-mail each, once per visit and event (`seniorene.jobs.services.notice_send`, keyed by
the visit and the member), like the other staff notices: a time and a link, never the
recipient's name; the page behind the link checks access. The senior hears of a
cancellation (they should not go), the department's active leaders of both.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.models import Membership, Role
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send
from visits.models import Visit

What = Literal["cancelled", "request"]


def relative_change_notify(
    *, organization_id: int, visit_id: int, what: What, event_id: int
) -> list[str]:
    """E-mail the senior (a cancellation only) and the department's leaders, once per
    `event_id` (the visit, or the request); return what `notice_send` said for each.
    Members without an e-mail address are skipped."""
    with tenant_context(organization_id):
        visit = (
            Visit.objects.for_organization(organization_id)
            .select_related("recipient")
            .filter(pk=visit_id)
            .first()
        )
        if visit is None:
            return []
        leaders = list(
            Membership.objects.for_organization(organization_id)
            .filter(
                role=Role.LEADER,
                is_active=True,
                membershipdepartment__department_id=visit.recipient.department_id,
            )
            .select_related("user")
        )
        seniors = list(
            Membership.objects.for_organization(organization_id)
            .filter(pk=visit.senior_id, is_active=True)
            .select_related("user")
        )
    when = timezone.localtime(visit.starts_at)
    people: list[tuple[Membership, bool]] = [(m, False) for m in leaders]
    if what == "cancelled":
        people += [(m, True) for m in seniors]
    outcomes = []
    for member, is_senior in people:
        if not member.user.email:
            continue
        if is_senior:
            url = reverse("visits:agenda")
        elif what == "request":
            url = reverse("visits:watchdog") + "#h-visit-requests"
        else:
            url = reverse("visits:visit", args=[visit.pk])
        ctx = {
            "name": member.user.get_short_name(),
            "when": when,
            "what": what,
            "is_senior": is_senior,
            "url": settings.SITE_URL + url,
        }
        if what == "request":
            subject = _("En pårørende ber om å endre et besøk")
        else:
            subject = _("Et besøk er avlyst av pårørende")

        def send(to: str = member.user.email, subject: str = subject, ctx: Any = ctx) -> None:
            mail_send(to=[to], subject=subject, template="family/email/changed.txt", context=ctx)

        key = f"relative-{what}:{event_id}:{member.pk}"
        outcomes.append(notice_send(organization_id=organization_id, key=key, send=send))
    return outcomes
