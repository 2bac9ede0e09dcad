"""Screening, booking, the interview on the phone, its PDF, and admin's review queue."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import F, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.access import get_recipient_for_user
from customers.hooks import IntakeStep
from customers.models import CareRecipient
from ledger.selectors import intake_spent
from omsorg import funnel as funnel_by
from omsorg import meetings, services
from omsorg.access import (
    can_read_briefing,
    can_read_interview,
    get_interview_for_user,
    get_notification_for_user,
    get_own_interview_for_senior,
)
from omsorg.forms import (
    BookingForm,
    CriterionForm,
    FunnelPeriodForm,
    InterviewForm,
    MeetingCancelForm,
    MeetingMoveForm,
    NotificationFilterForm,
    ScreeningForm,
    ServiceAreaForm,
)
from omsorg.models import (
    AdminNotification,
    Criterion,
    CriterionKind,
    IntakeInterview,
    InterviewStatus,
    LeaderNotice,
    Outcome,
    PdfStatus,
    ServiceArea,
)
from omsorg.selectors import visit_briefing
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Department
from seniorene.accounts.policy import Perm, has_perm
from seniorene.audit.services import view_record
from seniorene.forms import add_errors, initial_from_query
from training.selectors import assignable_seniors

# --- Leader: screening and booking --------------------------------------------------------


@require(Perm.SCREEN_AND_BOOK)
def screening(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    criteria = services.active_criteria(request.organization.pk, CriterionKind.SCREENING)
    form = ScreeningForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.screening_record(
                recipient=recipient,
                by=request.membership,
                answers=form.answers(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if result.passed:
                messages.success(
                    request, _("Kartleggingen er bestått. Nå kan Bli kjent-møtet avtales.")
                )
            else:
                messages.warning(
                    request, _("Kartleggingen er ikke bestått. Bli kjent-møtet kan ikke avtales.")
                )
            return redirect("customers:card", recipient.pk)
    ctx = {"recipient": recipient, "form": form, "criteria": criteria}
    return render(request, "omsorg/screening.html", ctx)


@require(Perm.SCREEN_AND_BOOK)
def book_interview(request: AuthedRequest, pk: int) -> HttpResponse:
    """Book a Bli kjent meeting. A second meeting or a stale screening asks for a written
    reason; a time when the senior has a visit or another meeting shows the clashes and
    asks "Book likevel" instead of booking silently."""
    recipient = get_recipient_for_user(request, pk)
    seniors = assignable_seniors(department=recipient.department)
    blocked = seniors.blocked
    queryset = seniors.choices()
    initial = {"relative_attends": services.relative_is_customer(recipient)}
    # Opened filled in from elsewhere (a job's chosen senior, its first date and time).
    initial.update(
        initial_from_query(request.GET, single=("senior", "date", "start", "duration_minutes"))
    )
    cautions = services.booking_cautions(recipient)
    form = BookingForm(request.POST or None, seniors=queryset, initial=initial, cautions=cautions)
    passed = services.screening_passed(recipient)
    clashes: list[str] = []
    confirm_key = ""
    if request.method == "POST" and form.is_valid():
        starts_at = form.starts_at()
        minutes = form.cleaned_data["duration_minutes"]
        clashes = meetings.time_clashes(
            senior_id=form.cleaned_data["senior"].pk,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
        )
        confirm_key = form.confirm_key()
        if not clashes or request.POST.get("confirm") == confirm_key:
            try:
                services.interview_book(
                    recipient=recipient,
                    by=request.membership,
                    senior=form.cleaned_data["senior"],
                    starts_at=starts_at,
                    duration_minutes=minutes,
                    relative_attends=form.cleaned_data["relative_attends"],
                    prepared_by=form.cleaned_data["prepared_by"],
                    reason=form.cleaned_data.get("reason", ""),
                    clashes=clashes,
                )
            except ValidationError as exc:
                add_errors(form, exc)
                clashes = []
            else:
                messages.success(
                    request,
                    _("Bli kjent-møtet er avtalt. Senioren får beskjed og ser det på mobilen."),
                )
                return redirect("customers:card", recipient.pk)
    ctx = {
        "recipient": recipient,
        "form": form,
        "blocked": blocked,
        "passed": passed,
        "cautions": cautions,
        "clashes": clashes,
        "confirm_key": confirm_key,
    }
    return render(request, "omsorg/book.html", ctx)


def _meeting_page(request: AuthedRequest, interview: IntakeInterview, **forms) -> HttpResponse:
    ctx = {
        "interview": interview,
        "clashes": meetings.meeting_clashes(interview=interview),
        "move_form": forms.get("move_form")
        or MeetingMoveForm(initial=MeetingMoveForm.initial_for(interview)),
        "cancel_form": forms.get("cancel_form") or MeetingCancelForm(),
        "move_clashes": forms.get("move_clashes") or [],
        "confirm_key": forms.get("confirm_key") or "",
    }
    return render(request, "omsorg/meeting_change.html", ctx)


@require(Perm.SCREEN_AND_BOOK)
def meeting_change(request: AuthedRequest, pk: int) -> HttpResponse:
    """The leader's page to move or cancel one booked meeting."""
    return _meeting_page(request, get_interview_for_user(request, pk))


