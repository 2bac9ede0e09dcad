"""The leader's plans, week and watchdog; the senior's agenda and calendar feed."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.access import get_recipient_for_user
from ledger.models import RECEIPT_MAX_BYTES
from omsorg.models import ServiceArea
from seniorene.accounts.decorators import public, require
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.policy import Perm
from seniorene.accounts.tenancy import db_set_tenant
from seniorene.audit.services import view_record
from seniorene.forms import add_errors
from seniorene.uploads import upload_limit
from visits import changes, planning
from visits.access import (
    get_own_visit_for_senior,
    get_plan_for_user,
    get_senior_for_user,
    get_visit_for_user,
    plannable_seniors,
    planning_departments,
)
from visits.availability import availability_set
from visits.calendar_feed import (
    calendar_feed_check,
    calendar_feed_for,
    calendar_feed_reset,
    calendar_ics,
    calendar_mark_fetched,
    calendar_organization_for_token,
    calendar_token,
)
from visits.civil_time import local_day_bounds
from visits.conflicts import visit_conflicts, with_conflicts
from visits.forms import (
    AvailabilityForm,
    CancelForm,
    MoveForm,
    PlanForm,
    ReassignForm,
    WeekFilterForm,
)
from visits.models import (
    PlanServiceArea,
    SeniorAvailability,
    Visit,
    VisitPlan,
    VisitStatus,
)
from visits.selectors import (
    FOLLOW_UP_DAYS,
    department_week,
    desired_frequency,
    senior_agenda,
    sms_failed,
    visit_after,
    visit_may_share_notebook,
    visits_unlogged,
)
from visits.watchdog import WATCHDOG_DAYS, watchdog_list


def _week_url(department_id: int, when) -> str:
    day = timezone.localtime(when).date() if hasattr(when, "hour") else when
    return f"{reverse('visits:week')}?avdeling={department_id}&uke={day.isoformat()}"


# --- The leader's week -------------------------------------------------------------------


@require(Perm.PLAN_VISITS)
def week(request: HttpRequest) -> HttpResponse:
    """One department's week: seniors as rows, days as columns, every visit with its state."""
    departments = list(planning_departments(request).order_by("name"))
    ctx: dict = {"departments": departments}
    if not departments:
        return render(request, "visits/week.html", ctx)
    wanted = request.GET.get("avdeling", "")
    department = next((d for d in departments if str(d.pk) == wanted), departments[0])
    seniors = list(plannable_seniors(request, department))
    data = request.GET.copy()
    data["avdeling"] = str(department.pk)
    data.setdefault("uke", timezone.localdate().isoformat())
    form = WeekFilterForm(data, departments=departments, seniors=seniors)
    day = form.value("uke", timezone.localdate())
    senior_id = form.value("senior")
    show = form.value("vis", "")
    the_week = department_week(
        department=department, day=day, seniors=seniors, senior_id=senior_id, show=show
    )
    query = request.GET.copy()
    query["avdeling"] = str(department.pk)
    query.pop("uke", None)
    ctx.update(
        {
            "form": form,
            "week": the_week,
            "department": department,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "conflict_count": len(the_week.conflicts),
        }
    )
    return render(request, "visits/week.html", ctx)


# --- Plans ---------------------------------------------------------------------------------


@require(Perm.PLAN_VISITS)
def plan_list(request: HttpRequest) -> HttpResponse:
    """The department's recipients (not ended) with their running plans."""
    from customers.models import CareRecipient, RecipientStatus

    departments = list(planning_departments(request).order_by("name"))
    wanted = request.GET.get("avdeling", "")
    department = next((d for d in departments if str(d.pk) == wanted), None)
    if department is None and departments:
        department = departments[0]
    recipients = []
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


def _plan_form_parts(request: HttpRequest, recipient, current_senior_id: int | None = None):
    """Cleared seniors of the recipient's department (R6) and those blocked, with why."""
    from training.services import training_clearances

    seniors = list(plannable_seniors(request, recipient.department))
    clearances = training_clearances(memberships=seniors)
    cleared = [s.pk for s in seniors if clearances[s.pk].cleared or s.pk == current_senior_id]
    if current_senior_id and current_senior_id not in cleared:
        cleared.append(current_senior_id)
    blocked = [(s, clearances[s.pk].missing) for s in seniors if s.pk not in cleared]
    queryset = (
        Membership.objects.for_organization(request.organization)
        .filter(pk__in=cleared)
        .select_related("user")
        .order_by("user__name")
    )
    areas = ServiceArea.objects.for_organization(request.organization).filter(is_active=True)
    return queryset, areas, blocked


