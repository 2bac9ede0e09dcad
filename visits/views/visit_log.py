"""Logging a visit on the phone: check in, the log with its draft, km and outlays."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
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
from visits.models import (
    Visit,
)
from visits.selectors import (
    visit_may_share_notebook,
)


def _combine(visit: Visit, at) -> datetime:
    return timezone.make_aware(datetime.combine(visit.local_date, at))


def _log_initial(visit: Visit, areas: list) -> dict:
    """The log form's first values: the plan's times and ticks, then the draft the visit's
    senior saved (never another senior's, from before the visit was reassigned)."""
    from visits.models import VisitLogDraft

    initial = {
        "submission_key": uuid.uuid4(),
        "checked_in": timezone.localtime(visit.starts_at).time(),
        "checked_out": timezone.localtime(visit.ends_at).time(),
        "done_areas": [str(a.pk) for a in areas],
        "expense_description": _("Notatbok"),
    }
    draft = VisitLogDraft.objects.filter(visit=visit, membership_id=visit.senior_id).first()
    if draft is not None:
        initial.update(draft.data)
        initial["share_with_relatives"] = draft.data.get("share_with_relatives") == "on"
    return initial


@upload_limit(RECEIPT_MAX_BYTES)
@require(Perm.VIEW_OWN_VISITS)
def visit_log(request: AuthedRequest, pk: int) -> HttpResponse:
    """Log one's own visit (times prefilled, ticks, notebook entry, km, outlay with the
    receipt), or why it did not happen; then on to the feedback SMS when there is one."""
    from visits.feedback import feedback_offered
    from visits.forms import NotHappenedForm, VisitLogForm
    from visits.logging import visit_log_submit
    from visits.models import VisitLogDraft

    visit = get_own_visit_for_senior(request, pk)
    if not visit.is_open:
        return redirect("visits:my_visit", visit.pk)
    areas = list(visit.service_areas.all())
    initial = _log_initial(visit, areas)
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
    )
    bound = form if happened else missed
    if posted and bound.is_valid():
        data = bound.cleaned_data
        try:
            if happened:
                visit_log_submit(
                    visit=visit,
                    by=request.membership,
                    submission_key=data["submission_key"],
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
                )
            else:
                visit_log_submit(
                    visit=visit,
                    by=request.membership,
                    submission_key=data["submission_key"],
                    happened=False,
                    not_happened_reason=data["reason"],
                )
        except ValidationError as exc:
            add_errors(bound, exc)
        else:
            messages.success(request, _("Besøket er ført. Takk!"))
            if happened and feedback_offered(visit):
                return redirect("visits:feedback", visit.pk)
            return redirect("visits:agenda")
    draft = (
        VisitLogDraft.objects.filter(visit=visit, membership=request.membership)
        .only("saved_at")
        .first()
    )
    ctx = {"visit": visit, "form": form, "missed": missed, "draft": draft}
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
