"""Correcting a logged visit: the senior's phone page (their own visit, 7 days) and the
leader's page (the visit of their department, any time; after the month is sent to
Tripletex the change goes out as correction rows in the next export)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.corrections import visit_corrections, visit_values
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.forms import add_errors
from visits.access import get_own_visit_for_senior, get_visit_for_user
from visits.correction_forms import CorrectionForm
from visits.corrections import (
    CorrectionFields,
    FarFromPlanError,
    senior_may_correct_until,
    visit_correct,
    why_not,
)
from visits.models import Visit, VisitLog


def _at(visit: Visit, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(visit.local_date, at))


def _initial(visit: Visit, log: VisitLog | None) -> dict:
    values = visit_values(
        organization_id=visit.organization_id, senior=visit.senior, visit_id=visit.pk
    )
    arrived = log.checked_in_at if log and log.checked_in_at else visit.starts_at
    left = log.checked_out_at if log and log.checked_out_at else visit.ends_at
    return {
        "checked_in": timezone.localtime(arrived).time(),
        "checked_out": timezone.localtime(left).time(),
        "km": values.km,
        "expense_amount": values.expense_amount,
        "expense_description": values.expense_description,
    }


def _correct(request: AuthedRequest, visit: Visit, *, phone: bool, done: str) -> HttpResponse:
    log = VisitLog.objects.filter(visit=visit).first()
    refusal = why_not(visit, request.membership)
    form = CorrectionForm(request.POST or None, initial=_initial(visit, log))
    ask = False
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            visit_correct(
                visit=visit,
                by=request.membership,
                fields=CorrectionFields(
                    checked_in_at=_at(visit, data["checked_in"]),
                    checked_out_at=_at(visit, data["checked_out"]),
                    km=data["km"],
                    expense_amount=data["expense_amount"],
                    expense_description=data["expense_description"],
                    reason=data["reason"],
                    confirmed=data["confirm"],
                ),
            )
        except ValidationError as exc:
            ask = isinstance(exc, FarFromPlanError)
            add_errors(form, exc)
        else:
            messages.success(request, _("Rettingen er lagret."))
            return redirect(done, visit.pk)
    ctx = {
        "visit": visit,
        "log": log,
        "form": form,
        "ask": ask,
        "refusal": refusal,
        "phone": phone,
        "until": senior_may_correct_until(visit),
        "corrections": visit_corrections(organization_id=visit.organization_id, visit_id=visit.pk),
        "back": done,
    }
    status = 422 if request.method == "POST" and not refusal else 200
    if request.method == "POST" and refusal:
        status = 403
    return render(request, "visits/visit_correct.html", ctx, status=status)


@require(Perm.VIEW_OWN_VISITS)
def my_visit_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    """The senior corrects their own logged visit (for 7 days, before the month is sent)."""
    visit = get_own_visit_for_senior(request, pk)
    return _correct(request, visit, phone=True, done="visits:my_visit")


@require(Perm.PLAN_VISITS)
def visit_correct_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """A leader of the visit's department (or the lead) corrects a logged visit."""
    visit = get_visit_for_user(request, pk)
    return _correct(request, visit, phone=False, done="visits:visit")
