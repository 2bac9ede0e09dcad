"""Pages that belong to no single app: the start page and the health check."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seniorene.accounts.decorators import public, require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Role
from seniorene.accounts.policy import Perm
from seniorene.home import home_panels


@public
def front(request: HttpRequest) -> HttpResponse:
    """Logged in: the start page for one's role; otherwise a short welcome with the login."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "front.html")


@require(Perm.USE_APP)
def home(request: AuthedRequest) -> HttpResponse:
    """The start page for one's role. A senior's is today's visits (the agenda)."""
    if request.membership.role == Role.SENIOR:
        return redirect("visits:agenda")
    ctx = {"role": request.membership.role, "panels": home_panels(request)}
    return render(request, "home.html", ctx)


def _broker_ok() -> tuple[bool, str]:
    from seniorene.celery import app

    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return settings.CELERY_QUEUE_DIR.is_dir(), "filesystem"
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False, "redis"
    return True, "redis"


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise (for compose)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db_ok = True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        db_ok = False
    broker_ok, broker = _broker_ok()
    ok = db_ok and broker_ok
    return JsonResponse(
        {"database": "ok" if db_ok else "error", "broker": broker if broker_ok else "error"},
        status=200 if ok else 503,
    )