@require(Perm.PLAN_VISITS)
def recipient_plans(request: HttpRequest, pk: int) -> HttpResponse:
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


def _frequency(request: HttpRequest, recipient) -> str:
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


@require(Perm.PLAN_VISITS)
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
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
    if request.method == "POST" and form.is_valid():
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
    }
    return render(request, "visits/plan_form.html", ctx)


def _report_plan(request: HttpRequest, plan: VisitPlan) -> None:
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
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk)
    recipient = plan.recipient
    seniors, areas, blocked = _plan_form_parts(request, recipient, plan.senior_id)
    form = PlanForm(
        request.POST or None,
        seniors=seniors,
        areas=areas,
        initial=PlanForm.initial_for(plan),
    )
    if request.method == "POST" and not plan.is_ended and form.is_valid():
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
    }
    return render(request, "visits/plan_form.html", ctx)


@require_POST
@require(Perm.PLAN_VISITS)
def plan_end(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk)
    cancelled = planning.plan_end(plan=plan, by=request.membership)
    messages.success(
        request,
        _("Besøksplanen er avsluttet; %(n)s kommende besøk er avlyst.") % {"n": cancelled},
    )
    return redirect("visits:plans", plan.recipient_id)


# --- Single visits (leader) ---------------------------------------------------------------


def _reassign_seniors(request: HttpRequest, visit: Visit):
    from training.services import training_clearances

    seniors = [
        s for s in plannable_seniors(request, visit.recipient.department) if s.pk != visit.senior_id
    ]
    clearances = training_clearances(memberships=seniors)
    ids = [s.pk for s in seniors if clearances[s.pk].cleared]
    return (
        Membership.objects.for_organization(request.organization)
        .filter(pk__in=ids)
        .select_related("user")
        .order_by("user__name")
    )


def _visit_page(request: HttpRequest, visit: Visit, **forms) -> HttpResponse:
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
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_page(request, get_visit_for_user(request, pk))


