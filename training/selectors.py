"""Who may be assigned (R6): the one read that every booking and planning page takes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from seniorene.accounts.models import Department, Membership, Role
from training.services import training_clearances


@dataclass(frozen=True)
class AssignableSeniors:
    """A department's active seniors split by R6: those who may be chosen, and the others
    with what each still misses (shown beside the form, so the leader knows why)."""

    cleared: list[Membership]
    blocked: list[tuple[Membership, list[str]]]

    def choices(self) -> QuerySet[Membership]:
        """The cleared seniors as a queryset for a form's choice field, by name."""
        return (
            Membership.objects.filter(pk__in=[s.pk for s in self.cleared])
            .select_related("user")
            .order_by("user__name", "pk")
        )


def assignable_seniors(
    *, department: Department, keep_id: int | None = None, exclude_id: int | None = None
) -> AssignableSeniors:
    """The active seniors of `department` with their R6 state, in two queries for the training.

    `keep_id` (a plan's current senior) stays choosable even when no longer cleared, so that
    editing a plan never silently drops its senior; `exclude_id` (the visit's senior when
    reassigning) is left out.
    """
    seniors = [
        senior
        for senior in Membership.objects.for_organization(department.organization_id)
        .filter(role=Role.SENIOR, is_active=True, membershipdepartment__department=department)
        .select_related("user")
        .order_by("user__name", "pk")
        if senior.pk != exclude_id
    ]
    clearances = training_clearances(memberships=seniors)
    cleared = [s for s in seniors if clearances[s.pk].cleared or s.pk == keep_id]
    blocked = [(s, clearances[s.pk].missing) for s in seniors if s not in cleared]
    if keep_id is not None and all(s.pk != keep_id for s in cleared):
        kept = Membership.objects.filter(pk=keep_id).select_related("user").first()
        if kept is not None:
            cleared.append(kept)
    return AssignableSeniors(cleared=cleared, blocked=blocked)
