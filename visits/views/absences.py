"""The senior's own availability and absences (phone), the leader's absences of a senior,
and the one-screen reassignment of the visits an absence hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Membership
from seniorene.accounts.policy import Perm
from seniorene.forms import add_errors
from training.selectors import AssignableSeniors, assignable_seniors
from visits.absences import (
    REFUSED_CONFLICTS,
    absence_add,
    absence_delete,
    absence_hits,
    absence_reassign,
    coming_absences,
)
from visits.access import (
    get_absence_for_user,
    get_own_absence,
    get_senior_for_user,
)
from visits.availability import availability_set
from visits.civil_time import date_span
from visits.conflicts import Slot, slot_conflicts, visit_slot
from visits.forms import AbsenceForm, MyAvailabilityForm
from visits.models import SeniorAbsence, SeniorAvailability, Visit


def _add_absence(request: AuthedRequest, senior: Membership, form: AbsenceForm) -> bool:
    """Save the absence from `form`; False (errors on the form) when refused."""
    if not form.is_valid():
        return False
    try:
        absence = absence_add(
            membership=senior,
            by=request.membership,
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error(name, error)
        else:
            add_errors(form, exc)
        return False
    messages.success(
        request,
        _("Lagret: borte %(span)s.") % {"span": date_span(absence.starts_on, absence.ends_on)},
    )
    return True


# --- The senior, on the phone ----------------------------------------------------------------


@require(Perm.VIEW_OWN_VISITS)
def my_availability(request: AuthedRequest) -> HttpResponse:
    """ "Når kan jeg ta besøk?": per weekday a tick and from–to; the coming absences above."""
    me = request.membership
    windows = SeniorAvailability.objects.for_organization(request.organization).filter(
        membership=me
    )
    form = MyAvailabilityForm(
        request.POST or None, initial=MyAvailabilityForm.initial_from(windows)
    )
    if request.method == "POST" and form.is_valid():
        try:
            availability_set(membership=me, by=me, windows=form.windows())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Lagret. Lederen din ser dette når besøk planlegges."))
            return redirect("visits:my_availability")
    ctx = {"form": form, "absences": coming_absences(membership=me)}
    return render(request, "visits/my_availability.html", ctx)


@require(Perm.VIEW_OWN_VISITS)
def my_absences(request: AuthedRequest) -> HttpResponse:
    """The senior's coming absences, each with a delete button, and a form to add one."""
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and _add_absence(request, request.membership, form):
        return redirect("visits:my_absences")
    ctx = {"form": form, "absences": coming_absences(membership=request.membership)}
    return render(request, "visits/my_absences.html", ctx)


@require_POST
@require(Perm.VIEW_OWN_VISITS)
def my_absence_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    absence = get_own_absence(request, pk)
    try:
        absence_delete(absence=absence, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Slettet: borte %(span)s.") % {"span": date_span(absence.starts_on, absence.ends_on)},
        )
    return redirect("visits:my_absences")


# --- The leader ---------------------------------------------------------------------------


@require(Perm.PLAN_VISITS)
def senior_absences(request: AuthedRequest, pk: int) -> HttpResponse:
    """A senior's coming absences with the visits each hits, and a form to add one."""
    senior = get_senior_for_user(request, pk)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and _add_absence(request, senior, form):
        return redirect("visits:senior_absences", senior.pk)
    scope = request.scope.department_ids
    rows = [
        (a, absence_hits(absence=a, department_ids=scope).count())
        for a in coming_absences(membership=senior)
    ]
    ctx = {"senior": senior, "form": form, "rows": rows}
    return render(request, "visits/senior_absences.html", ctx)