@require_POST
@require(Perm.SCREEN_AND_BOOK)
def meeting_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move a booked meeting; a new time when the senior has a visit or another meeting
    shows the clashes and asks "Flytt likevel"."""
    interview = get_interview_for_user(request, pk)
    form = MeetingMoveForm(request.POST)
    clashes: list[str] = []
    confirm_key = ""
    if form.is_valid():
        starts_at = form.starts_at()
        minutes = form.cleaned_data["duration_minutes"]
        if starts_at != interview.starts_at or minutes != interview.duration_minutes:
            clashes = meetings.time_clashes(
                senior_id=interview.senior_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                exclude_id=interview.pk,
            )
        confirm_key = form.confirm_key()
        if not clashes or request.POST.get("confirm") == confirm_key:
            try:
                interview = meetings.interview_move(
                    interview=interview,
                    by=request.membership,
                    starts_at=starts_at,
                    duration_minutes=minutes,
                    reason=form.cleaned_data["reason"],
                    clashes=clashes,
                )
            except ValidationError as exc:
                add_errors(form, exc)
                clashes = []
            else:
                messages.success(
                    request,
                    _("Bli kjent-møtet er flyttet. Senioren får beskjed om den nye tiden."),
                )
                return redirect("customers:card", interview.recipient_id)
    return _meeting_page(
        request, interview, move_form=form, move_clashes=clashes, confirm_key=confirm_key
    )


@require_POST
@require(Perm.SCREEN_AND_BOOK)
def meeting_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
    form = MeetingCancelForm(request.POST)
    if form.is_valid():
        try:
            meetings.interview_cancel(
                interview=interview, by=request.membership, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Bli kjent-møtet er avlyst. Senioren får beskjed; brukerens status er uendret."),
            )
            return redirect("customers:card", interview.recipient_id)
    return _meeting_page(request, interview, cancel_form=form)


# --- Reading the interview (R3) -----------------------------------------------------------


@require(Perm.READ_INTERVIEWS)
def interview_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=interview, what="intervjuskjema"
    )
    ctx = {
        "interview": interview,
        "answers": interview.criterion_answers.all(),
        "can_fill": interview.senior_id == request.membership.pk
        and interview.status == InterviewStatus.BOOKED,
    }
    return render(request, "omsorg/interview_detail.html", ctx)


@require(Perm.READ_INTERVIEWS)
def interview_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    interview = get_interview_for_user(request, pk)
    if (
        interview.recipient.anonymised_at is not None
        or interview.pdf_status != PdfStatus.READY
        or not default_storage.exists(interview.pdf_file)
    ):
        raise Http404
    view_record(
        organization=request.organization,
        viewer=request.user,
        obj=interview,
        what="intervjuskjema (PDF)",
    )
    response = FileResponse(
        default_storage.open(interview.pdf_file, "rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"bli-kjent-{interview.pk}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@require(Perm.READ_INTERVIEWS)
def interview_pdf_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
    if services.interview_pdf_retry(interview=interview, by=request.membership):
        messages.info(request, _("PDF-en lages på nytt."))
    return redirect("omsorg:interview", interview.pk)


@require(Perm.USE_APP)
def blank_form_pdf(request: AuthedRequest) -> HttpResponse:
    pdf = services.blank_interview_pdf(organization=request.organization)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="intervjuskjema-bli-kjent.pdf"'
    return response


# --- The senior on the phone ------------------------------------------------------------------


@require(Perm.FILL_INTERVIEW)
def my_interviews(request: AuthedRequest) -> HttpResponse:
    rows = (
        IntakeInterview.objects.for_organization(request.organization)
        .filter(senior=request.membership)
        .exclude(status=InterviewStatus.CANCELLED)
        .select_related("recipient")
        .order_by("status", "starts_at")
    )
    return render(request, "omsorg/my_interviews.html", {"interviews": rows})


@require(Perm.FILL_INTERVIEW)
def interview_fill(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = get_own_interview_for_senior(request, pk)
    if interview.status != InterviewStatus.BOOKED:
        return redirect("omsorg:interview", interview.pk)
    form = InterviewForm(request.POST or None, instance=interview)
    if request.method == "POST" and form.is_valid():
        complete = request.POST.get("action") == "complete"
        try:
            if complete:
                services.interview_complete(
                    interview=interview,
                    by=request.membership,
                    data=form.answers_data(),
                    criteria=form.criteria(),
                    km=form.cleaned_data["km"],
                    **form.outcome_data(),
                )
            else:
                services.interview_save_draft(
                    interview=interview,
                    by=request.membership,
                    data={
                        **form.answers_data(),
                        **form.outcome_data(),
                        "km": form.cleaned_data["km"],
                    },
                    criteria=form.criteria(),
                )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and exc.error_dict.keys() <= form.fields.keys():
                form.add_error(None, exc)  # at the field it concerns (the outcome)
            else:
                add_errors(form, exc)
        else:
            if complete:
                messages.success(
                    request,
                    _("Takk! Skjemaet er levert, og lederen og administrasjonen er varslet."),
                )
                return redirect("omsorg:mine")
            if request.htmx:
                return render(request, "omsorg/_saved.html", {"saved_at": timezone.localtime()})
            messages.success(request, _("Utkastet er lagret."))
            return redirect("omsorg:fill", interview.pk)
    if request.htmx and request.method == "POST":
        return render(request, "omsorg/_saved.html", {"error": True}, status=422)
    ctx = {
        "interview": interview,
        "form": form,
        # The phone-side copy of the form is kept per interview and user.
        "autosave_key": f"interview:{interview.pk}:{request.user.pk}",
    }
    return render(request, "omsorg/interview_fill.html", ctx)


# --- Admin ------------------------------------------------------------------------------------


@require(Perm.REVIEW_INTAKE_NOTICES)
def notifications(request: AuthedRequest) -> HttpResponse:
    """The intake notices, each with when the form was delivered (Oslo time); the dates
    filter on that day too."""
    departments = Department.objects.for_organization(request.organization)
    form = NotificationFilterForm(request.GET or None, departments=departments)
    rows = (
        AdminNotification.objects.for_organization(request.organization)
        .select_related("department", "reviewed_by")
        .annotate(delivered_at=Coalesce("interview__completed_at", "created_at"))
    )
    if form.is_valid():
        if form.cleaned_data["department"]:
            rows = rows.filter(department=form.cleaned_data["department"])
        if form.cleaned_data["date_from"]:
            rows = rows.filter(delivered_at__date__gte=form.cleaned_data["date_from"])
        if form.cleaned_data["date_to"]:
            rows = rows.filter(delivered_at__date__lte=form.cleaned_data["date_to"])
    rows = rows.order_by(F("reviewed_at").asc(nulls_first=True), "-delivered_at", "-pk")
    unreviewed = [n for n in rows if n.reviewed_at is None]
    reviewed = [n for n in rows if n.reviewed_at is not None][:100]
    ctx = {"form": form, "unreviewed": unreviewed, "reviewed": reviewed}
    return render(request, "omsorg/notifications.html", ctx)


@require_POST
@require(Perm.REVIEW_INTAKE_NOTICES)
def notification_review(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request, pk)
    services.notification_mark_reviewed(notification=notification, by=request.membership)
    messages.success(request, _("Markert som gjennomgått."))
    return redirect("omsorg:notifications")


@require(Perm.MANAGE_SERVICE_AREAS)
def service_areas(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """The service areas, with a form to add one (or, with `pk`, edit it)."""
    return _simple_list(
        request,
        model=ServiceArea,
        form_class=ServiceAreaForm,
        template="omsorg/service_areas.html",
        save=lambda obj: services.service_area_save(area=obj, by=request.membership),
        pk=pk,
        list_url="omsorg:service_areas",
    )


@require(Perm.MANAGE_CRITERIA)
def criteria(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """The criteria, with a form to add one (or, with `pk`, reword or retire it)."""
    return _simple_list(
        request,
        model=Criterion,
        form_class=CriterionForm,
        template="omsorg/criteria.html",
        save=lambda obj: services.criterion_save(criterion=obj, by=request.membership),
        pk=pk,
        list_url="omsorg:criteria",
    )


def _simple_list(request, *, model, form_class, template, save, pk, list_url):
    """List the organization's rows of `model` with a create (or edit) form beside them;
    `save` is the service that writes (and audits) the row."""
    rows = model.objects.for_organization(request.organization)
    instance = None
    if pk is not None:
        instance = rows.filter(pk=pk).first()
        if instance is None:
            raise Http404
    form = form_class(
        request.POST or None, instance=instance or model(organization=request.organization)
    )
    if request.method == "POST" and form.is_valid():
        save(form.save(commit=False))
        messages.success(request, _("Lagret."))
        return redirect(list_url)
    ctx = {"rows": rows, "form": form, "editing": instance}
    return render(request, template, ctx)


@dataclass(frozen=True)
class _FunnelAsked:
    """What the funnel's address asks for; `start` is None when the form has errors."""

    form: FunnelPeriodForm
    start: date | None
    end: date | None
    department: Department | None = None

    def query(self, start: date, end: date) -> str:
        """The address's query for this period and department (the CSV link)."""
        asked = {"fra": start.isoformat(), "til": end.isoformat()}
        if self.department is not None:
            asked["avdeling"] = str(self.department.pk)
        return urlencode(asked)


