"""The watchdog: active recipients with no coming visit, recipients ready for a plan that
nobody has made yet, and the leaders' e-mail about them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import CareRecipient, RecipientStatus
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.scope import DepartmentScope
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send
from visits.models import (
    ACTIVE_STATUSES,
    Visit,
    VisitPlan,
)

WATCHDOG_DAYS = 14


@dataclass(frozen=True)
class WatchdogRow:
    """A recipient who may silently drop out, and why."""

    recipient: CareRecipient
    next_visit: datetime | None
    plans_end: date | None
    has_plan: bool

    @property
    def reason(self) -> str:
        if self.recipient.status == RecipientStatus.READY:
            return _("Klar for plan – ingen besøksplan ennå")
        if self.next_visit is None:
            return _("Ingen kommende besøk")
        if not self.has_plan:
            return _("Ingen løpende besøksplan etter neste besøk")
        return _("Besøksplanen slutter %(date)s") % {
            "date": cast(date, self.plans_end).strftime("%d.%m.%Y")
        }


def watchdog_list(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[WatchdogRow]:
    """Active recipients with no upcoming visit, or whose running plans all end within
    14 days (or who have none), and recipients "Klar for plan" (a good-match Bli kjent
    meeting, no plan yet: the leader's notice may have been marked seen without one), in
    one query; `department_ids` None means every department."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    running = VisitPlan.objects.filter(recipient=OuterRef("pk"), ended_at__isnull=True).filter(
        Q(last_date__isnull=True) | Q(last_date__gte=today)
    )
    rows = (
        CareRecipient.objects.for_organization(organization_id)
        .filter(status__in=(RecipientStatus.ACTIVE, RecipientStatus.READY))
        .annotate(
            next_visit=Subquery(
                Visit.objects.filter(
                    recipient=OuterRef("pk"), status__in=ACTIVE_STATUSES, starts_at__gte=now
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
            open_ended=Exists(running.filter(last_date__isnull=True)),
            has_plan=Exists(running),
            plans_end=Subquery(
                running.filter(last_date__isnull=False)
                .order_by("-last_date")
                .values("last_date")[:1]
            ),
        )
        .select_related("department")
        .order_by("department__name", "name", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    soon = today + timedelta(days=WATCHDOG_DAYS)
    found = []
    for r in rows:
        ending = not r.open_ended and r.plans_end is not None and r.plans_end <= soon
        if r.next_visit is None or not r.has_plan or ending:
            found.append(
                WatchdogRow(
                    recipient=r,
                    next_visit=r.next_visit,
                    plans_end=r.plans_end,
                    has_plan=r.has_plan,
                )
            )
    return found


def watchdog_email(*, membership_id: int, now: datetime | None = None) -> str:
    """E-mail one leader today's watchdog list; at most once a day (the notice claim
    ``watchdog:<leader>:<day>``). Returns what `notice_send` says, or "nobody" when the
    leader has nothing to follow up. No names in the e-mail: the link leads to the list.
    """
    now = now or timezone.now()
    leader = (
        Membership.objects.select_related("user", "organization")
        .filter(pk=membership_id, role=Role.LEADER, is_active=True)
        .first()
    )
    if leader is None:
        return "nobody"
    scope = DepartmentScope.of(leader)
    rows = watchdog_list(
        organization_id=scope.organization_id, department_ids=scope.department_ids, now=now
    )
    if not rows:
        return "nobody"
    count = len(rows)
    return notice_send(
        organization_id=leader.organization_id,
        key=f"watchdog:{leader.pk}:{timezone.localdate(now).isoformat()}",
        send=lambda: mail_send(
            to=[leader.user.email],
            subject=_("Brukere uten kommende besøk (%(count)s)") % {"count": count},
            template="visits/email/watchdog.txt",
            context={
                "leader": leader,
                "count": count,
                "url": settings.SITE_URL + reverse("visits:watchdog"),
            },
        ),
    )


def leaders_of(organization_id: int) -> list[int]:
    """Ids of the organization's active leaders (the watchdog e-mail's readers)."""
    return list(
        Membership.objects.for_organization(organization_id)
        .filter(role=Role.LEADER, is_active=True)
        .values_list("pk", flat=True)
    )