@require_POST
@require(Perm.PLAN_VISITS)
def absence_delete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    absence = get_absence_for_user(request, pk)
    senior_id = absence.membership_id
    try:
        absence_delete(absence=absence, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Fraværet er slettet."))
    return redirect("visits:senior_absences", senior_id)


@dataclass
class Option:
    value: int
    label: str
    disabled: bool = False
    selected: bool = False


@dataclass
class HitRow:
    visit: Visit
    options: list[Option] = field(default_factory=list)
    error: str = ""


def _state(kinds: list[tuple[str, str]]) -> str:
    """What an option says about a senior for one visit."""
    if not kinds:
        return _("ledig")
    return "; ".join(text[0].lower() + text[1:] for _kind, text in kinds)


def _hit_rows(
    absence: SeniorAbsence, hits: list[Visit], chosen: dict[int, str], errors: dict[int, str]
) -> list[HitRow]:
    """Each hit visit with the department's seniors as options, each with its state for
    that visit: free, another visit then, away, outside their hours, or not cleared (R6)."""
    by_department: dict[int, AssignableSeniors] = {}
    slots: list[Slot] = []
    for visit in hits:
        department = visit.recipient.department
        if department.pk not in by_department:
            by_department[department.pk] = assignable_seniors(
                department=department, exclude_id=absence.membership_id
            )
        # The visit as if it were each cleared senior's.
        slots.extend(
            visit_slot(visit, key=(visit.pk, senior.pk), senior_id=senior.pk)
            for senior in by_department[department.pk].cleared
        )
    conflicts = slot_conflicts(slots, organization_id=absence.organization_id)
    states: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for slot in slots:
        visit_id, senior_id = cast(tuple[int, int], slot.key)
        states[(visit_id, senior_id)] = [
            (c.kind, c.text) for c in conflicts.get(slot.key, []) if c.kind != "holiday"
        ]
    rows = []
    for visit in hits:
        seniors = by_department[visit.recipient.department_id]
        row = HitRow(visit=visit, error=errors.get(visit.pk, ""))
        for senior in seniors.cleared:
            kinds = states[(visit.pk, senior.pk)]
            refused = any(kind in REFUSED_CONFLICTS for kind, _text in kinds)
            row.options.append(
                Option(
                    value=senior.pk,
                    label=f"{senior.user.name} – {_state(kinds)}",
                    selected=chosen.get(visit.pk) == str(senior.pk) and not refused,
                )
            )
        for senior, missing in seniors.blocked:
            row.options.append(
                Option(
                    value=senior.pk,
                    label=_("%(name)s – mangler opplæring: %(missing)s")
                    % {"name": senior.user.name, "missing": ", ".join(missing)},
                    disabled=True,
                )
            )
        rows.append(row)
    return rows


@require(Perm.PLAN_VISITS)
def absence_reassign_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every coming visit the absence hits, each with a choice of a new senior; one submit
    gives all the chosen ones away. Refused rows are shown again with why; the rest are saved."""
    absence = get_absence_for_user(request, pk)
    scope = request.scope.department_ids
    chosen: dict[int, str] = {}
    errors: dict[int, str] = {}
    if request.method == "POST":
        choices: dict[int, int] = {}
        for visit_id in absence_hits(absence=absence, department_ids=scope).values_list(
            "pk", flat=True
        ):
            value = request.POST.get(f"senior_{visit_id}", "").strip()
            if not value:
                continue
            chosen[visit_id] = value
            if value.isascii() and value.isdigit() and len(value) < 12:  # not "²" or "٣"
                choices[visit_id] = int(value)
            else:
                errors[visit_id] = _("Velg en senior i avdelingen fra listen.")
        if not chosen:
            messages.error(request, _("Velg en ny senior for minst ett av besøkene."))
        else:
            errors.update(
                absence_reassign(
                    absence=absence, by=request.membership, choices=choices, department_ids=scope
                )
            )
            saved = len(chosen) - len(errors)
            if saved:
                messages.success(
                    request,
                    _("%(n)s besøk har fått ny senior. Seniorene får beskjed på e-post.")
                    % {"n": saved},
                )
            if errors:
                messages.error(
                    request,
                    _("%(n)s besøk ble ikke endret. Se meldingen ved hvert av dem.")
                    % {"n": len(errors)},
                )
            else:
                if not absence_hits(absence=absence, department_ids=scope).exists():
                    return redirect("visits:watchdog")
                return redirect("visits:absence_reassign", absence.pk)
    hits = list(absence_hits(absence=absence, department_ids=scope))
    ctx = {
        "absence": absence,
        "senior": absence.membership,
        "span": date_span(absence.starts_on, absence.ends_on),
        "rows": _hit_rows(absence, hits, chosen, errors),
    }
    return render(request, "visits/absence_reassign.html", ctx)
