"""The Tripletex export of hours, km and outlays, and km and outlays entered by hand."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ledger import export as tripletex
from ledger.corrections import ledger_record_manual
from ledger.forms import ExportForm, ManualEntryForm
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.policy import Perm
from seniorene.audit.services import audit_record
from seniorene.forms import add_errors


def _export_departments(request: AuthedRequest) -> Collection[int] | None:
    """The leader's departments; None (every department) for the lead."""
    if request.membership.role == Role.LEADER:
        return request.membership.department_ids
    return None


@require(Perm.EXPORT_HOURS)
def export(request: AuthedRequest) -> HttpResponse:
    """Hours, km and outlays of a month, summed per employee and project, with the CSV for
    Tripletex (leaders: their departments). Downloading (POST) locks the month for each
    department in the file; downloading it again gives the same file."""
    form = ExportForm(request.POST or request.GET or None)
    ctx: dict[str, Any] = {"form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "ledger/export.html", ctx, status=400)
    month = form.month_start()
    department_ids = _export_departments(request)
    if request.method == "POST":
        result = tripletex.month_export_download(
            organization_id=request.organization.pk,
            month=month,
            department_ids=department_ids,
            by=request.user,
        )
        audit_record(
            organization=request.organization,
            actor=request.user,
            action="export.tripletex",
            details={
                "month": month.strftime("%Y-%m"),
                "rows": len(result.rows),
                "corrections": len(result.carried),
            },
        )
        response = HttpResponse(
            tripletex.export_csv(result.rows), content_type="text/csv; charset=utf-8"
        )
        filename = f"tripletex-{month:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    result = tripletex.month_export(
        organization_id=request.organization.pk, month=month, department_ids=department_ids
    )
    ctx |= {
        "month": month,
        "result": result,
        "summary": tripletex.export_summary(result.rows),
        "count": len(result.rows),
        "month_value": f"{month:%Y-%m}",
    }
    return render(request, "ledger/export.html", ctx)


def _manual(request: AuthedRequest, *, seniors: list[Membership] | None, back: str) -> HttpResponse:
    choices = None
    if seniors is not None:
        choices = [(s.pk, s.user.name) for s in seniors]
    form = ManualEntryForm(request.POST or None, seniors=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        senior = request.membership
        if seniors is not None:
            senior = next(s for s in seniors if s.pk == data["senior"])
        description = (data["description"] or "").strip()
        if data["kind"] == "intake_expense":
            description = _("%(what)s til Bli kjent-møte") % {"what": description or _("Notatbok")}
        try:
            ledger_record_manual(
                senior=senior,
                by=request.membership,
                day=data["day"],
                km=data["km"] if data["kind"] == "km" else None,
                purpose=data["purpose"],
                amount=data["amount"] if data["kind"] != "km" else None,
                description=description,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Ført. Det betales til senioren og faktureres ikke."))
            return redirect(back)
    status = 422 if request.method == "POST" else 200
    ctx = {"form": form, "phone": seniors is None, "back": back}
    return render(request, "ledger/manual_entry.html", ctx, status=status)


@require(Perm.VIEW_OWN_VISITS)
def my_manual_entry(request: AuthedRequest) -> HttpResponse:
    """The senior enters km driven for the service, or an outlay such as the notebook for
    a Bli kjent meeting, without a visit (the last 7 days; paid, never invoiced)."""
    return _manual(request, seniors=None, back="visits:past_visits")


@require(Perm.EXPORT_HOURS)
def manual_entry(request: AuthedRequest) -> HttpResponse:
    """A leader enters km or an outlay for one of their departments' seniors (the lead: any
    senior), without a visit."""
    seniors = Membership.objects.for_organization(request.organization).filter(
        role=Role.SENIOR, is_active=True
    )
    departments = _export_departments(request)
    if departments is not None:
        seniors = seniors.filter(membershipdepartment__department_id__in=departments)
    rows = list(seniors.select_related("user").distinct().order_by("user__name"))
    return _manual(request, seniors=rows, back="ledger:export")
