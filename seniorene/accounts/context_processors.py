from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from seniorene.accounts.policy import Perm, has_perm


def tenancy(request: HttpRequest) -> dict[str, Any]:
    """Expose the active organization, membership and `can.<perm>` to templates."""
    membership = getattr(request, "membership", None)
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "can": {perm.value: has_perm(membership, perm) for perm in Perm},
    }
