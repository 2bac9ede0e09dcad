"""The senior's training, the lead's content and overview, and the monthly team meeting."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm, has_perm
from seniorene.forms import add_errors
from seniorene.uploads import upload_limit
from training import posten_selectors as posten
from training import posten_services, services
from training.access import (
    find_declaration_for_user,
    get_meeting_for_user,
    get_module_for_user,
    get_posten_for_reader,
    get_posten_for_writer,
    posten_departments,
)
from training.forms import (
    MAX_VIDEO_BYTES,
    DeclarationForm,
    ModuleForm,
    SeniorpostenForm,
    TeamMeetingForm,
)
from training.models import ModuleKind, Seniorposten, TrainingCompletion

# --- The senior ----------------------------------------------------------------------


@require(Perm.TAKE_TRAINING)
def my_training(request: AuthedRequest) -> HttpResponse:
    """The senior's phone page: progress, what is left, what is done, the next team meeting."""
    statuses = services.training_progress(membership=request.membership)
    clearance = services.training_clearance(membership=request.membership)
    ctx = {
        "todo": [s for s in statuses if not s.done],
        "done": [s for s in statuses if s.done],
        "clearance": clearance,
        "next_meeting": services.team_meeting_next(organization=request.organization),
    }
    return render(request, "training/my_training.html", ctx)


def _status_of(request: AuthedRequest, module: Any) -> services.ModuleStatus | None:
    if not has_perm(request.membership, Perm.TAKE_TRAINING):
        return None
    completion = (
        TrainingCompletion.objects.filter(module=module, membership=request.membership)
        .order_by("-version")
        .first()
    )
    return services.ModuleStatus(module=module, completion=completion)


@require(Perm.VIEW_TRAINING_CONTENT)
def module_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    module = get_module_for_user(request, pk)
    if module.is_declaration and has_perm(request.membership, Perm.TAKE_TRAINING):
        return redirect("training:declaration")
    ctx = {"module": module, "status": _status_of(request, module)}
    return render(request, "training/module_detail.html", ctx)


