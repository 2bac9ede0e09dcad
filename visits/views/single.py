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
from visits.change_notices import VisitChange, change_notices_said
from visits.conflicts import conflicts_if_held_by, visit_conflicts, with_conflicts
from visits.forms import (
    CancelForm,
    CloseForm,
    MoveForm,
    OnBehalfLogForm,
    ReassignForm,
)
from visits.models import (
    Visit,
)
from visits.selectors import (
    visit_after,
    visit_may_share_notebook,
)
from visits.views.week import _week_url


def _reassign_seniors(request: AuthedRequest, visit: Visit):
    """The cleared seniors of the visit's department (R6), but its own senior."""
    return assignable_seniors(
        department=visit.recipient.department, exclude_id=visit.senior_id
    ).choices()


def _reassign_options(visit: Visit) -> dict:
    """Who could take the visit, and why nobody can when that is so: the department's other
    cleared seniors (R6) with what each has at that time (another visit, a Bli kjent meeting,
    away), and those not cleared with what they miss. Four queries for the clashes."""
    seniors = assignable_seniors(department=visit.recipient.department, exclude_id=visit.senior_id)
    found = conflicts_if_held_by(visit, [s.pk for s in seniors.cleared])
    busy = [
        (senior, [c.text for c in found.get(senior.pk, []) if c.kind in BUSY_KINDS])
        for senior in seniors.cleared
    ]
    busy = [(senior, why) for senior, why in busy if why]
    return {
        "reassign_cleared": len(seniors.cleared),
        "reassign_busy": busy,
        "reassign_all_busy": bool(seniors.cleared) and len(busy) == len(seniors.cleared),
        "reassign_blocked": seniors.blocked,
    }


# What makes a senior unable to take a visit at its time (not a holiday or their stated hours).
BUSY_KINDS = frozenset({"double_booked", "meeting", "absent"})


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
        "close_form": forms.get("close_form") or CloseForm(),
        "has_started": visit.starts_at <= timezone.now(),
        "reassign_form": forms.get("reassign_form")
        or ReassignForm(seniors=_reassign_seniors(request, visit)),
        "week_url": _week_url(visit.recipient.department_id, visit.starts_at),
        "after": visit_after(visit),
        # A change refused because the visit is no longer open has no form to show on.
        "refused": [e for f in forms.values() for e in f.non_field_errors()],
        **_reassign_options(visit),
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
            if (
                moved.starts_at != visit.starts_at
                or moved.duration_minutes != visit.duration_minutes
            ):
                said = change_notices_said(visit=moved, change=VisitChange.MOVED)
                messages.info(request, said)
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
            cancelled = changes.visit_cancel(
                visit=visit,
                by=request.membership,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Besøket er avlyst. Planen er uendret."))
            messages.info(
                request, change_notices_said(visit=cancelled, change=VisitChange.CANCELLED)
            )
            return redirect(_week_url(visit.recipient.department_id, visit.starts_at))
    return _visit_page(request, visit, cancel_form=form)


@require_POST
@require(Perm.PLAN_VISITS)
def visit_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request, pk)
    form = ReassignForm(request.POST, seniors=_reassign_seniors(request, visit))
    if form.is_valid():
        try:
            moved = changes.visit_reassign(
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
            for conflict in visit_conflicts([moved]).get(moved.pk, []):
                if conflict.kind in ("absent", "double_booked"):
                    messages.warning(request, _("Obs: %(what)s.") % {"what": conflict.text})
            return redirect(_week_url(visit.recipient.department_id, visit.starts_at))
    return _visit_page(request, visit, reassign_form=form)


@require(Perm.PLAN_VISITS)
def visit_log_on_behalf(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Før for senioren": the log form, filled in by a leader of the visit's department (or
    the lead) with a reason; the hours are the senior's, billed the same way."""
    import uuid

    from visits.logging import ManyHoursError, visit_log_on_behalf
    from visits.views.visit_log import log_fields

    visit = get_visit_for_user(request, pk)
    if not visit.is_open:
        return redirect("visits:visit", visit.pk)
    areas = list(visit.service_areas.all())
    local = timezone.localtime(visit.starts_at)
    form = OnBehalfLogForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "submission_key": uuid.uuid4(),
            "checked_in": local.time(),
            "checked_out": timezone.localtime(visit.ends_at).time(),
            "done_areas": [str(a.pk) for a in areas],
            "expense_description": _("Notatbok"),
        },
        areas=areas,
        may_share=visit_may_share_notebook(visit),
    )
    ask_hours = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit_log_on_behalf(
                visit=visit,
                by=request.membership,
                reason=data["reason"],
                submission_key=data["submission_key"],
                fields=log_fields(visit, data),
            )
        except ValidationError as exc:
            ask_hours = isinstance(exc, ManyHoursError)
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Besøket er ført for %(name)s.") % {"name": visit.senior.user.name},
            )
            return redirect("visits:visit", visit.pk)
    ctx = {"visit": visit, "form": form, "ask_hours": ask_hours}
    status = 422 if request.method == "POST" else 200
    return render(request, "visits/visit_log_on_behalf.html", ctx, status=status)


@require_POST
@require(Perm.PLAN_VISITS)
def visit_close(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Lukk uten rapport": close a past visit with a reason; nothing is billed."""
    from visits.logging import visit_close as close

    visit = get_visit_for_user(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            close(visit=visit, by=request.membership, reason=form.cleaned_data["close_reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Besøket er lukket uten rapport."))
            return redirect("visits:visit", visit.pk)
    return _visit_page(request, visit, close_form=form)


@require_POST
@require(Perm.PLAN_VISITS)
def many_hours_seen(request: AuthedRequest, pk: int) -> HttpResponse:
    """A leader has looked at the many hours logged for the visit: off "Følg opp"."""
    from django.http import Http404

    from visits.logging import visit_many_hours_seen
    from visits.models import VisitLog

    visit = get_visit_for_user(request, pk)
    log = VisitLog.objects.filter(visit=visit).first()
    if log is None:
        raise Http404
    try:
        visit_many_hours_seen(log=log, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Timene er merket som sett."))
    return redirect("visits:watchdog")
