"""The leader's visit plans: the list, a recipient's plans, create, edit and end."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.access import get_recipient_for_user
from omsorg.models import ServiceArea
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.audit.services import view_record
from seniorene.forms import add_errors, initial_from_query
from training.selectors import assignable_seniors
from visits import planning
from visits.access import (
    get_plan_for_user,
    planning_departments,
)
from visits.civil_time import local_day_bounds
from visits.conflicts import (
    PlanClash,
    clash_fingerprint,
    plan_clashes,
    visit_conflicts,
    with_conflicts,
)
from visits.forms import (
    ClashConfirmForm,
    PlanForm,
)
from visits.models import (
    PlanServiceArea,
    Visit,
    VisitPlan,
    VisitStatus,
)
from visits.selectors import (
    desired_frequency,
)


@require(Perm.PLAN_VISITS)
def plan_list(request: AuthedRequest) -> HttpResponse:
    """The department's recipients (not ended) with their running plans."""
    from customers.models import CareRecipient, RecipientStatus

    departments = list(planning_departments(request).order_by("name"))
    wanted = request.GET.get("avdeling", "")
    department = next((d for d in departments if str(d.pk) == wanted), None)
    if department is None and departments:
        department = departments[0]
    recipients: Iterable[CareRecipient] = []
    if department is not None:
        recipients = (
            CareRecipient.objects.for_organization(request.organization)
            .filter(department=department)
            .exclude(status=RecipientStatus.ENDED)
            .prefetch_related(
                Prefetch(
                    "visit_plans",
                    queryset=VisitPlan.objects.filter(ended_at__isnull=True)
                    .select_related("senior__user")
                    .order_by("first_date", "pk"),
                    to_attr="running_plans",
                )
            )
            .order_by("name", "pk")
        )
    ctx = {"departments": departments, "department": department, "recipients": recipients}
    return render(request, "visits/plan_list.html", ctx)


def _plan_form_parts(request: AuthedRequest, recipient, current_senior_id: int | None = None):
    """Cleared seniors of the recipient's department (R6) and those blocked, with why."""
    seniors = assignable_seniors(department=recipient.department, keep_id=current_senior_id)
    queryset, blocked = seniors.choices(), seniors.blocked
    areas = ServiceArea.objects.for_organization(request.organization).filter(is_active=True)
    return queryset, areas, blocked


@require(Perm.PLAN_VISITS)
def recipient_plans(request: AuthedRequest, pk: int) -> HttpResponse:
    """A recipient's plans and coming visits, with conflicts and holidays."""
    recipient = get_recipient_for_user(request, pk)
    plans = (
        VisitPlan.objects.for_organization(request.organization)
        .filter(recipient=recipient)
        .select_related("senior__user")
        .prefetch_related(
            Prefetch(
                "planservicearea_set",
                queryset=PlanServiceArea.objects.select_related("service_area"),
                to_attr="area_links",
            )
        )
        .order_by("ended_at", "-first_date", "-pk")
    )
    today = timezone.localdate()
    lo, _hi = local_day_bounds(today, today)
    upcoming = with_conflicts(
        Visit.objects.for_organization(request.organization)
        .filter(recipient=recipient, starts_at__gte=lo)
        .exclude(status=VisitStatus.CANCELLED, cancel_kind="plan_changed")
        .select_related("senior__user")
        .order_by("starts_at", "pk")[:60]
    )
    ctx = {"recipient": recipient, "plans": plans, "upcoming": upcoming}
    return render(request, "visits/recipient_plans.html", ctx)


def _frequency(request: AuthedRequest, recipient) -> str:
    """Question 9 of the interview, shown as a suggestion; reading it is recorded (R3)."""
    text = desired_frequency(recipient)
    if text and request.method == "GET":
        view_record(
            organization=request.organization,
            viewer=request.user,
            obj=recipient,
            what="ønsket besøksfrekvens (Bli kjent, spørsmål 9)",
        )
    return text


