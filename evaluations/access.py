"""Fetch an evaluation for a leader (their departments) or the lead (all), or 404."""

from __future__ import annotations

from django.http import Http404

from evaluations.models import Evaluation
from seniorene.accounts.http import AuthedRequest


def get_evaluation_for_leader(request: AuthedRequest, pk: int) -> Evaluation:
    rows = Evaluation.objects.for_organization(request.organization)
    evaluation = request.scope.filter(rows).filter(pk=pk).first()
    if evaluation is None:
        raise Http404
    return evaluation
