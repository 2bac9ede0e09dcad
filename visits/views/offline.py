"""The app on the phone's home screen: the web app manifest, the service worker (served
from the site root so its scope is the whole site) and the page shown without a network.

What the service worker keeps is the senior's agenda, the coming visits' pages and their
log forms (`OFFLINE_PAGES`), plus the static files the pages use; see
templates/visits/offline/sw.js and static/js/offline.js."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from seniorene.accounts.decorators import public

THEME_COLOUR = "#0b5e56"  # --c-primary in static/css/app.css
BACKGROUND_COLOUR = "#fbfaf7"  # --c-bg
# Static files every cached page needs (the pages' own stylesheets included).
OFFLINE_STATIC = (
    "css/app.css",
    "css/visits.css",
    "js/app.js",
    "js/htmx.min.js",
    "js/visit-log.js",
    "js/offline.js",
    "js/offline-queue.js",
    "favicon.svg",
    "icons/icon-192.png",
    "icons/apple-touch-icon.png",
)


def _page_patterns() -> list[str]:
    """Path patterns (JavaScript regular expressions) of the pages kept offline."""
    agenda = reverse("visits:agenda")
    visit = reverse("visits:my_visit", args=[0]).replace("/0/", "/\\d+/")
    log = reverse("visits:visit_log", args=[0]).replace("/0/", "/\\d+/")
    return [f"^{agenda}$", f"^{visit}$", f"^{log}$"]


def _worker_config() -> dict[str, object]:
    config: dict[str, object] = {
        "static": [static(name) for name in OFFLINE_STATIC],
        # The prefix itself, not static(""): production's manifest has no entry for "".
        "staticPrefix": settings.STATIC_URL,
        "offline": reverse("visits:offline"),
        "agenda": reverse("visits:agenda"),
        "home": [reverse("front"), reverse("home")],
        "pages": _page_patterns(),
        "queueScript": static("js/offline-queue.js"),
    }
    # A new version whenever what is cached changes (hashed static names in production).
    config["version"] = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]
    # For a plain offline page when even the kept one is gone (after a logout).
    config["texts"] = {
        "lang": get_language() or "nb",
        "title": _("Uten nett"),
        "heading": _("Du er uten nett"),
        "body": _("Siden kan ikke vises uten nett. Prøv igjen når du har nett."),
    }
    return config


@public
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site root so that it may control every page."""
    config = json.dumps(_worker_config(), sort_keys=True)
    source = render_to_string("visits/offline/sw.js", {"config": config})
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@public
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable, standalone, starting at one's home (for a senior
    the visits of the day)."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ] + [
        {
            "src": static(f"icons/icon-maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "name": "Seniorene Omsorg",
        "short_name": "Omsorg",
        "lang": "nb",
        "start_url": reverse("front"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@public
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the phone shows for a page it has not kept while there is no network."""
    return render(request, "visits/offline/offline.html")
