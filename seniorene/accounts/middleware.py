"""Set `request.organization` and `request.membership` from the active membership."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from seniorene.accounts.http import TenantRequest
from seniorene.accounts.models import Membership
from seniorene.accounts.scope import DepartmentScope
from seniorene.accounts.tenancy import db_set_tenant

SESSION_KEY = "active_organization_id"


def active_memberships(user_id: int) -> list[Membership]:
    """The user's active memberships, by organization name, with the user (services
    write `by.user` into their rows and audit events: no query of its own)."""
    return list(
        Membership.objects.filter(user_id=user_id, is_active=True)
        .select_related("organization", "user")
        .order_by("organization__name")
    )


def last_chosen(memberships: list[Membership]) -> Membership:
    """The membership the user last switched to; by organization name when none was."""
    return max(
        memberships,
        key=lambda m: m.last_chosen_at.timestamp() if m.last_chosen_at else float("-inf"),
    )


class TenantMiddleware:
    """Pick the active membership; without one, a request gets no tenant data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TenantRequest) -> HttpResponse:
        request.organization = None
        request.membership = None
        request.memberships = []
        request.scope = None
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        # Only the user's own memberships are visible before the tenant is known.
        db_set_tenant(None, user.pk)
        try:
            memberships = active_memberships(user.pk)
            request.memberships = memberships
            wanted = request.session.get(SESSION_KEY)
            chosen = next((m for m in memberships if m.organization_id == wanted), None)
            if chosen is None and memberships:
                chosen = last_chosen(memberships)
                request.session[SESSION_KEY] = chosen.organization_id
            if chosen is not None:
                request.membership = chosen
                request.organization = chosen.organization
                # Lazy: admin and lead need no query, a leader's departments are read once.
                request.scope = cast(
                    DepartmentScope, SimpleLazyObject(partial(DepartmentScope.of, chosen))
                )
                db_set_tenant(chosen.organization_id, user.pk)
            return self.get_response(request)
        finally:
            db_set_tenant(None)
