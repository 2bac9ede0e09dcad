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
from seniorene.forms import add_errors
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


@require(Perm.PLAN_VISITS)
def plan_create(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    seniors, areas, blocked = _plan_form_parts(request, recipient)
    frequency = _frequency(request, recipient)
    hint = planning.frequency_hint(frequency)
    initial = {"first_date": timezone.localdate(), "every_n_weeks": hint["every_n_weeks"]}
    assigned = seniors.filter(assignment__recipient=recipient).values_list("pk", flat=True)
    initial["senior"] = next(iter(assigned), None)
    if hint["weekdays"]:
        initial["weekdays"] = hint["weekdays"]
    form = PlanForm(request.POST or None, seniors=seniors, areas=areas, initial=initial)
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
