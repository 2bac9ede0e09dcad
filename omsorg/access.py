"""R3: interview content only for the assigned senior(s), the recipient's department
leaders and the professional lead. Admin sees that it happened (the notice), never this."""

from __future__ import annotations

from django.http import Http404

from customers.models import Assignment, CareRecipient
from omsorg.models import AdminNotification, IntakeInterview
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.scope import DepartmentScope


def can_read_interview(membership: Membership, interview: IntakeInterview) -> bool:
    """The R3 rule, one condition per role."""
    if interview.organization_id != membership.organization_id:
        return False
    if membership.role == Role.LEAD:
        return True
    if membership.role == Role.LEADER:
        return DepartmentScope.of(membership).covers(interview.recipient.department_id)
    if membership.role == Role.SENIOR:
        return (
            interview.senior_id == membership.pk
            or Assignment.objects.filter(
                recipient_id=interview.recipient_id, senior=membership
            ).exists()
        )
    return False


def can_read_briefing(membership: Membership, recipient: CareRecipient) -> bool:
    """R3 for what the interview learned, shown at the visit: the seniors assigned to the
    recipient now (not a stand-in who only has the visit), the leaders of the recipient's
    department and the lead. Admin never."""
    if recipient.organization_id != membership.organization_id:
        return False
    if membership.role == Role.LEAD:
        return True
    if membership.role == Role.LEADER:
        return DepartmentScope.of(membership).covers(recipient.department_id)
    if membership.role == Role.SENIOR:
        return Assignment.objects.filter(recipient=recipient, senior=membership).exists()
    return False


def get_interview_for_user(request: AuthedRequest, pk: int) -> IntakeInterview:
    interview = (
        IntakeInterview.objects.for_organization(request.organization)
        .select_related("recipient__department", "senior__user")
        .filter(pk=pk)
        .first()
    )
    if interview is None or not can_read_interview(request.membership, interview):
        raise Http404
    return interview


def get_own_interview_for_senior(request: AuthedRequest, pk: int) -> IntakeInterview:
    """The interview the requesting senior is booked to hold."""
    interview = get_interview_for_user(request, pk)
    if interview.senior_id != request.membership.pk:
        raise Http404
    return interview


def get_notification_for_user(request: AuthedRequest, pk: int) -> AdminNotification:
    notification = (
        AdminNotification.objects.for_organization(request.organization).filter(pk=pk).first()
    )
    if notification is None:
        raise Http404
    return notification
