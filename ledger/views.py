"""The Tripletex export of hours, km and outlays."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from ledger import export as tripletex
from ledger.forms import ExportForm
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Role
from seniorene.accounts.policy import Perm
from seniorene.audit.services import audit_record


@require(Perm.EXPORT_HOURS)
def export(request: AuthedRequest) -> HttpResponse:
    """Hours, km and outlays of a month, summed per employee and project, with the CSV for
    Tripletex to download (leaders: their departments)."""
    form = ExportForm(request.GET or None)
    ctx: dict[str, Any] = {"form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "ledger/export.html", ctx, status=400)
    month = form.month_start()
    department_ids = None
    if request.membership.role == Role.LEADER:
        department_ids = request.membership.department_ids
    rows = tripletex.export_rows(
        organization_id=request.organization.pk, month=month, department_ids=department_ids
    )
    if request.GET.get("format") == "csv":
        audit_record(
            organization=request.organization,
            actor=request.user,
            action="export.tripletex",
            details={"month": month.strftime("%Y-%m"), "rows": len(rows)},
        )
        response = HttpResponse(tripletex.export_csv(rows), content_type="text/csv; charset=utf-8")
        filename = f"tripletex-{month:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    ctx |= {
        "month": month,
        "summary": tripletex.export_summary(rows),
        "count": len(rows),
        "csv_query": f"month={month:%Y-%m}&format=csv",
    }
    return render(request, "ledger/export.html", ctx)
