"""Rate limits on the relative's public pages, with allauth's limiter (the one the login
uses: a sliding window per IP address or per key, kept in the cache)."""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.http import HttpRequest

# action → allauth's rate syntax: "amount/period/per", several separated by commas.
RATES = {
    # Opening a page (a link, right or wrong): generous for a person, not for a scanner.
    "page": "30/m/ip",
    # Asking for a one-time code: a few per relative, and per address.
    "code_send": "3/10m/key,20/h/ip",
    # Entering a code (each code also allows only CODE_ATTEMPTS tries).
    "code_check": "10/m/ip",
    # "Send me a new link": per relative (or number typed), and per address.
    "new_link": "3/h/key,10/h/ip",
    # Cancelling, asking, withdrawing a consent.
    "change": "20/10m/ip",
}


def allowed(request: HttpRequest, action: str, key: str | None = None) -> bool:
    """Count one `action` for this request; False when it is over the limit."""
    usage = ratelimit.consume(
        request, app="family", action=action, config=RATES, key=key, limit_get=True
    )
    return usage is not None