@require_POST
@require(Perm.TAKE_TRAINING)
def module_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    module = get_module_for_user(request, pk)
    try:
        services.module_complete(membership=request.membership, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("training:module", pk=module.pk)
    messages.success(request, _("«%(title)s» er merket som fullført.") % {"title": module.title})
    return redirect("training:my_training")


@require(Perm.TAKE_TRAINING)
def declaration(request: AuthedRequest) -> HttpResponse:
    """Read the confidentiality declaration and accept it with one's name."""
    module = find_declaration_for_user(request)
    if module is None:
        return render(request, "training/declaration.html", {"module": None})
    status = _status_of(request, module)
    form = DeclarationForm(
        request.POST or None,
        initial={"signed_name": request.user.name, "version": module.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_accept(
                membership=request.membership,
                module=module,
                signed_name=form.cleaned_data["signed_name"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("training:declaration")
        messages.success(request, _("Takk! Du har godtatt taushetserklæringen."))
        return redirect("training:my_training")
    ctx = {"module": module, "status": status, "form": form}
    return render(request, "training/declaration.html", ctx)


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def _read_range(handle: IO[bytes], length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            chunk = handle.read(min(_CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _private_file_response(
    request: HttpRequest, file: FieldFile, content_type: str
) -> HttpResponseBase:
    """Stream a private file, honouring a single byte range (phones' video players need it)."""
    name = cast(str, file.name)  # the callers check that there is a file
    try:
        size = file.storage.size(name)
    except OSError as exc:
        raise Http404 from exc
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match[1] or match[2]):
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), size - 1) if match[2] else size - 1
        else:
            start, end = max(size - int(match[2]), 0), size - 1
        if start >= size or start > end:
            response: HttpResponseBase = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle = file.storage.open(name, "rb")
        handle.seek(start)
        response = StreamingHttpResponse(
            _read_range(handle, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(file.storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@require(Perm.VIEW_TRAINING_CONTENT)
def module_video(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """An uploaded training video, only to members of the module's organization."""
    module = get_module_for_user(request, pk)
    if module.kind != ModuleKind.VIDEO or not module.video_file:
        raise Http404
    return _private_file_response(request, module.video_file, module.video_content_type())


@require(Perm.VIEW_TRAINING_CONTENT)
def module_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """A course plan (or other reading module) as a PDF to print."""
    module = get_module_for_user(request, pk)
    if not module.is_printable:
        raise Http404
    pdf = services.training_plan_pdf(module=module)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{module.key or f'opplaering-{module.pk}'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- The lead: content -------------------------------------------------------------


@require(Perm.MANAGE_TRAINING)
def manage(request: AuthedRequest) -> HttpResponse:
    modules, senior_count = services.module_list(organization=request.organization)
    ctx = {
        "modules": modules,
        "senior_count": senior_count,
        "defaults_missing": services.training_defaults_missing(organization=request.organization),
    }
    return render(request, "training/manage.html", ctx)


@require_POST
@require(Perm.MANAGE_TRAINING)
def seed_defaults(request: AuthedRequest) -> HttpResponse:
    created = services.training_seed_defaults(organization=request.organization, by=request.user)
    if created:
        messages.success(
            request,
            _("Standardopplæringen er lagt inn: %(titles)s.")
            % {"titles": ", ".join(m.title for m in created)},
        )
    return redirect("training:manage")


@upload_limit(MAX_VIDEO_BYTES)
@require(Perm.MANAGE_TRAINING)
def module_create(request: AuthedRequest) -> HttpResponse:
    form = ModuleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_save(
                organization=request.organization,
                by=request.membership,
                module=None,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Modulen er lagt til."))
            return redirect("training:manage")
    ctx = {"form": form, "module": None}
    return render(request, "training/module_form.html", ctx)


@upload_limit(MAX_VIDEO_BYTES)
@require(Perm.MANAGE_TRAINING)
def module_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    module = get_module_for_user(request, pk)
    form = ModuleForm(request.POST or None, request.FILES or None, module=module)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.module_save(
                organization=request.organization,
                by=request.membership,
                module=module,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if saved.is_declaration:
                messages.success(
                    request,
                    _("Lagret. Gjeldende versjon er %(version)s.") % {"version": saved.version},
                )
            else:
                messages.success(request, _("Modulen er lagret."))
            return redirect("training:manage")
    ctx = {"form": form, "module": module}
    return render(request, "training/module_form.html", ctx)


# --- Leaders, lead and admin: who is cleared ----------------------------------------


@require(Perm.VIEW_TRAINING_STATUS)
def overview(request: AuthedRequest) -> HttpResponse:
    only_blocked = request.GET.get("vis") == "blokkerte"
    groups = services.training_overview(viewer=request.membership, only_blocked=only_blocked)
    ctx = {"groups": groups, "only_blocked": only_blocked}
    return render(request, "training/overview.html", ctx)


def _csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require(Perm.VIEW_TRAINING_STATUS)
def overview_csv(request: AuthedRequest) -> HttpResponse:
    """The overview as CSV for Excel: semicolons, UTF-8 with a byte-order mark."""
    groups = services.training_overview(
        viewer=request.membership, only_blocked=request.GET.get("vis") == "blokkerte"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"opplaering-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Avdeling"),
            _("Navn"),
            _("E-post"),
            _("Fullført"),
            _("Påkrevd"),
            _("Status"),
            _("Mangler"),
        ]
    )
    for group in groups:
        department = group.department.name if group.department else _("Uten avdeling")
        for row in group.rows:
            clearance = row.clearance
            writer.writerow(
                [
                    _csv_cell(department),
                    _csv_cell(row.membership.user.name),
                    _csv_cell(row.membership.user.email),
                    clearance.done,
                    clearance.total,
                    _("Klar") if clearance.cleared else _("Blokkert"),
                    _csv_cell(", ".join(clearance.missing)),
                ]
            )
    return response


# --- The lead: monthly team meeting ---------------------------------------------------


@require(Perm.MANAGE_TEAM_MEETINGS)
def meetings(request: AuthedRequest) -> HttpResponse:
    form = TeamMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_meeting_save(
                organization=request.organization,
                by=request.membership,
                meeting=None,
                starts_at=form.starts_at(),
                link=form.cleaned_data["link"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Teamsmøtet er lagret."))
            return redirect("training:meetings")
    ctx = {"form": form, "meetings": services.team_meeting_list(organization=request.organization)}
    return render(request, "training/meetings.html", ctx)


@require(Perm.MANAGE_TEAM_MEETINGS)
def meeting_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    form = TeamMeetingForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_meeting_save(
                organization=request.organization,
                by=request.membership,
                meeting=meeting,
                starts_at=form.starts_at(),
                link=form.cleaned_data["link"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Teamsmøtet er lagret."))
            return redirect("training:meetings")
    ctx = {
        "form": form,
        "meeting": meeting,
        "sent": meeting.invites.filter(sent_at__isnull=False).count(),
        "why": services.team_meeting_why_none_sent(meeting=meeting),
        "sms_gaps": services.team_meeting_sms_gaps(meeting=meeting),
        "lines": services.team_meeting_invite_lines(meeting=meeting),
        "can_send_now": meeting.starts_at > timezone.now(),
        "has_started": meeting.starts_at <= timezone.now(),
        "invited": meeting.invites.select_related("membership__user").order_by(
            "membership__user__name"
        ),
        "minutes_max": services.MINUTES_MAX,
    }
    return render(request, "training/meeting_edit.html", ctx)


@require_POST
@require(Perm.MANAGE_TEAM_MEETINGS)
def meeting_send_now(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    try:
        tally = services.team_meeting_send_now(meeting=meeting, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if tally.handled:
            messages.success(
                request,
                ngettext(
                    "Invitasjonen er sendt til %(n)s senior.",
                    "Invitasjonen er sendt til %(n)s seniorer.",
                    tally.handled,
                )
                % {"n": tally.handled},
            )
        else:
            messages.info(request, _("Alle seniorene har allerede fått invitasjonen."))
        if tally.failed or tally.transient:
            messages.warning(
                request,
                _("%(n)s e-poster kunne ikke sendes; se listen under.")
                % {"n": tally.failed + tally.transient},
            )
    return redirect("training:meeting_edit", pk=meeting.pk)


@require_POST
@require(Perm.MANAGE_TEAM_MEETINGS)
def meeting_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    ids = [
        int(v)
        for v in request.POST.getlist("attended")
        if v.isascii() and v.isdigit() and len(v) < 12  # "²" is a digit to isdigit()
    ]
    try:
        services.team_meeting_attendance_save(
            meeting=meeting,
            by=request.membership,
            attended_ids=ids,
            minutes=request.POST.get("minutes", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Oppmøte og referat er lagret."))
    return redirect("training:meeting_edit", pk=meeting.pk)


# --- Seniorposten: the leader writes and sends, the senior reads -------------------------


@require(Perm.WRITE_SENIORPOSTEN)
def posten_manage(request: AuthedRequest) -> HttpResponse:
    """The letters of the member's departments, newest month first, and a new one."""
    ctx = {"rows": posten.posten_list(viewer=request.membership)}
    return render(request, "training/posten_manage.html", ctx)


def _posten_form_page(request: AuthedRequest, issue: Seniorposten | None) -> HttpResponse:
    departments = posten_departments(request)
    form = SeniorpostenForm(request.POST or None, departments=departments, issue=issue)
    if request.method == "POST" and form.is_valid():
        year, month = form.year_month()
        try:
            saved = posten_services.posten_save(
                by=request.membership,
                issue=issue,
                department=form.chosen_department(),
                year=year,
                month=month,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Utkastet er lagret. Se hvordan det blir før du sender."))
            return redirect("training:posten_preview", pk=saved.pk)
    ctx = {"form": form, "issue": issue, "departments": departments}
    return render(request, "training/posten_form.html", ctx)


@require(Perm.WRITE_SENIORPOSTEN)
def posten_create(request: AuthedRequest) -> HttpResponse:
    return _posten_form_page(request, None)


@require(Perm.WRITE_SENIORPOSTEN)
def posten_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """A draft's form; a sent letter is read-only and shows as the seniors got it."""
    issue = get_posten_for_writer(request, pk)
    if issue.is_sent:
        return redirect("training:posten_preview", pk=issue.pk)
    return _posten_form_page(request, issue)


@require(Perm.WRITE_SENIORPOSTEN)
def posten_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The letter exactly as the senior will see it (the same template), with Send."""
    issue = get_posten_for_writer(request, pk)
    ctx = {
        "issue": issue,
        "blocks": posten.posten_blocks(issue.body),
        "meeting": posten.posten_meeting(issue),
        "audience": len(posten.posten_audience(issue)),
        "preview": True,
    }
    return render(request, "training/posten_issue.html", ctx)


@require_POST
@require(Perm.WRITE_SENIORPOSTEN)
def posten_send(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = get_posten_for_writer(request, pk)
    if posten_services.posten_send(issue=issue, by=request.membership):
        messages.success(
            request,
            _("Seniorposten sendes nå til seniorene i %(department)s.")
            % {"department": issue.department.name},
        )
    else:
        messages.info(
            request,
            _("Seniorposten var sendt. Bare seniorer som ikke har fått den ennå, får den nå."),
        )
    return redirect("training:posten_manage")


@require(Perm.READ_SENIORPOSTEN)
def posten_mine(request: AuthedRequest) -> HttpResponse:
    """The senior's list: this and earlier months' letters of their departments."""
    ctx = {"issues": posten.posten_for_senior(senior=request.membership)}
    return render(request, "training/posten_mine.html", ctx)


@require(Perm.READ_SENIORPOSTEN)
def posten_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = get_posten_for_reader(request, pk)
    ctx = {
        "issue": issue,
        "blocks": posten.posten_blocks(issue.body),
        "meeting": posten.posten_meeting(issue),
        "preview": False,
    }
    return render(request, "training/posten_issue.html", ctx)
