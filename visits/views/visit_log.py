"""Logging a visit on the phone: check in, the log with its draft, km and outlays."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ledger.models import RECEIPT_MAX_BYTES
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.forms import add_errors
from seniorene.uploads import upload_limit
from visits.access import (
    get_own_visit_for_senior,
)
from visits.logging import LogFields
from visits.models import (
    Visit,
    VisitLogDraft,
    VisitStatus,
)
from visits.selectors import (
    visit_log_stored,
    visit_may_share_notebook,
)


def _combine(visit: Visit, at) -> datetime:
    return timezone.make_aware(datetime.combine(visit.local_date, at))


def log_fields(visit: Visit, data: dict[str, Any]) -> LogFields:
    """The log form's cleaned data as the service takes it (times on the visit's date)."""
    return LogFields(
        checked_in_at=_combine(visit, data["checked_in"]),
        checked_out_at=_combine(visit, data["checked_out"]),
        done_area_ids=[int(a) for a in data["done_areas"]],
        went_well=data["went_well"],
        could_change=data["could_change"],
        share_with_relatives=data["share_with_relatives"],
        km=data["km"],
        expense_amount=data["expense_amount"],
        expense_description=data["expense_description"],
        receipt=data["receipt"],
        hours_confirmed=data.get("confirm_hours", False),
        concern_category=data.get("concern_category", ""),
        concern_text=data.get("concern_text", ""),
    )


def _log_initial(visit: Visit, areas: list) -> tuple[dict, VisitLogDraft | None]:
    """The log form's first values: the plan's times and ticks, then the draft the visit's
    senior saved (never another senior's, from before the visit was reassigned); and that
    draft (the page says when it was saved).

    An arrival ("Jeg er fremme") is the form's arrival only when it lies within the
    check-in window of the visit; otherwise the plan's time stands."""
    from visits.logging import in_check_in_window

    initial = {
        "submission_key": uuid.uuid4(),
        "checked_in": timezone.localtime(visit.starts_at).time(),
        "checked_out": timezone.localtime(visit.ends_at).time(),
        "done_areas": [str(a.pk) for a in areas],
        "expense_description": _("Notatbok"),
    }
    draft = VisitLogDraft.objects.filter(visit=visit, membership_id=visit.senior_id).first()
    if draft is not None:
        data = dict(draft.data)
        arrived = draft.arrived_at
        if (
            arrived is not None
            and not in_check_in_window(visit, arrived)
            and data.get("checked_in") == timezone.localtime(arrived).strftime("%H:%M")
        ):
            del data["checked_in"]  # an arrival far from the plan (before the window)
        initial.update(data)
        initial["share_with_relatives"] = data.get("share_with_relatives") == "on"
    return initial, draft


def _wants_json(request: HttpRequest) -> bool:
    """The phone's script (static/js/offline.js) sends the log with fetch and asks for JSON:
    it stays on the page (or keeps the report in its queue) instead of a browser error."""
    return request.method == "POST" and "application/json" in request.headers.get("Accept", "")


def _json_stored() -> JsonResponse:
    return JsonResponse({"ok": True, "next": reverse("visits:agenda")})


def _json_refused(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _closed_reason(visit: Visit) -> str:
    if visit.status == VisitStatus.CANCELLED:
        return _("Besøket ble avlyst før rapporten kom fram. Ring lederen din.")
    return _("Besøket er allerede ført. Ring lederen din hvis noe mangler.")


def _form_errors(form: forms.BaseForm) -> str:
    """The form's errors in one line, each field's with its label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


@upload_limit(RECEIPT_MAX_BYTES)
@require(Perm.VIEW_OWN_VISITS)
def visit_log(request: AuthedRequest, pk: int) -> HttpResponse:
    """Log one's own visit (times prefilled, ticks, notebook entry, km, outlay with the
    receipt), or why it did not happen; then on to the feedback SMS when there is one."""
    from visits.feedback import feedback_offered
    from visits.forms import NotHappenedForm, VisitLogForm
    from visits.logging import ManyHoursError, visit_log_submit

    visit = get_own_visit_for_senior(request, pk)
    as_json = _wants_json(request)
    key = request.POST.get("submission_key")
    if as_json and visit_log_stored(visit=visit, submission_key=key):
        return _json_stored()  # sent again (the phone's queue): the one stored log stands
    if not visit.is_open:
        if as_json:
            return _json_refused(_closed_reason(visit), status=409)
        return redirect("visits:my_visit", visit.pk)
    areas = list(visit.service_areas.all())
    # The visit is the member's own (get_own_visit_for_senior): the visit's senior's draft.
    initial, draft = _log_initial(visit, areas)
    happened = request.POST.get("happened", "1") == "1"
    posted = request.method == "POST"
    form = VisitLogForm(
        request.POST if posted and happened else None,
        request.FILES if posted and happened else None,
        initial=initial,
        areas=areas,
        may_share=visit_may_share_notebook(visit),
    )
    missed = NotHappenedForm(
        request.POST if posted and not happened else None,
        initial={"submission_key": initial["submission_key"]},
        auto_id="missed_%s",  # the log form above has the same concern fields
    )
    bound = form if happened else missed
    ask_hours = False
    if posted and bound.is_valid():
        data = bound.cleaned_data
        try:
            if happened:
                fields = log_fields(visit, data)
                visit_log_submit(
                    visit=visit,
                    by=request.membership,
                    submission_key=data["submission_key"],
                    checked_in_at=fields.checked_in_at,
                    checked_out_at=fields.checked_out_at,
                    done_area_ids=fields.done_area_ids,
                    went_well=fields.went_well,
                    could_change=fields.could_change,
                    share_with_relatives=fields.share_with_relatives,
                    km=fields.km,
                    expense_amount=fields.expense_amount,
                    expense_description=fields.expense_description,
                    receipt=fields.receipt,
                    hours_confirmed=fields.hours_confirmed,
                    concern_category=fields.concern_category,
                    concern_text=fields.concern_text,
                )
            else:
                visit_log_submit(
                    visit=visit,
                    by=request.membership,
                    submission_key=data["submission_key"],
                    happened=False,
                    not_happened_reason=data["reason"],
                    concern_category=data["concern_category"],
                    concern_text=data["concern_text"],
                )
        except ValidationError as exc:
            if as_json and visit_log_stored(visit=visit, submission_key=key):
                return _json_stored()  # the same report sent twice at once
            ask_hours = isinstance(exc, ManyHoursError)
            add_errors(bound, exc)
        else:
            if happened and feedback_offered(visit):
                next_url = reverse("visits:feedback", args=[visit.pk])
            else:
                next_url = reverse("visits:agenda")
            if as_json and request.headers.get("X-Offline-Queue"):
                return JsonResponse({"ok": True, "next": next_url})  # sent later, unseen
            messages.success(request, _("Besøket er ført. Takk!"))
            if as_json:
                return JsonResponse({"ok": True, "next": next_url})
            return redirect(next_url)
    if as_json:
        if ask_hours:  # the phone asks "Stemmer det?" and sends again with the answer
            return JsonResponse(
                {
                    "ok": False,
                    "error": " ".join(map(str, bound.non_field_errors())),
                    "confirm": "confirm_hours",
                },
                status=422,
            )
        return _json_refused(_form_errors(bound), status=422)
    ctx = {"visit": visit, "form": form, "missed": missed, "draft": draft, "ask_hours": ask_hours}
    return render(request, "visits/visit_log.html", ctx, status=422 if posted else 200)


@require_POST
@require(Perm.VIEW_OWN_VISITS)
def check_in(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Jeg er fremme": record the arrival (the log's check-in time)."""
    from visits.logging import visit_check_in

    visit = get_own_visit_for_senior(request, pk)
    try:
        draft = visit_check_in(visit=visit, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Du er registrert fremme kl. %(time)s. Skriv besøksrapporten når du går.")
            % {"time": timezone.localtime(draft.arrived_at).strftime("%H.%M")},
        )
    return redirect("visits:agenda")


@require_POST
@require(Perm.VIEW_OWN_VISITS)
def visit_log_draft(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save what has been typed so far (htmx, while typing); answers with the saved time."""
    from visits.logging import visit_log_draft_save

    visit = get_own_visit_for_senior(request, pk)
    try:
        draft = visit_log_draft_save(visit=visit, by=request.membership, data=request.POST)
    except ValidationError as exc:
        ctx = {"error": " ".join(exc.messages)}
        return render(request, "visits/_draft_saved.html", ctx, status=409)
    return render(request, "visits/_draft_saved.html", {"saved_at": draft.saved_at})