def _funnel_asked(request: AuthedRequest) -> _FunnelAsked:
    """The period asked for in the address (?fra=…&til=…), else the last twelve months
    (Oslo dates); the department (?avdeling=…), else every department. Only the departments
    the user may see are choices (admin and the lead, who see the page, see every one)."""
    departments = request.scope.filter(
        Department.objects.for_organization(request.organization).order_by("name"), "pk"
    )
    if "fra" in request.GET or "til" in request.GET:
        form = FunnelPeriodForm(request.GET, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            return _FunnelAsked(form, data["fra"], data["til"], data["avdeling"])
        return _FunnelAsked(form, None, None)
    start, end = funnel_by.default_period(timezone.localdate())
    form = FunnelPeriodForm(
        {
            "fra": start.isoformat(),
            "til": end.isoformat(),
            "avdeling": request.GET.get("avdeling", ""),
        },
        departments=departments,
    )
    if form.is_valid():
        return _FunnelAsked(form, start, end, form.cleaned_data["avdeling"])
    return _FunnelAsked(form, None, None)


@require(Perm.VIEW_INTAKE_FUNNEL)
def funnel(request: AuthedRequest) -> HttpResponse:
    asked = _funnel_asked(request)
    start, end, department = asked.start, asked.end, asked.department
    ctx: dict = {
        "form": asked.form,
        "start": start,
        "end": end,
        "department": department,
        "step_labels": funnel_by.STEPS,
        "apart_label": funnel_by.APART_LABEL,
    }
    if start is not None and end is not None:
        since, until = funnel_by.period_bounds(start, end)
        steps = services.intake_funnel(
            organization=request.organization, since=since, until=until, department=department
        )
        first = steps[0].count or 1
        by_source = funnel_by.funnel_by_source(
            organization=request.organization, start=start, end=end, department=department
        )
        by_partner = funnel_by.funnel_by_partner(
            organization=request.organization, start=start, end=end, department=department
        )
        ctx.update(
            steps=[(s, round(100 * s.count / first)) for s in steps],
            apart=funnel_by.total(by_source).apart,
            by_source=by_source,
            by_partner=by_partner,
            source_chart=funnel_by.bar_chart(by_source),
            partner_chart=funnel_by.bar_chart(by_partner),
            csv_query=asked.query(start, end),
        )
    return render(request, "omsorg/funnel.html", ctx)


def _csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require(Perm.VIEW_INTAKE_FUNNEL)
def funnel_csv(request: AuthedRequest) -> HttpResponse:
    """The per-source and per-partner table for Excel: semicolons, UTF-8 with a BOM."""
    asked = _funnel_asked(request)
    start, end, department = asked.start, asked.end, asked.department
    if start is None or end is None:
        errors = asked.form.errors.values()
        messages.error(request, " ".join(str(e) for errs in errors for e in errs))
        return redirect("omsorg:funnel")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"henvendelser-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [_("Gruppe"), _("Kilde"), str(funnel_by.INQUIRIES_LABEL)]
        + [str(s.label) for s in funnel_by.STEPS]
        + [str(funnel_by.APART_LABEL)]
    )
    org = request.organization
    groups = (
        (
            _("Kilde"),
            funnel_by.funnel_by_source(
                organization=org, start=start, end=end, department=department
            ),
        ),
        (
            _("Samarbeidspartner"),
            funnel_by.funnel_by_partner(
                organization=org, start=start, end=end, department=department
            ),
        ),
    )
    for group, rows in groups:
        for row in rows:
            writer.writerow([group, _csv_cell(row.label), row.inquiries, *row.steps, row.apart])
    return response


