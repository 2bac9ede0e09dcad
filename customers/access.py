"""Fetch recipients and what hangs off them for the current member, or 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from customers.models import CareRecipient, Consent, Relative
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Role


def visible_recipients(request: AuthedRequest) -> QuerySet[CareRecipient]:
    """Recipients the member may see: all (lead), their departments (leader), assigned (senior)."""
    membership = request.membership
    rows = CareRecipient.objects.for_organization(request.organization)
    if membership.role == Role.SENIOR:
        return rows.filter(assignment__senior=membership)
    return request.scope.filter(rows)


def get_recipient_for_user(request: AuthedRequest, pk: int) -> CareRecipient:
    recipient = (
        visible_recipients(request)
        .select_related("department", "contact_person__user")
        .filter(pk=pk)
        .first()
    )
    if recipient is None:
        raise Http404
    return recipient


def get_relative_for_user(request: AuthedRequest, recipient: CareRecipient, pk: int) -> Relative:
    relative = Relative.objects.filter(recipient=recipient, pk=pk).first()
    if relative is None:
        raise Http404
    return relative


def get_consent_for_user(request: AuthedRequest, recipient: CareRecipient, pk: int) -> Consent:
    consent = Consent.objects.filter(recipient=recipient, pk=pk).first()
    if consent is None:
        raise Http404
    return consent