@require_POST
@require(Perm.PLAN_VISITS)
def visit_move(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            changes.visit_move(
                visit=visit,
                by=request.membership,
                starts_at=form.starts_at(),
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Besøket er flyttet. Planen er uendret."))
            return redirect(_week_url(visit.recipient.department_id, form.starts_at()))
    return _visit_page(request, visit, move_form=form)


@require_POST
@require(Perm.PLAN_VISITS)
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
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
def visit_reassign(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- Availability and the watchdog --------------------------------------------------------------


@require(Perm.PLAN_VISITS)
def availability(request: HttpRequest, pk: int) -> HttpResponse:
    senior = get_senior_for_user(request, pk)
    windows = SeniorAvailability.objects.filter(membership=senior)
    form = AvailabilityForm(request.POST or None, initial=AvailabilityForm.initial_from(windows))
    if request.method == "POST" and form.is_valid():
        try:
            availability_set(membership=senior, by=request.membership, windows=form.windows())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Tilgjengeligheten til %(name)s er lagret.") % {"name": senior.user.name}
            )
            return redirect("visits:availability", senior.pk)
    ctx = {"senior": senior, "form": form}
    return render(request, "visits/availability.html", ctx)


@require(Perm.PLAN_VISITS)
def watchdog(request: HttpRequest) -> HttpResponse:
    """Active recipients who may silently drop out: no coming visit, or plans ending soon."""
    department_ids = None
    if request.membership.role == Role.LEADER:
        department_ids = request.membership.department_ids
    scope = {"organization_id": request.organization.pk, "department_ids": department_ids}
    ctx = {
        "rows": watchdog_list(**scope),
        "days": WATCHDOG_DAYS,
        "unlogged": visits_unlogged(**scope),
        "failed_sms": sms_failed(**scope),
        "follow_up_days": FOLLOW_UP_DAYS,
    }
    return render(request, "visits/watchdog.html", ctx)


# --- The senior ---------------------------------------------------------------------------------


@require(Perm.VIEW_OWN_VISITS)
def agenda(request: HttpRequest) -> HttpResponse:
    """Today first, then the next two weeks."""
    from visits.models import VisitLogDraft

    days = senior_agenda(senior=request.membership)
    today = [v.pk for d in days if d.is_today for v in d.visits]
    arrived = set(
        VisitLogDraft.objects.filter(
            visit_id__in=today, membership=request.membership, arrived_at__isnull=False
        ).values_list("visit_id", flat=True)
    )
    return render(request, "visits/agenda.html", {"days": days, "arrived": arrived})


@require(Perm.VIEW_OWN_VISITS)
def my_visit(request: HttpRequest, pk: int) -> HttpResponse:
    from visits.feedback import feedback_offered

    visit = get_own_visit_for_senior(request, pk)
    after = visit_after(visit)
    ctx = {
        "visit": visit,
        "areas": visit.service_areas.all(),
        "after": after,
        "may_give_feedback": visit.status == VisitStatus.LOGGED
        and not after.sms
        and feedback_offered(visit),
    }
    return render(request, "visits/my_visit.html", ctx)


def _feed_urls(request: HttpRequest, feed) -> dict[str, str]:
    from urllib.parse import quote

    from django.conf import settings

    path = reverse("visits:ics", args=[calendar_token(feed)])
    https = settings.SITE_URL + path
    webcal = "webcal://" + https.split("://", 1)[-1]
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
    }


@require(Perm.VIEW_OWN_VISITS)
def calendar(request: HttpRequest) -> HttpResponse:
    """The senior's own calendar address, to add the visits to the phone's calendar."""
    from visits.models import CalendarFeed

    feed = CalendarFeed.objects.filter(membership=request.membership).first()
    ctx = {"feed": feed, "urls": _feed_urls(request, feed) if feed else None}
    return render(request, "visits/calendar.html", ctx)


@require_POST
@require(Perm.VIEW_OWN_VISITS)
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """Make the calendar address (first time) or a new one (the old one stops working)."""
    from visits.models import CalendarFeed

    existed = CalendarFeed.objects.filter(membership=request.membership).exists()
    if existed:
        calendar_feed_reset(membership=request.membership)
        messages.success(
            request, _("Du har fått en ny kalenderlenke. Den gamle virker ikke lenger.")
        )
    else:
        calendar_feed_for(membership=request.membership)
        messages.success(request, _("Kalenderlenken er laget."))
    return redirect("visits:calendar")


@require_POST
@require(Perm.RESET_CALENDAR_FEEDS)
def senior_calendar_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A senior's leader (their departments), the lead or an admin gives the senior a new
    calendar address, e.g. after a lost phone: the old one stops working at once."""
    from seniorene.accounts.policy import has_perm
    from visits.models import CalendarFeed

    senior = get_senior_for_user(request, pk)
    if CalendarFeed.objects.filter(membership=senior).exists():
        calendar_feed_reset(membership=senior, by=request.membership)
        messages.success(
            request,
            _("%(name)s har fått en ny kalenderlenke. Den gamle virker ikke lenger.")
            % {"name": senior.user.name},
        )
    else:
        messages.info(
            request,
            _("%(name)s har ingen kalenderlenke ennå.") % {"name": senior.user.name},
        )
    if has_perm(request.membership, Perm.PLAN_VISITS):
        return redirect("visits:availability", senior.pk)
    return redirect("accounts:member_edit", senior.pk)


@require_GET
@public
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed for whoever holds the secret address (a calendar app)."""
    organization_id = calendar_organization_for_token(token)
    if organization_id is None:
        raise Http404
    db_set_tenant(
        organization_id, request.user.pk if request.user.is_authenticated else None, local=True
    )
    feed = calendar_feed_check(organization_id=organization_id, token=token)
    if feed is None:
        raise Http404
    body = calendar_ics(feed=feed)
    calendar_mark_fetched(feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="besok.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


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
def visit_log(request: HttpRequest, pk: int) -> HttpResponse:
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
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
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
            _("Du er registrert fremme kl. %(time)s. Før besøket når du går.")
            % {"time": timezone.localtime(draft.arrived_at).strftime("%H.%M")},
        )
    return redirect("visits:agenda")


@require_POST
@require(Perm.VIEW_OWN_VISITS)
def visit_log_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what has been typed so far (htmx, while typing); answers with the saved time."""
    from visits.logging import visit_log_draft_save

    visit = get_own_visit_for_senior(request, pk)
    try:
        draft = visit_log_draft_save(visit=visit, by=request.membership, data=request.POST)
    except ValidationError as exc:
        ctx = {"error": " ".join(exc.messages)}
        return render(request, "visits/_draft_saved.html", ctx, status=409)
    return render(request, "visits/_draft_saved.html", {"saved_at": draft.saved_at})


@require(Perm.VIEW_OWN_VISITS)
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The feedback SMS for a logged visit: the prefilled text, the preview with its length,
    the confidentiality reminder; without consent the page says why and sends nothing."""
    from visits import feedback as fb
    from visits.forms import FeedbackForm

    visit = get_own_visit_for_senior(request, pk)
    target = fb.feedback_target(visit)
    sent = fb.feedback_message(visit)
    if visit.status != VisitStatus.LOGGED or target is None:
        return redirect("visits:my_visit", visit.pk)
    form = FeedbackForm(request.POST or None, initial={"body": fb.feedback_prefill(visit, target)})
    preview_only = request.htmx and request.POST.get("preview") == "1"
    if request.method == "POST" and not preview_only and form.is_valid():
        try:
            message, created = fb.feedback_send(
                visit=visit, by=request.membership, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if not created:
                messages.info(request, _("Meldingen var allerede sendt. Den sendes ikke igjen."))
            elif message.send_after > timezone.now() + timedelta(minutes=1):
                when = timezone.localtime(message.send_after)
                messages.success(
                    request,
                    _("Meldingen sendes %(day)s kl. %(time)s (utenfor sendetidene nå).")
                    % {"day": when.strftime("%d.%m."), "time": when.strftime("%H.%M")},
                )
            else:
                messages.success(request, _("Meldingen er sendt."))
            return redirect("visits:agenda")
    body = form["body"].value() or ""
    full_text = fb.feedback_full_text(str(body), target)
    ctx = {
        "visit": visit,
        "target": target,
        "form": form,
        "sent": sent,
        "full_text": full_text,
        "counts": fb.feedback_counts(full_text),
    }
    if preview_only:
        return render(request, "visits/_feedback_preview.html", ctx)
    status = 422 if request.method == "POST" else 200
    return render(request, "visits/feedback.html", ctx, status=status)


# --- Receipts ------------------------------------------------------------------------------


@require(Perm.VIEW_RECEIPTS)
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo of an outlay's receipt (private file; access as for the outlay)."""
    from django.http import FileResponse

    from visits.access import get_expense_for_user
    from visits.receipts import EXTENSION_OF_TYPE, INLINE_TYPES, sniff_file

    expense = get_expense_for_user(request, pk)
    if not expense.receipt:
        raise Http404
    # The content decides, never the file name: only a verified picture is shown in the
    # browser; anything else (a PDF, or a file that is not what its name says) downloads.
    stored = expense.receipt.storage.open(expense.receipt.name, "rb")
    content_type = sniff_file(stored)
    inline = content_type in INLINE_TYPES
    extension = EXTENSION_OF_TYPE.get(content_type or "", "bin")
    response = FileResponse(
        stored,
        content_type=content_type or "application/octet-stream",
        as_attachment=not inline,
        filename=f"kvittering-{expense.pk}.{extension}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(Perm.MANAGE_SMS_TEMPLATES)
def sms_templates(request: HttpRequest) -> HttpResponse:
    """The organization's wording of the feedback SMS, with the placeholders explained."""
    from visits import feedback as fb
    from visits.forms import SmsTemplatesForm

    form = SmsTemplatesForm(
        request.POST or None, initial=fb.templates_current(request.organization.pk)
    )
    if request.method == "POST" and form.is_valid():
        fb.templates_save(organization=request.organization, by=request.user, bodies=form.bodies())
        messages.success(request, _("Malene er lagret."))
        return redirect("visits:sms_templates")
    ctx = {"form": form, "placeholders": fb.PLACEHOLDERS.items()}
    return render(request, "visits/sms_templates.html", ctx, status=400 if form.is_bound else 200)
