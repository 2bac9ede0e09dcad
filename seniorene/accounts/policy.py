"""What each role may do: the one place the rules of DESIGN.md "Who uses it" live.

Views declare the permission they need with ``@require(Perm.X)`` (see
``seniorene.accounts.decorators``); templates ask ``{% if perms_for.X %}``
through the context processor; object-level questions (which departments,
R3) are the functions below. The role-matrix test reads `ROLE_PERMISSIONS`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from seniorene.accounts.models import Role

if TYPE_CHECKING:
    from seniorene.accounts.models import Membership


class Perm(StrEnum):
    # Every member: the start page, their own profile and security settings.
    USE_APP = "use_app"
    # Admin: the organization's structure and people.
    MANAGE_DEPARTMENTS = "manage_departments"
    MANAGE_MEMBERS = "manage_members"
    INVITE_STAFF = "invite_staff"
    # Admin and leaders: seniors join by invitation (leaders: their own departments).
    INVITE_SENIORS = "invite_seniors"
    VIEW_AUDIT = "view_audit"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset(
        {
            Perm.USE_APP,
            Perm.MANAGE_DEPARTMENTS,
            Perm.MANAGE_MEMBERS,
            Perm.INVITE_STAFF,
            Perm.INVITE_SENIORS,
            Perm.VIEW_AUDIT,
        }
    ),
    Role.LEAD: frozenset({Perm.USE_APP}),
    Role.LEADER: frozenset({Perm.USE_APP, Perm.INVITE_SENIORS}),
    Role.SENIOR: frozenset({Perm.USE_APP}),
}

# Roles that see every department of their organization; the others see their own.
ALL_DEPARTMENT_ROLES = frozenset({Role.ADMIN, Role.LEAD})


def has_perm(membership: Membership | None, perm: Perm) -> bool:
    """True when the active membership's role grants `perm`."""
    if membership is None or not membership.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(membership.role, frozenset())


def roles_with(perm: Perm) -> frozenset[str]:
    """The roles that are granted `perm`."""
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


def sees_all_departments(membership: Membership) -> bool:
    return membership.role in ALL_DEPARTMENT_ROLES


def can_see_department(membership: Membership, department_id: int | None) -> bool:
    """True when `membership` may see things of the department `department_id`."""
    if sees_all_departments(membership):
        return True
    return department_id is not None and department_id in membership.department_ids


def invitable_roles(membership: Membership) -> list[str]:
    """The roles `membership` may invite people to."""
    if has_perm(membership, Perm.INVITE_STAFF):
        return [Role.ADMIN, Role.LEAD, Role.LEADER, Role.SENIOR]
    if has_perm(membership, Perm.INVITE_SENIORS):
        return [Role.SENIOR]
    return []


def requires_mfa(membership: Membership | None) -> bool:
    """True when the membership's role must have MFA before any data page."""
    from django.conf import settings

    return membership is not None and membership.role in settings.MFA_REQUIRED_ROLES