def card_context(request: HttpRequest, recipient) -> dict:
    """What the recipient card shows of the intake, for leaders and the lead."""
    interviews = list(
        recipient.interviews.select_related("senior__user").exclude(
            status=InterviewStatus.CANCELLED
        )
    )
    # The latest completed meeting is among those just read: take it from them.
    completed = [i for i in interviews if i.status == InterviewStatus.COMPLETED]
    latest = max(completed, key=lambda i: (i.completed_at or i.starts_at, i.pk), default=None)
    if latest is not None:
        prefetch_related_objects([latest], "criterion_answers")
    allowed, reason = services.training_visits_allowed(recipient=recipient, latest=latest)
    screening = services.latest_screening(recipient)
    spent = intake_spent(
        organization_id=recipient.organization_id,
        interview_ids=[i.pk for i in completed],
    )
    can_book = services.screening_passes(screening)
    return {
        "screening": screening,
        "interviews": interviews,
        "intake_spent": spent if spent.meetings else None,
        "latest_interview": latest,
        "training_allowed": allowed,
        "training_reason": reason,
        "can_book": can_book,
        "intake_steps": _intake_steps(request, recipient, screening, interviews, latest),
    }


def _intake_steps(request, recipient, screening, interviews, latest) -> list[IntakeStep]:
    """Kartlegging → Bli kjent → utfall on the card's checklist, each with its fact and
    the page that does it (for a leader who may)."""
    membership = getattr(request, "membership", None)
    may = has_perm(membership, Perm.SCREEN_AND_BOOK) and not recipient.anonymised_at
    book = reverse("omsorg:book", args=[recipient.pk]) if may else ""
    passed = services.screening_passes(screening)
    booked = next((i for i in interviews if i.status == InterviewStatus.BOOKED), None)
    if screening is None:
        screening_fact = _("Ikke kartlagt")
    else:
        screening_fact = f"{screening.get_outcome_display()} {date_format(screening.at, 'j.n.Y')}"
    if latest is not None and booked is None:
        meeting_fact = _("Gjennomført %(day)s med %(senior)s") % {
            "day": date_format(timezone.localtime(latest.completed_at), "j.n.Y"),
            "senior": latest.senior.user.name,
        }
    elif booked is not None:
        meeting_fact = _("Avtalt %(when)s med %(senior)s – senioren leverer skjemaet") % {
            "when": date_format(timezone.localtime(booked.starts_at), "j.n.Y H.i"),
            "senior": booked.senior.user.name,
        }
    else:
        meeting_fact = _("Ikke avtalt")
    outcome_fact, outcome_url, outcome_action = _("Venter på Bli kjent-møtet"), "", ""
    if latest is not None:
        outcome_fact = latest.get_outcome_display() or _("Uten utfall")
        if latest.outcome == Outcome.DECLINED:
            outcome_fact = f"{outcome_fact}: {latest.get_decline_reason_display()}"
            if latest.decline_note:
                outcome_fact += f" ({latest.decline_note})"
            if latest.recontact_on:
                outcome_fact += " · " + _("kontakt igjen %(day)s") % {
                    "day": date_format(latest.recontact_on, "j.n.Y")
                }
        if latest.outcome != Outcome.GOOD_MATCH and booked is None:
            outcome_url, outcome_action = book, _("Avtal nytt Bli kjent-møte")
    return [
        IntakeStep(
            40,
            _("Kartlegging"),
            passed,
            screening_fact,
            reverse("omsorg:screening", args=[recipient.pk]) if may else "",
            _("Kartlegg"),
        ),
        IntakeStep(
            50,
            _("Bli kjent"),
            latest is not None,
            meeting_fact,
            book if passed and booked is None and latest is None else "",
            _("Avtal Bli kjent-møte"),
        ),
        IntakeStep(
            60,
            _("Utfall"),
            latest is not None and latest.outcome == Outcome.GOOD_MATCH,
            outcome_fact,
            outcome_url if passed else "",
            outcome_action,
        ),
    ]


