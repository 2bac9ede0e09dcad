"""Fetch accounts objects for the current member, or 404 (never reveal other tenants)."""

from __future__ import annotations

from django.http import Http404

from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Department, Invitation, Membership
from seniorene.accounts.policy import Perm, has_perm, sees_all_departments


def get_department_for_user(request: AuthedRequest, pk: int) -> Department:
    department = Department.objects.for_organization(request.organization).filter(pk=pk).first()
    if department is None:
        raise Http404
    return department


def get_membership_for_user(request: AuthedRequest, pk: int) -> Membership:
    membership = (
        Membership.objects.for_organization(request.organization)
        .select_related("user", "organization")
        .filter(pk=pk)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def get_invitation_for_user(request: AuthedRequest, pk: int) -> Invitation:
    invitation = Invitation.objects.for_organization(request.organization).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    if has_perm(request.membership, Perm.INVITE_STAFF):
        return invitation
    # A leader only sees the invitations they sent.
    if invitation.invited_by_id != request.user.pk and not sees_all_departments(request.membership):
        raise Http404
    return invitation
