"""Fetch plans, visits, departments and seniors for the current member, or 404.

Leaders reach what belongs to recipients of their departments, the lead
everything in the organization; a senior reaches only their own visits.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from ledger.models import Expense
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Department, Membership, Role
from visits.models import Concern, SeniorAbsence, Visit, VisitPlan


def planning_departments(request: AuthedRequest) -> QuerySet[Department]:
    """The departments whose week the member may plan: all (lead), their own (leader)."""
    rows = Department.objects.for_organization(request.organization).filter(is_active=True)
    if request.membership.role == Role.SENIOR:
        return rows.none()
    return request.scope.filter(rows, "pk")


def _planning_department_ids(request: AuthedRequest) -> set[int] | None:
    """None: every department; otherwise the leader's department ids (a senior plans none)."""
    if request.membership.role == Role.SENIOR:
        return set()
    ids = request.scope.department_ids
    return None if ids is None else set(ids)


def visible_plans(request: AuthedRequest) -> QuerySet[VisitPlan]:
    rows = VisitPlan.objects.for_organization(request.organization)
    departments = _planning_department_ids(request)
    if departments is not None:
        rows = rows.filter(recipient__department_id__in=departments)
    return rows


def visible_visits(request: AuthedRequest) -> QuerySet[Visit]:
    """Visits the member may see: their own (senior), their departments' (leader), all (lead)."""
    membership = request.membership
    rows = Visit.objects.for_organization(request.organization)
    if membership.role == Role.SENIOR:
        return rows.filter(senior=membership)
    departments = _planning_department_ids(request)
    if departments is not None:
        rows = rows.filter(recipient__department_id__in=departments)
    return rows


def get_department_for_user(request: AuthedRequest, pk: int) -> Department:
    department = planning_departments(request).filter(pk=pk).first()
    if department is None:
        raise Http404
    return department


def get_plan_for_user(request: AuthedRequest, pk: int) -> VisitPlan:
    plan = (
        visible_plans(request)
        .select_related("recipient__department", "senior__user")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def get_visit_for_user(request: AuthedRequest, pk: int) -> Visit:
    """A visit of the leader's departments (or any, for the lead)."""
    visit = (
        visible_visits(request)
        .select_related(
            "recipient__department", "senior__user", "plan", "cancelled_by", "closed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def get_own_visit_for_senior(request: AuthedRequest, pk: int) -> Visit:
    """One of the requesting senior's own visits."""
    visit = (
        Visit.objects.for_organization(request.organization)
        .filter(senior=request.membership, pk=pk)
        .select_related("recipient", "plan")
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def plannable_seniors(request: AuthedRequest, department: Department) -> QuerySet[Membership]:
    """Active seniors of `department` (which the member may plan), by name."""
    return (
        Membership.objects.for_organization(request.organization)
        .filter(role=Role.SENIOR, is_active=True, membershipdepartment__department=department)
        .select_related("user")
        .order_by("user__name", "pk")
    )


def get_senior_for_user(request: AuthedRequest, pk: int) -> Membership:
    """A senior in one of the departments the member plans."""
    seniors = Membership.objects.for_organization(request.organization).filter(
        role=Role.SENIOR, pk=pk
    )
    departments = _planning_department_ids(request)
    if departments is not None:
        seniors = seniors.filter(membershipdepartment__department_id__in=departments)
    senior = seniors.select_related("user").distinct().first()
    if senior is None:
        raise Http404
    return senior


def get_absence_for_user(request: AuthedRequest, pk: int) -> SeniorAbsence:
    """An absence of a senior in one of the departments the member plans (the lead: any)."""
    rows = SeniorAbsence.objects.for_organization(request.organization).filter(pk=pk)
    departments = _planning_department_ids(request)
    if departments is not None:
        rows = rows.filter(membership__membershipdepartment__department_id__in=departments)
    absence = rows.select_related("membership__user").distinct().first()
    if absence is None:
        raise Http404
    return absence


def get_own_absence(request: AuthedRequest, pk: int) -> SeniorAbsence:
    """One of the requesting senior's own absences."""
    absence = (
        SeniorAbsence.objects.for_organization(request.organization)
        .filter(membership=request.membership, pk=pk)
        .first()
    )
    if absence is None:
        raise Http404
    return absence


def get_expense_for_user(request: AuthedRequest, pk: int) -> Expense:
    """An outlay with its receipt: the senior's own; a leader's departments'; the lead's all.

    A Bli kjent outlay has no recipient: leaders reach it through the senior's departments.
    """
    from django.db.models import Q

    membership = request.membership
    rows = Expense.objects.for_organization(request.organization)
    if membership.role == Role.SENIOR:
        rows = rows.filter(membership=membership)
    elif not request.scope.is_all:
        ids = _planning_department_ids(request) or set()
        rows = rows.filter(
            Q(recipient__department_id__in=ids)
            | Q(recipient__isnull=True, membership__membershipdepartment__department_id__in=ids)
        ).distinct()
    expense = rows.filter(pk=pk).first()
    if expense is None:
        raise Http404
    return expense


def get_concern_for_user(request: AuthedRequest, pk: int) -> Concern:
    """A concern ("Noe lederen bør vite") of a recipient in the leader's departments; the
    lead and admin reach all of the organization's. A senior reaches none here (they read
    their own on "Mine meldinger")."""
    if request.membership.role == Role.SENIOR:
        raise Http404
    rows = request.scope.filter(
        Concern.objects.for_organization(request.organization), "recipient__department_id"
    )
    concern = (
        rows.select_related(
            "recipient__department",
            "raised_by__user",
            "read_by__user",
            "answered_by__user",
            "visit__senior__user",
        )
        .filter(pk=pk)
        .first()
    )
    if concern is None:
        raise Http404
    return concern
