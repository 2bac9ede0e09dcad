"""The one funnel through which a senior reaches a job (STYLE.md, "Access")."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from openings.models import JobAnswer, JobOpening
from openings.senior_selectors import offered_department_ids
from seniorene.accounts.http import AuthedRequest


def get_opening_for_senior(request: AuthedRequest, pk: int) -> JobOpening:
    """The job `pk` when the senior is offered its department's jobs, answered it or was
    chosen for it; otherwise 404 (never saying that the job exists)."""
    me = request.membership
    opening = (
        JobOpening.objects.for_organization(request.organization)
        .select_related("department")
        .filter(pk=pk)
        .first()
    )
    if opening is None:
        raise Http404
    if opening.chosen_id == me.pk:
        return opening
    if JobAnswer.objects.filter(opening=opening, senior=me).exists():
        return opening
    if opening.department_id in offered_department_ids(membership=me, on=timezone.localdate()):
        return opening
    raise Http404
