from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.audit.models import AuditEvent, ViewRecord
from seniorene.forms import plain_text


@require(Perm.VIEW_AUDIT)
def log(request: AuthedRequest) -> HttpResponse:
    """Admin's page: what was done, and who looked at what, in this organization."""
    tab = "views" if request.GET.get("vis") == "innsyn" else "events"
    rows: QuerySet[AuditEvent] | QuerySet[ViewRecord]
    if tab == "views":
        rows = ViewRecord.objects.for_organization(request.organization).select_related("viewer")
    else:
        rows = AuditEvent.objects.for_organization(request.organization).select_related("actor")
    query = plain_text(request.GET.get("q", ""), 100)
    if query:
        rows = rows.filter(object_repr__icontains=query)
    page = Paginator(rows, 50).get_page(request.GET.get("side"))
    ctx = {"tab": tab, "page": page, "q": query}
    return render(request, "audit/log.html", ctx)
