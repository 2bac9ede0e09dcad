"""The senior's side of jobs, on the phone: opting in, pausing, withdrawing, the jobs
offered (*Ledige jobber*) and answering one. No JavaScript; every form posts and redirects.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openings import senior_services as services
from openings.models import AnswerChoice, OpeningStatus
from openings.senior_access import get_opening_for_senior
from openings.senior_forms import AnswerForm, InterestForm, PauseForm
from openings.senior_selectors import (
    State,
    interest_state,
    job_card,
    job_interest_of,
    offered_department_ids,
    senior_jobs,
)
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm


@require(Perm.TAKE_JOBS)
def my_jobs(request: AuthedRequest) -> HttpResponse:
    """ "Ledige jobber": the jobs offered to the senior, theirs, and those no longer open."""
    jobs = senior_jobs(membership=request.membership, on=timezone.localdate(), now=timezone.now())
    return render(request, "openings/senior/jobs.html", {"jobs": jobs})


@require(Perm.TAKE_JOBS)
def my_job(request: AuthedRequest, pk: int) -> HttpResponse:
    """One job: what, where (area only), when; the senior's answer, changeable while open."""
    opening = get_opening_for_senior(request, pk)
    me = request.membership
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Velg «Jeg kan ta den» eller «Passer ikke»."))
            return redirect("openings:my_job", pk=opening.pk)
        try:
            services.opening_answer(
                opening=opening,
                senior=me,
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
            return redirect("openings:my_job", pk=opening.pk)
        if form.cleaned_data["answer"] == AnswerChoice.YES:
            thanks = _("Takk! Lederen ser at du kan ta jobben, og sier fra når noen er valgt.")
            messages.success(request, thanks)
        else:
            messages.success(request, _("Takk for svaret. Jobben passer ikke for deg."))
        return redirect("openings:my_jobs")
    card = job_card(opening=opening, membership=me)
    may_answer = opening.status == OpeningStatus.OPEN and opening.department_id in (
        offered_department_ids(membership=me, on=timezone.localdate())
    )
    ctx = {
        "card": card,
        "opening": opening,
        "mine": opening.status == OpeningStatus.FILLED and opening.chosen_id == me.pk,
        "may_answer": may_answer,
        "closed_message": services.closed_message(opening)
        if opening.status != OpeningStatus.OPEN
        else "",
        "form": AnswerForm(initial={"note": card.answer.note if card.answer else ""}),
    }
    return render(request, "openings/senior/job.html", ctx)


@require(Perm.TAKE_JOBS)
def my_interest(request: AuthedRequest) -> HttpResponse:
    """ "Jeg vil gjerne ta omsorgsjobber": what the senior likes, how often, where; pause,
    withdraw, or opt in again."""
    me = request.membership
    interest = job_interest_of(me)
    today = timezone.localdate()
    if request.method == "POST":
        form = InterestForm(request.POST, organization=request.organization)
        if form.is_valid():
            services.job_interest_save(membership=me, by=request.user, **form.cleaned_data)
            messages.success(request, _("Takk! Du får nå se ledige jobber i avdelingen din."))
            return redirect("openings:my_jobs")
    else:
        initial = {}
        if interest is not None:
            initial = {
                "service_areas": list(interest.service_areas.all()),
                "visits_per_week": interest.visits_per_week,
                "postal_code": interest.postal_code,
                "note": interest.note,
            }
        form = InterestForm(initial=initial, organization=request.organization)
    ctx = {
        "form": form,
        "interest": interest,
        "state": interest_state(interest, on=today),
        "State": State,
        "pause_form": PauseForm(today=today),
    }
    return render(request, "openings/senior/interest.html", ctx, status=400 if form.errors else 200)


@require_POST
@require(Perm.TAKE_JOBS)
def my_interest_pause(request: AuthedRequest) -> HttpResponse:
    """Pause until a day (included), or until the senior opts in again."""
    form = PauseForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("until", [])))
        return redirect("openings:my_interest")
    until = form.cleaned_data["until"]
    try:
        services.job_interest_pause(membership=request.membership, by=request.user, until=until)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("openings:my_interest")
    if until:
        messages.success(
            request,
            _("Du har pause til og med %(day)s. Etter det får du se ledige jobber igjen.")
            % {"day": until.strftime("%d.%m.%Y")},
        )
    else:
        messages.success(request, _("Du har pause. Si fra her når du vil ta jobber igjen."))
    return redirect("openings:my_interest")


@require_POST
@require(Perm.TAKE_JOBS)
def my_interest_resume(request: AuthedRequest) -> HttpResponse:
    """End a pause or a withdrawal with what the senior said before."""
    try:
        services.job_interest_resume(membership=request.membership, by=request.user)
    except ValidationError:
        return redirect("openings:my_interest")
    messages.success(request, _("Velkommen tilbake! Du får se ledige jobber igjen."))
    return redirect("openings:my_jobs")


@require_POST
@require(Perm.TAKE_JOBS)
def my_interest_withdraw(request: AuthedRequest) -> HttpResponse:
    """The senior no longer wants Omsorg jobs."""
    try:
        services.job_interest_withdraw(membership=request.membership, by=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("openings:my_interest")
    messages.success(
        request, _("Du får ikke flere ledige jobber. Du kan når som helst si ja igjen.")
    )
    return redirect("openings:my_interest")
