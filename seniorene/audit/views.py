from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.audit import selectors, sentences
from seniorene.audit.forms import LogFilterForm

PAGE_SIZE = 50


@require(Perm.VIEW_AUDIT)
def log(request: AuthedRequest) -> HttpResponse:
    """Admin's page: what was done (in sentences), and who looked at what (one line per
    person, object and day), in this organization, filtered by person, kind and days."""
    tab = "views" if request.GET.get("vis") == "innsyn" else "events"
    form = LogFilterForm(request.GET, organization=request.organization)
    chosen, notices = form.filters()
    common: dict[str, Any] = {
        "organization": request.organization,
        "since": chosen.get("fra"),
        "until": chosen.get("til"),
        "query": chosen.get("q", ""),
    }
    page: Any
    if tab == "views":
        chosen.pop("slag", None)  # looks have no kinds
        rows = selectors.looks(viewer_id=chosen.get("person"), **common)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("side"))
        page.object_list = [selectors.look_line(row) for row in page.object_list]
    else:
        kind = chosen.get("slag")
        actions = None
        if kind:
            actions = [kind] if sentences.described(kind) else sentences.actions_of_kind(kind)
        events = selectors.events(actor_id=chosen.get("person"), actions=actions, **common)
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("side"))
        page.object_list = selectors.event_lines(
            organization=request.organization, rows=page.object_list
        )
    kept = {name: str(value) for name, value in chosen.items()}
    if tab == "views":
        kept = {"vis": "innsyn", **kept}
    ctx = {
        "tab": tab,
        "page": page,
        "form": form,
        "notices": notices,
        "filtered": bool(chosen),
        "kept": urlencode(kept),
    }
    return render(request, "audit/log.html", ctx)
