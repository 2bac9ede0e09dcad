"""Fetch training objects for the current member, or 404 (never reveal other tenants)."""

from __future__ import annotations

from django.http import Http404

from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm, has_perm
from training.models import ModuleKind, TeamMeeting, TrainingModule


def get_module_for_user(request: AuthedRequest, pk: int) -> TrainingModule:
    module = (
        TrainingModule.objects.for_organization(request.organization)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if module is None:
        raise Http404
    # A module taken out of use is only there for the lead who manages the content.
    if not module.is_active and not has_perm(request.membership, Perm.MANAGE_TRAINING):
        raise Http404
    return module


def find_declaration_for_user(request: AuthedRequest) -> TrainingModule | None:
    """The organization's declaration, or None while the lead has not set one up."""
    return (
        TrainingModule.objects.for_organization(request.organization)
        .filter(kind=ModuleKind.DECLARATION)
        .first()
    )


def get_meeting_for_user(request: AuthedRequest, pk: int) -> TeamMeeting:
    meeting = TeamMeeting.objects.for_organization(request.organization).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting
