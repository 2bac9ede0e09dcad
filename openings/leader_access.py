"""Fetch a job for a leader (their departments) or the lead (all), or 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from openings.models import JobOpening
from seniorene.accounts.http import AuthedRequest


def leader_openings(request: AuthedRequest) -> QuerySet[JobOpening]:
    """The jobs of the member's organization and departments."""
    rows = JobOpening.objects.for_organization(request.organization)
    return request.scope.filter(rows)


def get_opening_for_leader(request: AuthedRequest, pk: int) -> JobOpening:
    opening = (
        leader_openings(request)
        .select_related("recipient", "department", "published_by__user", "chosen__user")
        .filter(pk=pk)
        .first()
    )
    if opening is None:
        raise Http404
    return opening