def _clashes_to_confirm(
    request: AuthedRequest, form: PlanForm, recipient, plan: VisitPlan | None = None
) -> list[PlanClash]:
    """The clashes of the visits the posted plan would make, unless the leader has seen
    exactly these and ticked "Lagre likevel" (then nothing: save). Nothing is written."""
    if not form.is_valid():
        return []
    clashes = plan_clashes(recipient=recipient, fields=form.plan_fields(), plan=plan)
    if not clashes:
        return []
    confirm = ClashConfirmForm(request.POST)
    if confirm.confirmed(clash_fingerprint(clashes)):
        return []
    return clashes


def _clash_context(clashes: list[PlanClash]) -> dict:
    if not clashes:
        return {}
    return {
        "clashes": clashes,
        "confirm_form": ClashConfirmForm(initial={"fingerprint": clash_fingerprint(clashes)}),
    }


def _from_interview(recipient, seniors, blocked, areas) -> dict:
    """What the plan form takes from the intake: the senior who held the good-match
    meeting (if still cleared, R6), the areas R2 allows, the customer, what is missing."""
    from customers.services import current_customer
    from omsorg.models import Outcome
    from omsorg.services import latest_completed_interview, training_visits_allowed

    interview = latest_completed_interview(recipient)
    senior, senior_note = None, ""
    if interview is not None and interview.outcome == Outcome.GOOD_MATCH:
        held_by = interview.senior
        if seniors.filter(pk=held_by.pk).exists():
            senior = held_by
        else:
            lacks = next((missing for s, missing in blocked if s.pk == held_by.pk), None)
            senior_note = (
                _("%(name)s holdt Bli kjent-møtet, men kan ikke velges: mangler %(what)s.")
                % {"name": held_by.user.name, "what": ", ".join(str(m) for m in lacks)}
                if lacks
                else _(
                    "%(name)s holdt Bli kjent-møtet, men kan ikke velges: ikke aktiv senior "
                    "i brukerens avdeling."
                )
                % {"name": held_by.user.name}
            )
    allowed, training_reason = training_visits_allowed(recipient=recipient, latest=interview)
    # R2: the quality visit with training is ticked when the criteria allow it; the other
    # areas are the leader's choice (an organization has a dozen).
    chosen = [a.pk for a in areas if a.is_training and allowed]
    return {
        "interview": interview,
        "senior": senior,
        "senior_note": senior_note,
        "areas": chosen,
        "training_reason": "" if allowed else training_reason,
        "customer": current_customer(recipient),
        "missing": planning.plan_requirements(recipient),
        "prepare": _who_prepares(recipient, interview),
    }


def _who_prepares(recipient, interview) -> str:
    """Question 3 as the task the first plan brings (`visits.first_visit`): who calls the
    recipient before the first visit. Empty once the recipient has had a plan."""
    from omsorg.models import Preparer
    from visits.first_visit import relative_to_prepare

    if interview is None or VisitPlan.objects.filter(recipient=recipient).exists():
        return ""
    if interview.q3_prepared_by == Preparer.SENIOR:
        return _("Senioren ringer: ser «Ring før første besøk» på det første besøket.")
    if interview.q3_prepared_by == Preparer.RELATIVE:
        relative = relative_to_prepare(recipient, interview)
        if relative is None:
            return _(
                "Pårørende ringer, men ingen pårørende med mobilnummer er registrert: "
                "ring dem selv, eller legg til den pårørende."
            )
        return _("Pårørende ringer: %(name)s får SMS dagen før første besøk (med samtykke).") % {
            "name": relative.name
        }
    return ""


