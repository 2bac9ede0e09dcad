"""Single visits, for the leader: the visit's page; move, cancel, reassign."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.forms import add_errors
from training.selectors import assignable_seniors
from visits import changes
from visits.access import (
    get_visit_for_user,
)
from visits.conflicts import with_conflicts
from visits.forms import (
    CancelForm,
    MoveForm,
    ReassignForm,
)
from visits.models import (
    Visit,
)
from visits.selectors import (
    visit_after,
)
from visits.views.week import _week_url


def _reassign_seniors(request: AuthedRequest, visit: Visit):
    """The cleared seniors of the visit's department (R6), but its own senior."""
    return assignable_seniors(
        department=visit.recipient.department, exclude_id=visit.senior_id
    ).choices()


def _visit_page(request: AuthedRequest, visit: Visit, **forms) -> HttpResponse:
    local = timezone.localtime(visit.starts_at)
    ctx = {
        "visit": with_conflicts([visit])[0],
        "areas": visit.service_areas.all(),
        "move_form": forms.get("move_form")
        or MoveForm(
            initial={
                "date": local.date(),
                "start_time": local.time(),
                "duration_minutes": visit.duration_minutes,
            }
        ),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "reassign_form": forms.get("reassign_form")
        or ReassignForm(seniors=_reassign_seniors(request, visit)),
        "week_url": _week_url(visit.recipient.department_id, visit.starts_at),
        "after": visit_after(visit),
        # A change refused because the visit is no longer open has no form to show on.
        "refused": [e for f in forms.values() for e in f.non_field_errors()],
    }
    return render(request, "visits/visit_detail.html", ctx)


@require(Perm.PLAN_VISITS)
def visit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _visit_page(request, get_visit_for_user(request, pk))


@require_POST
@require(Perm.PLAN_VISITS)
def visit_move(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            moved = changes.visit_move(
                visit=visit,
                by=request.membership,
                starts_at=form.starts_at(),
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Besøket er flyttet. Planen er uendret."))
            for conflict in with_conflicts([moved])[0].conflicts:
                if conflict.kind in ("double_booked", "meeting"):
                    messages.warning(request, _("Obs: %(text)s.") % {"text": conflict.text})
            return redirect(_week_url(visit.recipient.department_id, form.starts_at()))
    return _visit_page(request, visit, move_form=form)


@require_POST
@require(Perm.PLAN_VISITS)
def visit_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            changes.visit_cancel(
                visit=visit,
                by=request.membership,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Besøket er avlyst. Planen er uendret."))
            return redirect(_week_url(visit.recipient.department_id, visit.starts_at))
    return _visit_page(request, visit, cancel_form=form)


@require_POST
@require(Perm.PLAN_VISITS)
def visit_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request, pk)
    form = ReassignForm(request.POST, seniors=_reassign_seniors(request, visit))
    if form.is_valid():
        try:
            changes.visit_reassign(
                visit=visit, by=request.membership, senior=form.cleaned_data["senior"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s tar dette besøket. Planen er uendret.")
                % {"name": form.cleaned_data["senior"].user.name},
            )
            return redirect(_week_url(visit.recipient.department_id, visit.starts_at))
    return _visit_page(request, visit, reassign_form=form)
