"""What jobs offered to seniors add to other apps' pages and to a recipient's life cycle.

Registered in `openings.apps.OpeningsConfig.ready`: the publish entry and the jobs on the
leader's card (`customers.hooks.page_section`), ending and pausing withdraw an open job,
anonymising empties the free text, the innsyn export lists the jobs and their answers, and
jobs nobody has said yes to for `OPENING_UNANSWERED_DAYS` show on *Følg opp*
(`visits.follow_up`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.services import recipient_anonymised_label
from openings.describe import opening_when, opening_where
from openings.models import AnswerChoice, JobAnswer, JobOpening, OpeningStatus
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
    """On the leader's card: the recipient's jobs and, when the recipient is ready for one
    and has none open, the button to publish one."""
    from openings.services import kinds_allowed

    membership = getattr(request, "membership", None)
    if page != "card" or not has_perm(membership, Perm.MANAGE_OPENINGS):
        return {}
    openings = list(
        JobOpening.objects.filter(recipient=recipient)
        .select_related("chosen__user")
        .order_by("-published_at", "-pk")[:10]
    )
    has_open = any(o.status == OpeningStatus.OPEN for o in openings)
    return {
        "openings_template": "openings/leader/_card_section.html",
        "openings": openings,
        "openings_may_publish": bool(kinds_allowed(recipient)) and not has_open,
    }


def openings_anonymise_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Retention: the job's where and what (area, postal code, description, the withdrawal's
    reason) and the seniors' notes on it are emptied; kinds, times and answers stay."""
    openings = JobOpening.objects.filter(recipient=recipient)
    openings.update(area="", postal_code="", description="", withdrawn_reason="")
    answers = JobAnswer.objects.filter(opening__recipient=recipient)
    answers.update(note="")
    label = recipient_anonymised_label(recipient)
    for model, rows in ((JobOpening, openings), (JobAnswer, answers)):
        audit_relabel(
            organization_id=recipient.organization_id,
            model=model,
            ids=rows.values_list("pk", flat=True),
            label=_("Ledig jobb: %(label)s") % {"label": label},
        )


def openings_export_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """The jobs published for the recipient, with who answered what, for innsyn."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    openings = (
        JobOpening.objects.filter(recipient=recipient)
        .select_related("published_by__user", "chosen__user")
        .prefetch_related("answers__senior__user", "service_areas")
        .order_by("published_at", "pk")
    )
    return {
        "job_openings": [
            {
                "kind": str(o.get_kind_display()),
                "where": opening_where(o),
                "when": opening_when(o),
                "service_areas": [str(a.name) for a in o.service_areas.all()],
                "description": o.description,
                "status": str(o.get_status_display()),
                "published": when(o.published_at),
                "published_by": str(o.published_by.user),
                "chosen": str(o.chosen.user) if o.chosen else None,
                "chosen_at": when(o.chosen_at),
                "withdrawn_at": when(o.withdrawn_at),
                "withdrawn_reason": o.withdrawn_reason,
                "answers": [
                    {
                        "senior": str(a.senior.user),
                        "answer": str(a.get_answer_display()),
                        "note": a.note,
                        "answered_at": when(a.answered_at),
                    }
                    for a in o.answers.all()
                ],
            }
            for o in openings
        ]
    }


def unanswered_openings(
    *, organization_id: int, department_ids: Any, now: datetime | None = None
) -> list[JobOpening]:
    """Open jobs nobody has said yes to, published `OPENING_UNANSWERED_DAYS` or more ago."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.OPENING_UNANSWERED_DAYS)
    yes = JobAnswer.objects.filter(opening=OuterRef("pk"), answer=AnswerChoice.YES)
    rows = (
        JobOpening.objects.for_organization(organization_id)
        .filter(status=OpeningStatus.OPEN, published_at__lte=since)
        .filter(~Exists(yes))
        .select_related("recipient", "department")
        .order_by("published_at", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    return list(rows)


def follow_up_section(request: AuthedRequest) -> FollowUpSection | None:
    """*Følg opp*: the member's departments' jobs that nobody has said yes to."""
    from visits.follow_up import FollowUpSection

    if not has_perm(request.membership, Perm.MANAGE_OPENINGS):
        return None
    rows = unanswered_openings(
        organization_id=request.organization.pk, department_ids=request.scope.department_ids
    )
    return FollowUpSection(
        anchor="h-openings",
        title=_("Ledige jobber uten ja"),
        count=len(rows),
        template="openings/leader/_follow_up.html",
        context={"openings": rows, "days": settings.OPENING_UNANSWERED_DAYS},
    )