@require(Perm.PLAN_VISITS)
def plan_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """A new plan, prefilled from the Bli kjent meeting; the leader confirms. `?enkelt=1`:
    one visit on one date (a plan whose first and last date are that date)."""
    recipient = get_recipient_for_user(request, pk)
    seniors, areas, blocked = _plan_form_parts(request, recipient)
    single = request.GET.get("enkelt") == "1"
    frequency = _frequency(request, recipient)
    hint = planning.frequency_hint(frequency)
    intake = _from_interview(recipient, seniors, blocked, areas)
    initial: dict = {"first_date": timezone.localdate(), "service_areas": intake["areas"]}
    if not single:
        initial["every_n_weeks"] = hint["every_n_weeks"]
        if hint["weekdays"]:
            initial["weekdays"] = hint["weekdays"]
    if intake["senior"] is not None:
        initial["senior"] = intake["senior"].pk
    else:
        assigned = seniors.filter(assignment__recipient=recipient).values_list("pk", flat=True)
        initial["senior"] = next(iter(assigned), None)
    # Opened filled in from elsewhere (a job's chosen senior, its days, time and areas).
    initial.update(
        initial_from_query(
            request.GET,
            single=("senior", "start_time", "duration_minutes", "every_n_weeks", "first_date"),
            multiple=("service_areas",) if single else ("weekdays", "service_areas"),
        )
    )
    form = PlanForm(
        request.POST or None,
        seniors=seniors,
        areas=areas,
        initial=initial,
        single=single,
        needs_override=bool(intake["missing"]),
    )
    clashes = _clashes_to_confirm(request, form, recipient) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid() and not clashes:
        try:
            plan = planning.plan_create(
                recipient=recipient, by=request.membership, fields=form.plan_fields()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            _report_plan(request, plan)
            return redirect("visits:plans", recipient.pk)
    ctx = {
        "recipient": recipient,
        "form": form,
        "blocked": blocked,
        "frequency": frequency,
        "suggestion": planning.frequency_suggestion(frequency) if not single else "",
        "intake": intake,
        "single": single,
        "plan": None,
        **_clash_context(clashes),
    }
    return render(request, "visits/plan_form.html", ctx)


def _report_plan(request: AuthedRequest, plan: VisitPlan) -> None:
    """Tell the leader how many visits the plan has and how many need a look."""
    today = timezone.localdate()
    lo, _hi = local_day_bounds(today, today)
    visits = list(
        Visit.objects.filter(plan=plan, starts_at__gte=lo).exclude(status=VisitStatus.CANCELLED)
    )
    conflicts = visit_conflicts(visits)
    messages.success(
        request,
        _("Besøksplanen er lagret: %(n)s kommende besøk.") % {"n": len(visits)},
    )
    if conflicts:
        messages.warning(
            request,
            _("%(n)s av besøkene har konflikter eller faller på en helligdag. Se listen under.")
            % {"n": len(conflicts)},
        )


@require(Perm.PLAN_VISITS)
def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk)
    recipient = plan.recipient
    seniors, areas, blocked = _plan_form_parts(request, recipient, plan.senior_id)
    form = PlanForm(
        request.POST or None,
        seniors=seniors,
        areas=areas,
        initial=PlanForm.initial_for(plan),
        single=plan.last_date == plan.first_date,
    )
    clashes = (
        _clashes_to_confirm(request, form, recipient, plan)
        if request.method == "POST" and not plan.is_ended
        else []
    )
    if request.method == "POST" and not plan.is_ended and form.is_valid() and not clashes:
        try:
            planning.plan_update(plan=plan, by=request.membership, fields=form.plan_fields())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            _report_plan(request, plan)
            return redirect("visits:plans", recipient.pk)
    ctx = {
        "recipient": recipient,
        "form": form,
        "blocked": blocked,
        "frequency": _frequency(request, recipient),
        "plan": plan,
        **_clash_context(clashes),
    }
    return render(request, "visits/plan_form.html", ctx)


@require_POST
@require(Perm.PLAN_VISITS)
def plan_end(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk)
    cancelled = planning.plan_end(plan=plan, by=request.membership)
    messages.success(
        request,
        _("Besøksplanen er avsluttet; %(n)s kommende besøk er avlyst.") % {"n": cancelled},
    )
    return redirect("visits:plans", plan.recipient_id)
