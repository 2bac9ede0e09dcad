from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware


class ContentSecurityPolicyMiddleware:
    """Send the strict Content-Security-Policy header (no inline scripts or styles)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
        return response


class BokmaalFirstLocaleMiddleware(LocaleMiddleware):
    """Bokmål unless the person chose another language with the switch.

    The browser's Accept-Language is ignored: a senior's phone set to English
    should not turn the product English by surprise.
    """

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
