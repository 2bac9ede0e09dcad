"""Deny by default: every view is `@require(perm)` or `@public`.

The isolation and role-matrix suites read the attributes these decorators set
(`required_perm`, `is_public`) from the URL resolver, so a view without one
fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from seniorene.accounts.http import TenantRequest
from seniorene.accounts.policy import Perm, has_perm, requires_mfa

# HttpResponseBase: a view may also answer with a (streaming) FileResponse.
View = Callable[..., HttpResponseBase]


def public(view: View) -> View:
    """Mark a view as open to anyone, logged in or not."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def session_passed_mfa(request: HttpRequest) -> bool:
    """True when this session's login included the second factor (allauth's records)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def mfa_reauthenticate_redirect(
    request: HttpRequest, next_url: str | None = None
) -> HttpResponseRedirect:
    """Send the user to confirm with their second factor, then back to `next_url`
    (this page by default)."""
    query = urlencode({REDIRECT_FIELD_NAME: next_url or request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")


def require(perm: Perm) -> Callable[[View], View]:
    """Let the view run only for an active member whose role grants `perm`.

    Anonymous → login; no membership → a page that says so (403); a role that
    must use MFA but has none → the MFA setup page; has it, but this session did
    not pass it → confirm with the second factor; a role without `perm` → 403.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.membership is None:
                return render(request, "accounts/no_membership.html", status=403)
            if requires_mfa(request.membership) and not is_mfa_enabled(request.user):
                messages.info(
                    request,
                    _("Din rolle krever tofaktorinnlogging. Sett den opp før du går videre."),
                )
                return redirect("mfa_activate_totp")
            if requires_mfa(request.membership) and not session_passed_mfa(request):
                messages.info(
                    request,
                    _("Bekreft med tofaktorkoden din før du går videre."),
                )
                return mfa_reauthenticate_redirect(request)
            if not has_perm(request.membership, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator
