"""The leader's pages of jobs offered to seniors: the list, publishing from the recipient's
card, the job with its answers and match hints, withdrawing and choosing."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.access import get_recipient_for_user
from omsorg.models import ServiceArea
from openings import services
from openings.describe import opening_when, opening_where
from openings.eligibility import eligible_seniors
from openings.leader_access import get_opening_for_leader, leader_openings
from openings.leader_forms import ChooseForm, PublishForm, WithdrawForm
from openings.matching import match_hints
from openings.models import AnswerChoice, JobAnswer, JobOpening, OpeningStatus
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.forms import add_errors
from training.services import training_clearances

# A new job starts a week ahead at 11.00: a leader changes what does not fit.
DEFAULT_LEAD_DAYS = 7
DEFAULT_START = time(11, 0)


@require(Perm.MANAGE_OPENINGS)
def leader_list(request: AuthedRequest) -> HttpResponse:
    """The department's jobs: open first (with how many said yes), then the rest."""
    rows = (
        leader_openings(request)
        .select_related("recipient", "department", "chosen__user")
        .annotate(
            yes_count=Count("answers", filter=Q(answers__answer=AnswerChoice.YES)),
            answer_count=Count("answers"),
        )
        .order_by("-published_at", "-pk")
    )
    found: list[JobOpening] = list(rows[:200])
    openings = [{"opening": o, "when": opening_when(o), "where": opening_where(o)} for o in found]
    ctx = {
        "open": [r for r, o in zip(openings, found, strict=True) if o.status == OpeningStatus.OPEN],
        "closed": [
            r for r, o in zip(openings, found, strict=True) if o.status != OpeningStatus.OPEN
        ][:50],
    }
    return render(request, "openings/leader/list.html", ctx)


@require(Perm.MANAGE_OPENINGS)
def leader_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    """Publish a job for the recipient `pk`, prefilled with the postal code and town."""
    recipient = get_recipient_for_user(request, pk)
    kinds = services.kinds_allowed(recipient)
    current = services.open_opening_for(recipient)
    areas = ServiceArea.objects.for_organization(request.organization).filter(is_active=True)
    initial = {
        **services.prefill_where(recipient),
        "first_date": timezone.localdate() + timedelta(days=DEFAULT_LEAD_DAYS),
        "start_time": DEFAULT_START,
    }
    form = PublishForm(request.POST or None, kinds=kinds, areas=areas, initial=initial)
    if request.method == "POST" and kinds and current is None and form.is_valid():
        try:
            opening = services.opening_publish(
                recipient=recipient, by=request.membership, fields=form.opening_fields()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            reaches = len(eligible_seniors(opening=opening, on=timezone.localdate()))
            if reaches:
                messages.success(
                    request,
                    _("Jobben er lagt ut. %(n)s seniorer får beskjed og ser den på mobilen.")
                    % {"n": reaches},
                )
            else:
                messages.warning(request, _("Jobben er lagt ut, men ingen seniorer får beskjed."))
            return redirect("openings:leader_detail", opening.pk)
    probe = JobOpening(
        organization_id=recipient.organization_id, department_id=recipient.department_id
    )
    ctx = {
        "recipient": recipient,
        "form": form,
        "kinds": kinds,
        "current": current,
        "reaches": len(eligible_seniors(opening=probe, on=timezone.localdate())),
    }
    return render(request, "openings/leader/publish.html", ctx)


def _answers(opening: JobOpening) -> list[dict[str, Any]]:
    """Who answered, yes first (then the oldest answer first), with R6 and the hints."""
    answers = list(
        JobAnswer.objects.filter(opening=opening)
        .select_related("senior__user")
        .order_by("answered_at", "pk")
    )
    answers.sort(key=lambda a: a.answer != AnswerChoice.YES)
    seniors = [a.senior for a in answers]
    hints = match_hints(opening=opening, seniors=seniors)
    clearances = training_clearances(memberships=seniors)
    offered = {s.pk for s in eligible_seniors(opening=opening, on=timezone.localdate())}
    return [
        {
            "answer": a,
            "hints": hints.get(a.senior_id, []),
            "clearance": clearances[a.senior_id],
            "offered": a.senior_id in offered,
        }
        for a in answers
    ]


def _detail(request: AuthedRequest, opening: JobOpening, **forms: Any) -> HttpResponse:
    answers = _answers(opening)
    answered = {row["answer"].senior_id for row in answers}
    silent = []
    if opening.status == OpeningStatus.OPEN:
        silent = [
            s
            for s in eligible_seniors(opening=opening, on=timezone.localdate())
            if s.pk not in answered
        ]
    ctx = {
        "opening": opening,
        "when": opening_when(opening),
        "where": opening_where(opening),
        "areas": list(opening.service_areas.all()),
        "answers": answers,
        "yes_count": sum(1 for r in answers if r["answer"].answer == AnswerChoice.YES),
        "silent": silent,
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "errors": forms.get("errors") or [],
        "next_url": services.prefill_url(opening)
        if opening.status == OpeningStatus.FILLED and not opening.recipient.anonymised_at
        else "",
    }
    return render(request, "openings/leader/detail.html", ctx)


@require(Perm.MANAGE_OPENINGS)
def leader_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The job with the answers (yes first) and the match hints beside each."""
    return _detail(request, get_opening_for_leader(request, pk))


@require_POST
@require(Perm.MANAGE_OPENINGS)
def leader_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    opening = get_opening_for_leader(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.opening_withdraw(
                opening=opening, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            return _detail(request, opening, errors=exc.messages)
        messages.success(request, _("Jobben er trukket tilbake. Seniorene ser den ikke lenger."))
        return redirect("openings:leader_detail", opening.pk)
    return _detail(request, opening, withdraw_form=form)


@require_POST
@require(Perm.MANAGE_OPENINGS)
def leader_choose(request: AuthedRequest, pk: int) -> HttpResponse:
    """Give the job to one who said yes (R6 checked again), then open the booking or the
    plan form filled in from the job."""
    opening = get_opening_for_leader(request, pk)
    form = ChooseForm(request.POST)
    if not form.is_valid():
        return _detail(request, opening, errors=[_("Velg en senior.")])
    answer = (
        JobAnswer.objects.filter(opening=opening, senior_id=form.cleaned_data["senior"])
        .select_related("senior__user")
        .first()
    )
    if answer is None:
        raise Http404
    try:
        opening = services.opening_choose(
            opening=opening, senior=answer.senior, by=request.membership
        )
    except ValidationError as exc:
        return _detail(request, opening, errors=exc.messages)
    messages.success(
        request,
        _("%(name)s har fått jobben og får beskjed. Fyll ut og lagre skjemaet under.")
        % {"name": answer.senior.user.name},
    )
    return redirect(services.prefill_url(opening))
