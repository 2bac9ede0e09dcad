"""The senior's agenda (today first) and one visit's page on the phone."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from training.services import Clearance, training_clearance
from visits.access import (
    get_own_visit_for_senior,
)
from visits.models import (
    VisitStatus,
)
from visits.selectors import (
    senior_agenda,
    visit_after,
)


@require(Perm.VIEW_OWN_VISITS)
def agenda(request: AuthedRequest) -> HttpResponse:
    """Today first, then the next two weeks."""
    from visits.models import VisitLogDraft

    days = senior_agenda(senior=request.membership)
    today = [v.pk for d in days if d.is_today for v in d.visits]
    arrived = set(
        VisitLogDraft.objects.filter(
            visit_id__in=today, membership=request.membership, arrived_at__isnull=False
        ).values_list("visit_id", flat=True)
    )
    ctx = {"days": days, "arrived": arrived, "clearance": _clearance(request)}
    return render(request, "visits/agenda.html", ctx)


def _clearance(request: AuthedRequest) -> Clearance:
    """The senior's R6 state: until cleared, the agenda starts with the way to training."""
    return training_clearance(membership=request.membership)


@require(Perm.VIEW_OWN_VISITS)
def my_visit(request: AuthedRequest, pk: int) -> HttpResponse:
    from visits.feedback import feedback_offered
    from visits.models import VisitLogDraft

    visit = get_own_visit_for_senior(request, pk)
    after = visit_after(visit)
    is_today = timezone.localdate(visit.starts_at) == timezone.localdate()
    ctx = {
        "is_today": is_today,
        "arrived": is_today
        and VisitLogDraft.objects.filter(
            visit_id=visit.pk, membership=request.membership, arrived_at__isnull=False
        ).exists(),
        "visit": visit,
        "areas": visit.service_areas.all(),
        "after": after,
        "may_give_feedback": visit.status == VisitStatus.LOGGED
        and not after.sms
        and feedback_offered(visit),
    }
    return render(request, "visits/my_visit.html", ctx)
