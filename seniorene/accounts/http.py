"""Typed requests: what the tenancy middleware and the access decorator add to a request.

Views annotate `request: AuthedRequest` behind `@require(Perm.X)`, so that mypy knows
`request.membership` and `request.organization` (seniorene/accounts/middleware.py sets them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from seniorene.accounts.models import Membership, Organization, User
    from seniorene.accounts.scope import DepartmentScope


class TenantRequest(HttpRequest):
    """Any request after the tenancy middleware: the active membership, when there is one."""

    membership: Membership | None
    organization: Organization | None
    memberships: list[Membership]
    scope: DepartmentScope | None  # the departments the member works in (accounts/scope.py)
    htmx: HtmxDetails  # django-htmx's middleware


class AuthedRequest(TenantRequest):
    """A request that `@require(Perm.X)` let through: a logged-in, active member."""

    user: User  # narrower than Django's user-or-AnonymousUser
    membership: Membership
    organization: Organization
    scope: DepartmentScope