def briefing_context(request: AuthedRequest, recipient: CareRecipient, *, where: str) -> dict:
    """What the interview learned, for a senior's visit or recipient page (R3).

    Only members `can_read_briefing` allows get it; every read of it is in the view log
    (`where`: the page it was read on).
    """
    if not can_read_briefing(request.membership, recipient):
        return {"briefing": None, "briefing_denied": True}
    briefing = visit_briefing(recipient=recipient)
    if briefing is not None:
        view_record(
            organization=request.organization,
            viewer=request.user,
            obj=briefing.interview,
            what=f"viktig før besøket ({where})",
        )
    return {"briefing": briefing, "briefing_denied": False}


# --- The leader's follow-up ------------------------------------------------------------


@require_POST
@require(Perm.PLAN_VISITS)
def leader_notice_seen(request: AuthedRequest, pk: int) -> HttpResponse:
    """The leader has seen that a Bli kjent meeting was completed: off *Følg opp*."""
    notice = (
        LeaderNotice.objects.for_organization(request.organization)
        .filter(pk=pk, leader=request.membership)
        .select_related("interview__recipient")
        .first()
    )
    if notice is None or not can_read_interview(request.membership, notice.interview):
        raise Http404
    services.leader_notice_mark_seen(notice=notice, by=request.membership)
    messages.success(request, _("Markert som sett."))
    return redirect("visits:watchdog")


@require_POST
@require(Perm.PLAN_VISITS)
def recontact_done(request: AuthedRequest, pk: int) -> HttpResponse:
    """The leader has contacted the recipient who declined: off *Følg opp*."""
    interview = get_interview_for_user(request, pk)
    services.recontact_mark_done(interview=interview, by=request.membership)
    messages.success(
        request,
        _("%(name)s er markert som kontaktet.") % {"name": interview.recipient.name},
    )
    return redirect("visits:watchdog")
