"""What the relative's page adds to other apps' pages and to a recipient's life cycle.

Registered in `family.apps.FamilyConfig.ready`: on the leader's card, each relative's page
link (working, revoked, none) with the revoke button, and the relatives' requests with
their answers (`customers.hooks.page_section`); open requests on *Følg opp*
(`visits.follow_up`); anonymising empties the requests' text; the innsyn export lists them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.relative_access import relative_page_statuses
from customers.services import recipient_anonymised_label
from family.models import RequestStatus, VisitRequest
from seniorene.accounts.policy import Perm, has_perm
from seniorene.audit.services import audit_relabel

if TYPE_CHECKING:
    from django.http import HttpRequest

    from customers.hooks import Page
    from customers.models import CareRecipient
    from seniorene.accounts.http import AuthedRequest
    from seniorene.accounts.models import User
    from visits.follow_up import FollowUpSection


def card_section(request: HttpRequest, recipient: CareRecipient, *, page: Page) -> dict[str, Any]:
    """On the leader's card: each relative's page link and the relatives' requests."""
    membership = getattr(request, "membership", None)
    if page != "card" or not has_perm(membership, Perm.VIEW_RECIPIENTS):
        return {}
    now = timezone.now()
    everyone = list(recipient.relatives.all())
    statuses = relative_page_statuses(relatives=everyone, now=now)
    relatives = [(relative, statuses[relative.pk]) for relative in everyone]
    requests = list(
        VisitRequest.objects.filter(recipient=recipient)
        .select_related("visit", "relative", "answered_by")
        .annotate(
            open_first=Case(
                When(status=RequestStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-created_at", "-pk")[:10]
    )
    return {
        "family_template": "family/leader/_card_section.html",
        "family_relatives": relatives,
        "family_requests": requests,
        "family_may_revoke": has_perm(membership, Perm.MANAGE_RECIPIENTS),
        "family_may_answer": has_perm(membership, Perm.PLAN_VISITS),
    }


def open_requests(*, organization_id: int, department_ids: Any) -> list[VisitRequest]:
    """Relatives' requests nobody has answered, oldest first."""
    rows = (
        VisitRequest.objects.for_organization(organization_id)
        .filter(status=RequestStatus.OPEN, recipient__anonymised_at__isnull=True)
        .select_related("recipient", "relative", "visit")
        .order_by("created_at", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return list(rows)


def follow_up_section(request: AuthedRequest) -> FollowUpSection | None:
    """*Følg opp*: relatives' requests to cancel or move a visit, until answered."""
    from visits.follow_up import FollowUpSection

    if not has_perm(request.membership, Perm.PLAN_VISITS):
        return None
    rows = open_requests(
        organization_id=request.organization.pk, department_ids=request.scope.department_ids
    )
    return FollowUpSection(
        anchor="h-visit-requests",
        title=_("Ønsker fra pårørende"),
        count=len(rows),
        template="family/leader/_follow_up.html",
        context={"requests": rows},
    )


def requests_anonymise_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Retention: the requests' wished time, message and answer are emptied."""
    rows = VisitRequest.objects.filter(recipient=recipient)
    rows.update(wished_time="", note="", answer="")
    audit_relabel(
        organization_id=recipient.organization_id,
        model=VisitRequest,
        ids=rows.values_list("pk", flat=True),
        label=_("Ønske fra pårørende: %(label)s")
        % {"label": recipient_anonymised_label(recipient)},
    )


def requests_export_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """The relatives' requests and the answers, for innsyn."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    rows = (
        VisitRequest.objects.filter(recipient=recipient)
        .select_related("visit", "relative", "answered_by")
        .order_by("created_at", "pk")
    )
    return {
        "visit_requests": [
            {
                "relative": r.relative.name,
                "visit_at": when(r.visit.starts_at),
                "kind": str(r.get_kind_display()),
                "wished_time": r.wished_time,
                "note": r.note,
                "status": str(r.get_status_display()),
                "at": when(r.created_at),
                "answer": r.answer,
                "by": str(r.answered_by) if r.answered_by else None,
                "answered_at": when(r.answered_at),
            }
            for r in rows
        ]
    }
