"""Fetch training objects for the current member, or 404 (never reveal other tenants)."""

from __future__ import annotations

from django.http import Http404

from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Department
from seniorene.accounts.policy import Perm, has_perm
from training.models import ModuleKind, PostenStatus, Seniorposten, TeamMeeting, TrainingModule


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


def posten_departments(request: AuthedRequest) -> list[Department]:
    """The active departments the member writes Seniorposten for (a leader's own; all for
    the lead and admin), by name."""
    rows = Department.objects.for_organization(request.organization).filter(is_active=True)
    return list(request.scope.filter(rows, "pk").order_by("name"))


def get_posten_for_writer(request: AuthedRequest, pk: int) -> Seniorposten:
    """A letter of a department the member writes for, or 404."""
    issue = (
        Seniorposten.objects.for_organization(request.organization)
        .select_related("department")
        .filter(pk=pk)
        .first()
    )
    if issue is None:
        raise Http404
    if not request.scope.covers(issue.department_id):
        raise Http404
    return issue


def get_posten_for_reader(request: AuthedRequest, pk: int) -> Seniorposten:
    """A sent letter of one of the senior's departments, or 404."""
    issue = (
        Seniorposten.objects.for_organization(request.organization)
        .select_related("department")
        .filter(pk=pk, status=PostenStatus.SENT)
        .first()
    )
    if issue is None:
        raise Http404
    if issue.department_id not in request.membership.department_ids:
        raise Http404
    return issue
