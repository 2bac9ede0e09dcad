"""Noe lederen bør vite: the leaders' list and answer, the senior's "Mine meldinger", and the
leader's choice of how to hear of a new one (visits.concerns)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm, has_perm
from seniorene.audit.services import view_record
from seniorene.forms import add_errors
from visits.access import get_concern_for_user
from visits.concern_notices import concern_alert_choose, concern_alert_of
from visits.concerns import concern_answer, concern_mark_read, may_answer
from visits.forms import ConcernAlertForm, ConcernAnswerForm
from visits.models import Concern

ANSWERED_SHOWN = 50


@require(Perm.HANDLE_CONCERNS)
def concern_list(request: AuthedRequest) -> HttpResponse:
    """The seniors' concerns in the member's departments: unanswered first (oldest on top),
    then the latest answered."""
    rows = request.scope.filter(
        Concern.objects.for_organization(request.organization), "recipient__department_id"
    ).select_related("recipient__department", "raised_by__user", "answered_by__user")
    ctx = {
        "open": list(rows.filter(answered_at__isnull=True).order_by("raised_at", "pk")),
        "answered": list(
            rows.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")[:ANSWERED_SHOWN]
        ),
        "shown": ANSWERED_SHOWN,
    }
    return render(request, "visits/concern_list.html", ctx)


@require(Perm.HANDLE_CONCERNS)
def concern_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One concern: the first opening by a leader of the department marks it read; a leader
    (or the lead, or admin) writes what was done."""
    concern = get_concern_for_user(request, pk)
    concern = concern_mark_read(concern=concern, by=request.membership)
    # The text may be about health: who read it is logged, as for the notebook.
    view_record(
        organization=request.organization,
        viewer=request.user,
        obj=concern,
        what="melding til leder",
    )
    form = ConcernAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern_answer(
                concern=concern, by=request.membership, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Svaret er lagret. Senioren ser det i appen."))
            # Back to *Følg opp* (admin has none: the list of concerns).
            if has_perm(request.membership, Perm.PLAN_VISITS):
                return redirect("visits:watchdog")
            return redirect("visits:concerns")
    ctx = {
        "concern": concern,
        "form": form,
        "may_answer": may_answer(request.membership, concern) and concern.answered_at is None,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "visits/concern_detail.html", ctx, status=status)


@require(Perm.VIEW_OWN_VISITS)
def my_concerns(request: AuthedRequest) -> HttpResponse:
    """ "Mine meldinger": what the senior told the leaders, whether it was read and answered,
    and the answer."""
    concerns = list(
        Concern.objects.for_organization(request.organization)
        .filter(raised_by=request.membership)
        .select_related("recipient", "visit", "read_by__user", "answered_by__user")
        .order_by("-raised_at", "-pk")[:100]
    )
    return render(request, "visits/my_concerns.html", {"concerns": concerns})


@require(Perm.CHOOSE_CONCERN_ALERTS)
def concern_alerts(request: AuthedRequest) -> HttpResponse:
    """ "Varsle meg om meldinger fra seniorene": in the app only, e-mail (default) or SMS."""
    from messaging.services import staff_may_receive_sms

    membership = request.membership
    form = ConcernAlertForm(request.POST or None, initial={"channel": concern_alert_of(membership)})
    if request.method == "POST" and form.is_valid():
        concern_alert_choose(membership=membership, channel=form.cleaned_data["channel"])
        messages.success(request, _("Valget ditt er lagret."))
        return redirect("visits:concern_alerts")
    ctx = {
        "form": form,
        "sms_consent": staff_may_receive_sms(membership_id=membership.pk),
        "phone": request.user.phone,
        "email": request.user.email,
    }
    return render(request, "visits/concern_alerts.html", ctx)
