"""The leader's overview of seniors ("Seniorene"): who is opted in, cleared, busy or idle."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openings.overview import IDLE_DAYS
from openings.overview import senior_overview as build_overview
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm


@require(Perm.VIEW_SENIOR_OVERVIEW)
def senior_overview(request: AuthedRequest) -> HttpResponse:
    wanted = request.GET.get("avdeling", "")
    # Only plain digits of a sane length: not "²" or "٣" (isdigit() says yes to both).
    department_id = (
        int(wanted) if wanted.isascii() and wanted.isdigit() and len(wanted) < 12 else None
    )
    only_opted_in = request.GET.get("meldt") == "1"
    only_idle = request.GET.get("ledig") == "1"
    overview = build_overview(
        viewer=request.membership,
        today=timezone.localdate(),
        department_id=department_id,
        only_opted_in=only_opted_in,
        only_idle=only_idle,
    )
    ctx = {
        "overview": overview,
        "only_opted_in": only_opted_in,
        "only_idle": only_idle,
        "idle_days": IDLE_DAYS,
    }
    return render(request, "openings/overview/seniors.html", ctx)
