"""What the evaluation adds to other apps' pages and to a recipient's life cycle.

Registered in `evaluations.apps.EvaluationsConfig.ready`: the history on the leader's card
(`customers.hooks.page_section`), the answers not yet read on *Følg opp* (`visits.follow_up`),
ending closes the open links, anonymising empties the comments, and the innsyn export lists
every evaluation with its answer.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.services import recipient_anonymised_label
from evaluations.figures import evaluation_figures
from evaluations.models import LOW_SATISFACTION, Evaluation
from seniorene.accounts.policy import Perm, has_perm
from seniorene.audit.services import audit_relabel

if TYPE_CHECKING:
    from django.http import HttpRequest

    from customers.hooks import Page
    from customers.models import CareRecipient
    from seniorene.accounts.http import AuthedRequest
    from seniorene.accounts.models import User
    from visits.follow_up import FollowUpSection

# The figures above the answers on *Følg opp*: the last twelve months.
FIGURES_DAYS = 365


def card_section(request: HttpRequest, recipient: CareRecipient, *, page: Page) -> dict[str, Any]:
    """On the leader's card: every evaluation of the recipient, newest first."""
    membership = getattr(request, "membership", None)
    if page != "card" or not has_perm(membership, Perm.READ_EVALUATIONS):
        return {}
    rows = list(
        Evaluation.objects.filter(recipient=recipient)
        .select_related("relative", "read_by")
        .order_by("-created_at", "-pk")[:20]
    )
    return {
        "evaluations_template": "evaluations/_card_section.html",
        "evaluations": rows,
        "evaluations_now": timezone.now(),
    }


def evaluations_close_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Ending: links not yet answered stop working now (their SMS is cancelled by messaging);
    what was answered is kept."""
    Evaluation.objects.filter(
        recipient=recipient, answered_at__isnull=True, expires_at__gt=timezone.now()
    ).update(expires_at=timezone.now())


def evaluations_anonymise_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Retention: the comments are emptied; scores, dates and departments stay (figures)."""
    rows = Evaluation.objects.filter(recipient=recipient)
    rows.update(comment="")
    audit_relabel(
        organization_id=recipient.organization_id,
        model=Evaluation,
        ids=rows.values_list("pk", flat=True),
        label=_("Evaluering: %(label)s") % {"label": recipient_anonymised_label(recipient)},
    )


def evaluations_export_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """Every evaluation about the recipient, with its answer, for innsyn."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    rows = (
        Evaluation.objects.filter(recipient=recipient)
        .select_related("relative")
        .order_by("created_at", "pk")
    )
    return {
        "evaluations": [
            {
                "person": e.relative.name if e.relative else str(recipient.name),
                "why": str(e.get_reason_display()),
                "sent": when(e.created_at),
                "expires": when(e.expires_at),
                "answered_at": when(e.answered_at),
                "satisfaction": e.satisfaction,
                "helps": str(e.get_helps_display()) if e.helps else None,
                "comment": e.comment,
            }
            for e in rows
        ]
    }


def answers_to_follow_up(
    *, organization_id: int, department_ids: Collection[int] | None
) -> QuerySet[Evaluation]:
    """Answered evaluations no leader has marked read: low scores (1–2) first, then those
    with a comment, then the rest; newest first within each."""
    rows = (
        Evaluation.objects.for_organization(organization_id)
        .filter(answered_at__isnull=False, read_at__isnull=True)
        .select_related("recipient", "relative", "department")
        .annotate(
            rank=Case(
                When(satisfaction__lte=LOW_SATISFACTION, then=Value(0)),
                When(~Q(comment=""), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "-answered_at", "-pk")
    )
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    return rows


def follow_up_section(request: AuthedRequest) -> FollowUpSection | None:
    """*Følg opp*: the answers not yet read, and the year's figures above them."""
    from visits.follow_up import FollowUpSection

    if not has_perm(request.membership, Perm.READ_EVALUATIONS):
        return None
    organization_id = request.organization.pk
    department_ids = request.scope.department_ids
    rows = list(
        answers_to_follow_up(organization_id=organization_id, department_ids=department_ids)[:100]
    )
    today = timezone.localdate()
    figures = evaluation_figures(
        organization_id=organization_id,
        department_ids=department_ids,
        start=today - timedelta(days=FIGURES_DAYS - 1),
        end=today,
    )
    return FollowUpSection(
        anchor="h-evaluations",
        title=_("Svar på evaluering"),
        count=len(rows),
        template="evaluations/_follow_up.html",
        context={"evaluations": rows, "figures": figures, "days": FIGURES_DAYS},
    )
