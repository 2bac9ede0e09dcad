"""Visit plans and visits: expansion in Oslo civil time (R10), single-visit changes,
conflicts and public holidays, the leader's week, the senior's agenda, the calendar
feed, the watchdog and what happens when a recipient ends or pauses (R11).

Every change writes its audit row. Other apps (and the visit-logging issue) use:
`visits_for_senior` / `visits_today` (a senior's visits), `visit_conflicts`,
`plans_expand`, and the R11 hook `visits_stop_for_recipient`.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from customers.models import CareRecipient, RecipientStatus
from customers.services import recipient_anonymised_label
from omsorg.models import ServiceArea
from seniorene.accounts.models import Department, Membership, Role, User
from seniorene.audit.services import audit_record, audit_relabel
from visits.models import (
    ACTIVE_STATUSES,
    OCCUPYING_STATUSES,
    WEEKDAYS,
    CalendarFeed,
    CancelKind,
    PlanServiceArea,
    SeniorAvailability,
    Visit,
    VisitPlan,
    VisitServiceArea,
    VisitStatus,
    WatchdogNotice,
    weekdays_to_mask,
)

OSLO = ZoneInfo("Europe/Oslo")
MAX_DURATION = 480
MAX_EVERY_N_WEEKS = 12
WATCHDOG_DAYS = 14
# Cancelled by the system (not by a person): the expansion may bring these back.
REVIVABLE_KINDS = (CancelKind.RECIPIENT_PAUSED, CancelKind.PLAN_CHANGED)
# Recipients whose plans are not expanded.
STOPPED_RECIPIENT_STATUSES = (RecipientStatus.PAUSED, RecipientStatus.ENDED)


# --- Civil time (R10) --------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def local_datetime(day: date, at: time) -> datetime:
    """`at` o'clock on `day` in Europe/Oslo civil time, as an aware datetime (R10)."""
    return datetime.combine(day, at, tzinfo=OSLO)


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The aware instants from local midnight of `start` to local midnight after `end`."""
    return local_datetime(start, time(0)), local_datetime(end + timedelta(days=1), time(0))


def plan_dates(
    *,
    weekdays: Iterable[int],
    every_n_weeks: int,
    first_date: date,
    last_date: date | None,
    start: date,
    end: date,
) -> list[date]:
    """The local dates of a plan within [start, end], in order.

    Weeks are counted from the Monday of `first_date`'s week, so "every 2nd week"
    keeps its rhythm whatever window is asked for.
    """
    days = set(weekdays)
    lo = max(start, first_date)
    hi = end if last_date is None else min(end, last_date)
    anchor = week_start(first_date)
    found = []
    day = lo
    while day <= hi:
        weeks = (week_start(day) - anchor).days // 7
        if day.weekday() in days and weeks % every_n_weeks == 0:
            found.append(day)
        day += timedelta(days=1)
    return found


def horizon_end(today: date) -> date:
    """The last local date that expansion fills (VISIT_HORIZON_WEEKS ahead)."""
    return today + timedelta(days=7 * settings.VISIT_HORIZON_WEEKS - 1)


@lru_cache(maxsize=32)
def _holidays_of_year(year: int) -> dict[date, str]:
    return dict(holiday_calendars.Norway(years=year, language="no"))


def public_holidays(start: date, end: date) -> dict[date, str]:
    """Norwegian public holidays (Bokmål names) between `start` and `end`, inclusive."""
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in _holidays_of_year(year).items() if start <= d <= end})
    return found


# --- Plans --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFields:
    """What a leader chooses for a plan (the recipient is fixed when it is made)."""

    senior: Membership
    weekdays: tuple[int, ...]
    start_time: time
    duration_minutes: int = 60
    every_n_weeks: int = 1
    first_date: date = field(default_factory=timezone.localdate)
    last_date: date | None = None
    areas: tuple[ServiceArea, ...] = ()
    notes: str = ""


@dataclass
class ExpandResult:
    created: int = 0
    updated: int = 0
    restored: int = 0
    cancelled: int = 0

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.restored or self.cancelled)


def _check_senior(senior: Membership, organization_id: int) -> None:
    if senior.organization_id != organization_id or senior.role != Role.SENIOR:
        raise ValidationError(_("Velg en senior i organisasjonen."))
    if not senior.is_active:
        raise ValidationError(_("Senioren er ikke aktiv."))


def _check_fields(recipient: CareRecipient, fields: PlanFields) -> None:
    """Validate a plan's fields; R2 for the service areas."""
    from omsorg.services import service_areas_allowed

    if recipient.status == RecipientStatus.ENDED:
        raise ValidationError(_("Brukeren er avsluttet."))
    _check_senior(fields.senior, recipient.organization_id)
    if not fields.weekdays or any(not 0 <= d <= 6 for d in fields.weekdays):
        raise ValidationError(_("Velg minst én ukedag."))
    if not 15 <= fields.duration_minutes <= MAX_DURATION:
        raise ValidationError(_("Et besøk varer fra 15 minutter til 8 timer."))
    if not 1 <= fields.every_n_weeks <= MAX_EVERY_N_WEEKS:
        raise ValidationError(_("Velg hvor mange uker det skal gå mellom besøkene (1–12)."))
    if fields.last_date is not None and fields.last_date < fields.first_date:
        raise ValidationError(_("Siste dato kan ikke være før første dato."))
    for area in fields.areas:
        if area.organization_id != recipient.organization_id or not area.is_active:
            raise ValidationError(_("Velg tjenesteområder som er i bruk."))
    service_areas_allowed(recipient=recipient, areas=list(fields.areas))


def _ensure_assigned(recipient: CareRecipient, senior: Membership, by: Membership) -> None:
    """The plan's senior is one of the recipient's seniors (so they see the card)."""
    from customers.models import Assignment
    from customers.services import recipient_set_seniors

    current = list(
        Membership.objects.filter(
            pk__in=Assignment.objects.filter(recipient=recipient).values("senior_id")
        )
    )
    if senior.pk not in {m.pk for m in current}:
        recipient_set_seniors(recipient=recipient, by=by, seniors=[*current, senior])


def _set_plan_areas(plan: VisitPlan, areas: Sequence[ServiceArea]) -> None:
    PlanServiceArea.objects.filter(plan=plan).delete()
    PlanServiceArea.objects.bulk_create(
        [
            PlanServiceArea(organization_id=plan.organization_id, plan=plan, service_area=a)
            for a in areas
        ]
    )


@transaction.atomic
def plan_create(*, recipient: CareRecipient, by: Membership, fields: PlanFields) -> VisitPlan:
    """Make a recurring plan and its visits for the horizon: R2 areas, a trained senior (R6)."""
    from training.services import training_require_cleared

    _check_fields(recipient, fields)
    training_require_cleared(membership=fields.senior)
    plan = VisitPlan.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        senior=fields.senior,
        weekdays=weekdays_to_mask(fields.weekdays),
        start_time=fields.start_time,
        duration_minutes=fields.duration_minutes,
        every_n_weeks=fields.every_n_weeks,
        first_date=fields.first_date,
        last_date=fields.last_date,
        notes=fields.notes.strip(),
        created_by=by.user,
    )
    _set_plan_areas(plan, fields.areas)
    _ensure_assigned(recipient, fields.senior, by)
    result = plans_expand(organization_id=plan.organization_id, plan_ids=[plan.pk])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="plan.created",
        obj=plan,
        details={"recipient": recipient.pk, "senior": fields.senior.pk, "visits": result.created},
    )
    return plan


@transaction.atomic
def plan_update(*, plan: VisitPlan, by: Membership, fields: PlanFields) -> ExpandResult:
    """Change a plan; its future untouched visits follow, changed ones keep their state."""
    from training.services import training_require_cleared

    plan = VisitPlan.objects.select_for_update().select_related("recipient").get(pk=plan.pk)
    if plan.is_ended:
        raise ValidationError(_("Besøksplanen er avsluttet."))
    _check_fields(plan.recipient, fields)
    if fields.senior.pk != plan.senior_id:
        training_require_cleared(membership=fields.senior)
    wanted = {
        "senior": fields.senior,
        "weekdays": weekdays_to_mask(fields.weekdays),
        "start_time": fields.start_time,
        "duration_minutes": fields.duration_minutes,
        "every_n_weeks": fields.every_n_weeks,
        "first_date": fields.first_date,
        "last_date": fields.last_date,
        "notes": fields.notes.strip(),
    }
    changed = [
        name
        for name, value in wanted.items()
        if (plan.senior_id != value.pk if name == "senior" else getattr(plan, name) != value)
    ]
    for name, value in wanted.items():
        setattr(plan, name, value)
    plan.save()
    old_areas = set(
        PlanServiceArea.objects.filter(plan=plan).values_list("service_area_id", flat=True)
    )
    if old_areas != {a.pk for a in fields.areas}:
        _set_plan_areas(plan, fields.areas)
        changed.append("service_areas")
    if "senior" in changed:
        _ensure_assigned(plan.recipient, fields.senior, by)
    result = plans_expand(organization_id=plan.organization_id, plan_ids=[plan.pk])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="plan.updated",
        obj=plan,
        details={
            "fields": changed,
            "created": result.created,
            "updated": result.updated,
            "cancelled": result.cancelled,
        },
    )
    return result


def _is_untouched_future(visit: Visit, now: datetime) -> bool:
    return visit.status == VisitStatus.PLANNED and not visit.detached and visit.starts_at > now


def _system_cancel(visits: Iterable[Visit], kind: str, now: datetime) -> list[Visit]:
    changed = []
    for visit in visits:
        visit.status = VisitStatus.CANCELLED
        visit.cancel_kind = kind
        visit.cancel_reason = ""
        visit.cancelled_by = None
        visit.cancelled_at = now
        visit.updated_at = now
        changed.append(visit)
    return changed


CANCEL_FIELDS = [
    "status",
    "cancel_kind",
    "cancel_reason",
    "cancelled_by",
    "cancelled_at",
    "updated_at",
]


@transaction.atomic
def plan_end(*, plan: VisitPlan, by: Membership) -> int:
    """Stop a plan: its future visits are cancelled; logged and past ones are kept."""
    plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_ended:
        return 0
    now = timezone.now()
    plan.ended_at = now
    plan.save(update_fields=["ended_at", "updated_at"])
    future = list(Visit.objects.filter(plan=plan, status__in=ACTIVE_STATUSES, starts_at__gt=now))
    Visit.objects.bulk_update(_system_cancel(future, CancelKind.PLAN_ENDED, now), CANCEL_FIELDS)
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="plan.ended",
        obj=plan,
        details={"cancelled": len(future)},
    )
    return len(future)


# --- Expansion -----------------------------------------------------------------------


def _plan_runs(plan: VisitPlan) -> bool:
    """Whether the plan makes visits: not ended, recipient not paused or ended, senior active."""
    return (
        plan.ended_at is None
        and plan.recipient.status not in STOPPED_RECIPIENT_STATUSES
        and plan.senior.is_active
    )


@transaction.atomic
def plans_expand(
    *,
    organization_id: int,
    today: date | None = None,
    now: datetime | None = None,
    plan_ids: Collection[int] | None = None,
) -> ExpandResult:
    """Make and align the visits of running plans for the horizon; safe to run any number
    of times (the visit's (plan, original date) is unique, so a second run finds them).

    1. Lock the plans (so two runs do not race), read their visits in the window.
    2. A wanted date without a visit gets one, at the plan's local time (R10).
    3. An untouched future visit follows the plan (time, length, senior, areas).
    4. A visit the system cancelled (pause, plan change) comes back when wanted again.
    5. An untouched future visit the plan no longer wants is cancelled ("plan changed").
    Visits changed by hand (moved, cancelled, reassigned) and logged ones are left alone.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    last = horizon_end(today)
    plans_qs = VisitPlan.objects.for_organization(organization_id).filter(ended_at__isnull=True)
    if plan_ids is not None:
        plans_qs = plans_qs.filter(pk__in=list(plan_ids))
    else:
        plans_qs = plans_qs.filter(first_date__lte=last).filter(
            Q(last_date__isnull=True) | Q(last_date__gte=today)
        )
    if connection.features.has_select_for_update_of:
        plans_qs = plans_qs.select_for_update(of=("self",))
    plans = [
        p for p in plans_qs.select_related("recipient", "senior").order_by("pk") if _plan_runs(p)
    ]
    result = ExpandResult()
    if not plans:
        return result
    areas: dict[int, set[int]] = defaultdict(set)
    for plan_id, area_id in PlanServiceArea.objects.filter(plan__in=plans).values_list(
        "plan_id", "service_area_id"
    ):
        areas[plan_id].add(area_id)
    existing = {
        (v.plan_id, v.original_date): v
        for v in Visit.objects.filter(
            plan__in=plans, original_date__gte=today, original_date__lte=last
        )
    }
    # Per plan, so that finding a plan's visits does not scan every plan's (was quadratic).
    existing_by_plan: dict[int, list[tuple[date, Visit]]] = defaultdict(list)
    for (plan_id, day), visit in existing.items():
        existing_by_plan[plan_id].append((day, visit))
    visit_areas: dict[int, set[int]] = defaultdict(set)
    for visit_id, area_id in VisitServiceArea.objects.filter(
        visit__in=[v.pk for v in existing.values()]
    ).values_list("visit_id", "service_area_id"):
        visit_areas[visit_id].add(area_id)

    new: list[tuple[Visit, set[int]]] = []
    changed: list[Visit] = []
    cancelled: list[Visit] = []
    reset_areas: list[Visit] = []
    for plan in plans:
        wanted = {
            d: local_datetime(d, plan.start_time)
            for d in plan_dates(
                weekdays=plan.weekday_list,
                every_n_weeks=plan.every_n_weeks,
                first_date=plan.first_date,
                last_date=plan.last_date,
                start=today,
                end=last,
            )
        }
        for day, starts_at in wanted.items():
            if starts_at <= now:
                continue
            visit = existing.get((plan.pk, day))
            if visit is None:
                new.append((_new_visit(plan, day, starts_at), areas[plan.pk]))
                continue
            revive = (
                visit.status == VisitStatus.CANCELLED
                and not visit.detached
                and visit.cancel_kind in REVIVABLE_KINDS
            )
            if not (revive or _is_untouched_future(visit, now)):
                continue
            if _align(visit, plan, starts_at, now) or revive:
                changed.append(visit)
                if revive:
                    result.restored += 1
                else:
                    result.updated += 1
            if visit_areas[visit.pk] != areas[plan.pk]:
                reset_areas.append(visit)
        for day, visit in existing_by_plan[plan.pk]:
            if day not in wanted and _is_untouched_future(visit, now):
                cancelled.append(visit)
    _system_cancel(cancelled, CancelKind.PLAN_CHANGED, now)
    result.cancelled = len(cancelled)
    if changed or cancelled:
        Visit.objects.bulk_update(
            changed + cancelled,
            ["starts_at", "original_starts_at", "duration_minutes", "senior", *CANCEL_FIELDS],
        )
    if reset_areas:
        VisitServiceArea.objects.filter(visit__in=reset_areas).delete()
    created = Visit.objects.bulk_create([v for v, _plan_areas in new])
    result.created = len(created)
    VisitServiceArea.objects.bulk_create(
        [
            VisitServiceArea(organization_id=organization_id, visit=v, service_area_id=a)
            for v, plan_areas in new
            for a in sorted(plan_areas)
        ]
        + [
            VisitServiceArea(organization_id=organization_id, visit=v, service_area_id=a)
            for v in reset_areas
            for a in sorted(areas[v.plan_id])
        ]
    )
    return result


def _new_visit(plan: VisitPlan, day: date, starts_at: datetime) -> Visit:
    return Visit(
        organization_id=plan.organization_id,
        plan=plan,
        recipient_id=plan.recipient_id,
        senior_id=plan.senior_id,
        starts_at=starts_at,
        original_starts_at=starts_at,
        original_date=day,
        duration_minutes=plan.duration_minutes,
    )


def _align(visit: Visit, plan: VisitPlan, starts_at: datetime, now: datetime) -> bool:
    """Make an untouched (or revived) visit match its plan; True if anything changed."""
    target = {
        "starts_at": starts_at,
        "original_starts_at": starts_at,
        "duration_minutes": plan.duration_minutes,
        "senior_id": plan.senior_id,
        "status": VisitStatus.PLANNED,
        "cancel_kind": "",
        "cancel_reason": "",
        "cancelled_by_id": None,
        "cancelled_at": None,
    }
    differs = False
    for name, value in target.items():
        if getattr(visit, name) != value:
            setattr(visit, name, value)
            differs = True
    if differs:
        visit.updated_at = now
    return differs


# --- Single-visit changes ----------------------------------------------------------------


def _locked(visit: Visit) -> Visit:
    """The visit, locked for the rest of the transaction; ValidationError unless open."""
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if not locked.is_open:
        raise ValidationError(
            _("Besøket er %(status)s og kan ikke endres.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def visit_move(
    *,
    visit: Visit,
    by: Membership,
    starts_at: datetime,
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> Visit:
    """Move one visit to another time; the plan stays as it is."""
    now = now or timezone.now()
    visit = _locked(visit)
    if starts_at < now:
        raise ValidationError(_("Et besøk kan ikke flyttes til et tidspunkt som har vært."))
    duration = duration_minutes or visit.duration_minutes
    if not 15 <= duration <= MAX_DURATION:
        raise ValidationError(_("Et besøk varer fra 15 minutter til 8 timer."))
    before = visit.starts_at
    visit.starts_at = starts_at
    visit.duration_minutes = duration
    visit.status = VisitStatus.MOVED
    visit.detached = True
    visit.save(update_fields=["starts_at", "duration_minutes", "status", "detached", "updated_at"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.moved",
        obj=visit,
        details={"from": before.isoformat(), "to": starts_at.isoformat()},
    )
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, by: Membership, kind: str, reason: str) -> Visit:
    """Cancel one visit (by the customer, the senior, or another reason); the plan stays."""
    from visits.models import CHOSEN_CANCEL_KINDS

    visit = _locked(visit)
    if kind not in CHOSEN_CANCEL_KINDS:
        raise ValidationError(_("Velg hvem som avlyste."))
    if not reason.strip():
        raise ValidationError(_("Skriv en kort begrunnelse for avlysningen."))
    visit.status = VisitStatus.CANCELLED
    visit.cancel_kind = kind
    visit.cancel_reason = reason.strip()[:300]
    visit.cancelled_by = by.user
    visit.cancelled_at = timezone.now()
    visit.detached = True
    visit.save(update_fields=[*CANCEL_FIELDS, "detached"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.cancelled",
        obj=visit,
        details={"kind": kind},
    )
    return visit


@transaction.atomic
def visit_reassign(*, visit: Visit, by: Membership, senior: Membership) -> Visit:
    """Give one visit to another (trained, R6) senior; the plan keeps its senior."""
    from training.services import training_require_cleared

    visit = _locked(visit)
    _check_senior(senior, visit.organization_id)
    if senior.pk == visit.senior_id:
        return visit
    training_require_cleared(membership=senior)
    before = visit.senior_id
    visit.senior = senior
    visit.detached = True
    visit.save(update_fields=["senior", "detached", "updated_at"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.reassigned",
        obj=visit,
        details={"from": before, "to": senior.pk},
    )
    return visit


# --- Conflicts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Something the leader should look at; never resolved silently."""

    kind: str  # "double_booked" | "outside_availability" | "holiday"
    text: str


MAX_CLASHES_LISTED = 2  # more clashes than this with one visit are summed up in one line


def _hhmm(when: datetime | time) -> str:
    if isinstance(when, datetime):
        when = timezone.localtime(when, OSLO).time()
    return when.strftime("%H.%M")


def visit_conflicts(visits: Sequence[Visit]) -> dict[int, list[Conflict]]:
    """Conflicts of each visit, by visit id, in two queries whatever the number of visits.

    A senior with two visits at once (in any department), a visit outside the
    senior's stated availability (when they have stated any), a public holiday.
    Cancelled and not-happened visits have none.
    """
    result: dict[int, list[Conflict]] = {}
    live = [v for v in visits if v.status in OCCUPYING_STATUSES]
    if not live:
        return result
    senior_ids = {v.senior_id for v in live}
    span_start = min(v.starts_at for v in live)
    span_end = max(v.ends_at for v in live)
    busy: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    rows = Visit.objects.filter(
        senior_id__in=senior_ids,
        status__in=OCCUPYING_STATUSES,
        starts_at__lt=span_end,
        starts_at__gte=span_start - timedelta(minutes=MAX_DURATION),
    ).values_list("pk", "senior_id", "starts_at", "duration_minutes")
    for pk, senior_id, starts_at, minutes in rows:
        busy[senior_id].append((pk, starts_at, starts_at + timedelta(minutes=minutes)))
    windows: dict[int, list[SeniorAvailability]] = defaultdict(list)
    for window in SeniorAvailability.objects.filter(membership_id__in=senior_ids):
        windows[window.membership_id].append(window)
    days = public_holidays(
        timezone.localtime(span_start, OSLO).date(), timezone.localtime(span_end, OSLO).date()
    )
    for visit in live:
        found: list[Conflict] = []
        clashes = [
            (start, end)
            for pk, start, end in busy[visit.senior_id]
            if pk != visit.pk and start < visit.ends_at and visit.starts_at < end
        ]
        if len(clashes) > MAX_CLASHES_LISTED:
            # One line for a pile-up, so that a badly booked week stays readable.
            found.append(
                Conflict(
                    "double_booked",
                    _("Senioren har %(n)s andre besøk samtidig, %(from)s–%(to)s")
                    % {
                        "n": len(clashes),
                        "from": _hhmm(min(start for start, _end in clashes)),
                        "to": _hhmm(max(end for _start, end in clashes)),
                    },
                )
            )
        else:
            found.extend(
                Conflict(
                    "double_booked",
                    _("Senioren har et annet besøk %(from)s–%(to)s")
                    % {"from": _hhmm(start), "to": _hhmm(end)},
                )
                for start, end in clashes
            )
        own = windows.get(visit.senior_id)
        if own:
            local_start = timezone.localtime(visit.starts_at, OSLO)
            local_end = timezone.localtime(visit.ends_at, OSLO)
            same_day = local_end.date() == local_start.date() or local_end.time() == time(0)
            end_time = time(23, 59, 59) if local_end.time() == time(0) else local_end.time()
            if not same_day or not any(
                w.covers(local_start.weekday(), local_start.time(), end_time) for w in own
            ):
                found.append(Conflict("outside_availability", _("Utenfor seniorens oppgitte tid")))
        holiday = days.get(timezone.localtime(visit.starts_at, OSLO).date())
        if holiday:
            found.append(Conflict("holiday", _("Helligdag: %(name)s") % {"name": holiday}))
        if found:
            result[visit.pk] = found
    return result


# --- The leader's week ---------------------------------------------------------------------


@dataclass
class WeekDay:
    day: date
    holiday: str = ""


@dataclass
class WeekRow:
    senior: Membership
    cells: list[list[Visit]]
    in_department: bool = True

    @property
    def count(self) -> int:
        return sum(len(c) for c in self.cells)


@dataclass
class Week:
    department: Department
    start: date
    days: list[WeekDay]
    rows: list[WeekRow]
    conflicts: dict[int, list[Conflict]]
    total: int = 0

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.start + timedelta(days=7)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


WEEK_FILTERS = ("", "open", "cancelled", "conflicts")


def department_seniors(department: Department) -> QuerySet[Membership]:
    """The department's active seniors, by name."""
    return (
        Membership.objects.for_organization(department.organization_id)
        .filter(role=Role.SENIOR, is_active=True, membershipdepartment__department=department)
        .select_related("user")
        .order_by("user__name", "pk")
    )


WEEK_VISIT_FIELDS = (
    "organization_id",
    "plan_id",
    "recipient_id",
    "senior_id",
    "starts_at",
    "duration_minutes",
    "status",
    "cancel_kind",
)


def department_week(
    *,
    department: Department,
    day: date,
    seniors: Sequence[Membership] | None = None,
    senior_id: int | None = None,
    show: str = "",
) -> Week:
    """The department's visits in `day`'s week, seniors as rows, Monday–Sunday as columns.

    A constant number of queries, whatever the number of visits. `seniors`: the
    department's seniors if already fetched. `show`: "" (all but visits the system
    cancelled after a plan change), "open", "cancelled", "conflicts". Each visit gets
    `.conflicts` (a list of `Conflict`).
    """
    start = week_start(day)
    lo, hi = local_day_bounds(start, start + timedelta(days=6))
    if seniors is None:
        seniors = list(department_seniors(department))
    visits_qs = (
        Visit.objects.for_organization(department.organization_id)
        .filter(recipient__department=department, starts_at__gte=lo, starts_at__lt=hi)
        # Only what the grid shows, as plain values on the visit: a department's
        # week is a few hundred visits.
        .only(*WEEK_VISIT_FIELDS)
        .annotate(recipient_name=F("recipient__name"))
        .order_by("starts_at", "pk")
    )
    if senior_id:
        visits_qs = visits_qs.filter(senior_id=senior_id)
        seniors = [s for s in seniors if s.pk == senior_id]
    if show == "open":
        visits_qs = visits_qs.filter(status__in=ACTIVE_STATUSES)
    elif show == "cancelled":
        visits_qs = visits_qs.filter(status=VisitStatus.CANCELLED)
    else:
        visits_qs = visits_qs.exclude(
            status=VisitStatus.CANCELLED, cancel_kind=CancelKind.PLAN_CHANGED
        )
    visits = list(visits_qs)
    conflicts = visit_conflicts(visits)
    for visit in visits:
        visit.conflicts = conflicts.get(visit.pk, [])
    if show == "conflicts":
        visits = [v for v in visits if v.conflicts]
    rows = {s.pk: WeekRow(senior=s, cells=[[] for _ in range(7)]) for s in seniors}
    # Seniors from elsewhere who visit here (moved to another department since).
    others = {v.senior_id for v in visits} - rows.keys()
    if others:
        elsewhere = (
            Membership.objects.for_organization(department.organization_id)
            .filter(pk__in=others)
            .select_related("user")
        )
        for senior in elsewhere.order_by("user__name", "pk"):
            rows[senior.pk] = WeekRow(
                senior=senior, cells=[[] for _ in range(7)], in_department=False
            )
    for visit in visits:
        row = rows[visit.senior_id]
        row.cells[timezone.localtime(visit.starts_at, OSLO).weekday()].append(visit)
    names = public_holidays(start, start + timedelta(days=6))
    days = [
        WeekDay(day=d, holiday=names.get(d, ""))
        for d in (start + timedelta(days=i) for i in range(7))
    ]
    return Week(
        department=department,
        start=start,
        days=days,
        rows=list(rows.values()),
        conflicts=conflicts,
        total=len(visits),
    )


def with_conflicts(visits: Iterable[Visit]) -> list[Visit]:
    """The visits as a list, each with `.conflicts` filled in (two queries)."""
    visits = list(visits)
    conflicts = visit_conflicts(visits)
    for visit in visits:
        visit.conflicts = conflicts.get(visit.pk, [])
    return visits


# --- The senior's agenda ------------------------------------------------------------------


def visits_for_senior(*, senior: Membership, start: date, end: date) -> QuerySet[Visit]:
    """The senior's visits on local dates `start`..`end` (cancelled ones too), by time."""
    lo, hi = local_day_bounds(start, end)
    return (
        Visit.objects.for_organization(senior.organization_id)
        .filter(senior=senior, starts_at__gte=lo, starts_at__lt=hi)
        .exclude(status=VisitStatus.CANCELLED, cancel_kind=CancelKind.PLAN_CHANGED)
        # Prefetched, not joined: a senior visits a dozen people in two weeks, and each
        # is built (and their phone number parsed) once, however many visits.
        .prefetch_related("recipient")
        .order_by("starts_at", "pk")
    )


def visits_today(*, senior: Membership, today: date | None = None) -> list[Visit]:
    """The senior's visits today (Oslo), cancelled ones included, by time."""
    today = today or timezone.localdate()
    return list(visits_for_senior(senior=senior, start=today, end=today))


def visit_may_share_notebook(visit: Visit) -> bool:
    """True when a relative of the visit's recipient has consented to notebook sharing."""
    from customers.consent import consent_is_active
    from customers.models import ConsentPurpose

    return any(
        consent_is_active(
            recipient_id=visit.recipient_id,
            relative_id=relative_id,
            purpose=ConsentPurpose.NOTEBOOK_SHARING,
        )
        for relative_id in visit.recipient.relatives.values_list("pk", flat=True)
    )


def visit_next_for_recipient(
    *, recipient: CareRecipient, after: datetime | None = None
) -> Visit | None:
    """The recipient's next planned or moved visit after `after` (now), or None.

    For the thank-you SMS ("kommer igjen torsdag 27. november kl. 11.00").
    """
    return (
        Visit.objects.for_organization(recipient.organization_id)
        .filter(
            recipient=recipient, status__in=ACTIVE_STATUSES, starts_at__gt=after or timezone.now()
        )
        .select_related("senior__user")
        .order_by("starts_at", "pk")
        .first()
    )


@dataclass
class AgendaDay:
    day: date
    is_today: bool
    visits: list[Visit]
    holiday: str = ""


def senior_agenda(
    *, senior: Membership, today: date | None = None, days: int = 14
) -> list[AgendaDay]:
    """Today (always, even when empty) and the days with visits in the next `days` days."""
    today = today or timezone.localdate()
    end = today + timedelta(days=days)
    by_day: dict[date, list[Visit]] = defaultdict(list)
    for visit in visits_for_senior(senior=senior, start=today, end=end):
        by_day[timezone.localtime(visit.starts_at, OSLO).date()].append(visit)
    by_day.setdefault(today, [])
    names = public_holidays(today, end)
    return [
        AgendaDay(day=d, is_today=d == today, visits=by_day[d], holiday=names.get(d, ""))
        for d in sorted(by_day)
    ]


def map_url(address: str) -> str:
    """A link that opens the address in the phone's map app (or the web map)."""
    from urllib.parse import quote

    return f"https://www.google.com/maps/search/?api=1&query={quote(address)}"


# --- Availability ------------------------------------------------------------------------


@transaction.atomic
def availability_set(
    *, membership: Membership, by: Membership, windows: Iterable[tuple[int, time, time]]
) -> list[SeniorAvailability]:
    """Replace the senior's stated availability with `windows` (weekday, from, to)."""
    rows = []
    for weekday, start, end in windows:
        if not 0 <= weekday <= 6:
            raise ValidationError(_("Ugyldig ukedag."))
        if start >= end:
            raise ValidationError(
                _("%(day)s: «fra» må være før «til».") % {"day": dict(WEEKDAYS)[weekday]}
            )
        rows.append(
            SeniorAvailability(
                organization_id=membership.organization_id,
                membership=membership,
                weekday=weekday,
                start_time=start,
                end_time=end,
            )
        )
    SeniorAvailability.objects.filter(membership=membership).delete()
    SeniorAvailability.objects.bulk_create(rows)
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="availability.set",
        obj=membership,
        details={"windows": len(rows)},
    )
    return rows


# --- Frequency suggestion (interview question 9) ----------------------------------------

_DAY_WORDS = {
    "mandag": 0,
    "tirsdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lørdag": 5,
    "søndag": 6,
}
_EVERY = [
    (re.compile(r"annenhver|annen hver|hver andre|hver 2\.?\s*uke|hver annen"), 2),
    (re.compile(r"hver tredje|hver 3\.?\s*uke"), 3),
    (re.compile(r"hver fjerde|hver 4\.?\s*uke|en gang i måneden|én gang i måneden"), 4),
]


def frequency_hint(text: str) -> dict[str, Any]:
    """Weekdays and every-N-weeks read from a free-text answer ("Annenhver torsdag")."""
    lowered = text.lower()
    weekdays = sorted({n for word, n in _DAY_WORDS.items() if word in lowered})
    every = next((n for pattern, n in _EVERY if pattern.search(lowered)), 1)
    return {"weekdays": weekdays, "every_n_weeks": every}


def desired_frequency(recipient: CareRecipient) -> str:
    """Question 9 of the recipient's latest completed interview ("" if none)."""
    from omsorg.models import InterviewStatus

    row = (
        recipient.interviews.filter(status=InterviewStatus.COMPLETED)
        .exclude(q9_frequency="")
        .order_by("-completed_at")
        .values_list("q9_frequency", flat=True)
        .first()
    )
    return row or ""


# --- Calendar feed (ICS) ------------------------------------------------------------------

CALENDAR_SALT = "visits.calendar-feed"
_TOKEN = re.compile(r"^([0-9a-f]{24})-([0-9a-f]{40})$")


def _mac(key: str) -> str:
    return salted_hmac(CALENDAR_SALT, key, algorithm="sha256").hexdigest()[:40]


def calendar_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's URL: the key and its HMAC under SECRET_KEY."""
    return f"{feed.key}-{_mac(feed.key)}"


def calendar_feed_for(*, membership: Membership) -> CalendarFeed:
    """The senior's calendar feed, made on first use."""
    feed = CalendarFeed.objects.filter(membership=membership).first()
    if feed is None:
        feed = CalendarFeed.objects.create(
            organization_id=membership.organization_id,
            membership=membership,
            key=secrets.token_hex(12),
        )
    return feed


@transaction.atomic
def calendar_feed_reset(
    *, membership: Membership, by: Membership | None = None, reason: str = ""
) -> CalendarFeed:
    """Give the senior a new calendar address; the old one stops working at once.

    `by` is who asked: the senior (None or their own membership), their leader or an
    admin (a lost phone); `reason` goes in the audit row (e.g. "password_changed").
    """
    feed = calendar_feed_for(membership=membership)
    feed.key = secrets.token_hex(12)
    feed.created_at = timezone.now()
    feed.last_fetched_at = None
    feed.save(update_fields=["key", "created_at", "last_fetched_at"])
    audit_record(
        organization=membership.organization,
        actor=by.user if by is not None else membership.user,
        action="calendar.reset",
        obj=membership,
        details={"reason": reason} if reason else None,
    )
    return feed


def calendar_feeds_rotate_for_user(*, user_id: int, reason: str) -> int:
    """New calendar addresses for every feed of `user_id`'s memberships, in each of their
    organizations (the password changed: whoever had it may have copied the address).
    Returns how many feeds changed."""
    from seniorene.accounts.tenancy import db_set_tenant

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT current_setting('seniorene.organization_id', true),"
                " current_setting('seniorene.user_id', true)"
            )
            org_before, user_before = cursor.fetchone()
        else:
            org_before, user_before = None, None
    memberships = list(
        Membership.objects.filter(user_id=user_id).select_related("organization", "user")
    )
    rotated = 0
    with transaction.atomic():
        try:
            for membership in memberships:
                db_set_tenant(membership.organization_id, user_id, local=True)
                if CalendarFeed.objects.filter(membership=membership).exists():
                    calendar_feed_reset(membership=membership, reason=reason)
                    rotated += 1
        finally:
            db_set_tenant(
                int(org_before) if org_before else None,
                int(user_before) if user_before else None,
                local=True,
            )
    return rotated


def calendar_organization_for_token(token: str) -> int | None:
    """The organization id of the feed with `token`'s key, found across tenants."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    key = match.group(1)
    if connection.vendor != "postgresql":
        return (
            CalendarFeed.objects.filter(key=key).values_list("organization_id", flat=True).first()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT seniorene_calendar_feed_organization(%s)", [key])
        row = cursor.fetchone()
    return row[0] if row else None


def calendar_feed_check(*, organization_id: int, token: str) -> CalendarFeed | None:
    """The feed `token` opens (compared in constant time), or None."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    key, mac = match.groups()
    feed = (
        CalendarFeed.objects.for_organization(organization_id)
        .select_related("membership__user")
        .filter(key=key)
        .first()
    )
    if feed is None or not hmac.compare_digest(_mac(feed.key), mac):
        return None
    if not feed.membership.is_active or feed.membership.role != Role.SENIOR:
        return None
    return feed


def calendar_visits(*, membership: Membership, now: datetime | None = None) -> QuerySet[Visit]:
    """What the feed shows: the senior's visits from 30 days back, cancelled ones left out."""
    now = now or timezone.now()
    return (
        Visit.objects.for_organization(membership.organization_id)
        .filter(
            senior=membership,
            status__in=OCCUPYING_STATUSES,
            starts_at__gte=now - timedelta(days=30),
        )
        .select_related("recipient")
        .order_by("starts_at", "pk")
    )


def calendar_ics(*, feed: CalendarFeed, now: datetime | None = None) -> bytes:
    """The senior's visits as an iCalendar document (times in UTC).

    Name and address only: key notes and phone numbers stay in the app, since
    calendars are often synced to other services.
    """
    import icalendar

    now = now or timezone.now()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "seniorene"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Seniorene Omsorg//Besok//NO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Seniorene: mine besøk"))
    cal.add("x-wr-timezone", "Europe/Oslo")
    cal.add("x-published-ttl", "PT1H")
    for visit in calendar_visits(membership=feed.membership, now=now):
        event = icalendar.Event()
        event.add("uid", f"visit-{visit.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", visit.starts_at)
        event.add("dtend", visit.ends_at)
        event.add("summary", _("Besøk: %(name)s") % {"name": visit.recipient.name})
        if visit.recipient.full_address:
            event.add("location", visit.recipient.full_address)
        event.add("url", settings.SITE_URL + reverse("visits:my_visit", args=[visit.pk]))
        event.add("last-modified", visit.updated_at)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def calendar_mark_fetched(feed: CalendarFeed, now: datetime | None = None) -> None:
    """Note that a calendar app fetched the feed (at most once an hour, to spare writes)."""
    now = now or timezone.now()
    if feed.last_fetched_at is None or now - feed.last_fetched_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)


# --- Watchdog ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchdogRow:
    """An active recipient who may silently drop out, and why."""

    recipient: CareRecipient
    next_visit: datetime | None
    plans_end: date | None
    has_plan: bool

    @property
    def reason(self) -> str:
        if self.next_visit is None:
            return _("Ingen kommende besøk")
        if not self.has_plan:
            return _("Ingen løpende besøksplan etter neste besøk")
        return _("Besøksplanen slutter %(date)s") % {"date": self.plans_end.strftime("%d.%m.%Y")}


def watchdog_list(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[WatchdogRow]:
    """Active recipients with no upcoming visit, or whose running plans all end within
    14 days (or who have none), in one query; `department_ids` None means every department."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    running = VisitPlan.objects.filter(recipient=OuterRef("pk"), ended_at__isnull=True).filter(
        Q(last_date__isnull=True) | Q(last_date__gte=today)
    )
    rows = (
        CareRecipient.objects.for_organization(organization_id)
        .filter(status=RecipientStatus.ACTIVE)
        .annotate(
            next_visit=Subquery(
                Visit.objects.filter(
                    recipient=OuterRef("pk"), status__in=ACTIVE_STATUSES, starts_at__gte=now
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
            open_ended=Exists(running.filter(last_date__isnull=True)),
            has_plan=Exists(running),
            plans_end=Subquery(
                running.filter(last_date__isnull=False)
                .order_by("-last_date")
                .values("last_date")[:1]
            ),
        )
        .select_related("department")
        .order_by("department__name", "name", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    soon = today + timedelta(days=WATCHDOG_DAYS)
    found = []
    for r in rows:
        ending = not r.open_ended and r.plans_end is not None and r.plans_end <= soon
        if r.next_visit is None or not r.has_plan or ending:
            found.append(
                WatchdogRow(
                    recipient=r,
                    next_visit=r.next_visit,
                    plans_end=r.plans_end,
                    has_plan=r.has_plan,
                )
            )
    return found


def watchdog_email(*, membership_id: int, now: datetime | None = None) -> bool:
    """E-mail one leader today's watchdog list; at most once a day (claimed by a row).

    True if an e-mail went out. No names in the e-mail: the link leads to the list.
    """
    now = now or timezone.now()
    leader = (
        Membership.objects.select_related("user", "organization")
        .filter(pk=membership_id, role=Role.LEADER, is_active=True)
        .first()
    )
    if leader is None:
        return False
    rows = watchdog_list(
        organization_id=leader.organization_id, department_ids=leader.department_ids, now=now
    )
    if not rows:
        return False
    notice, _created = WatchdogNotice.objects.get_or_create(
        organization_id=leader.organization_id,
        membership=leader,
        day=timezone.localdate(now),
    )
    claimed = WatchdogNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(
        sent_at=now, count=len(rows)
    )
    if not claimed:
        return False
    ctx = {
        "leader": leader,
        "count": len(rows),
        "url": settings.SITE_URL + reverse("visits:watchdog"),
    }
    send_mail(
        subject=_("Brukere uten kommende besøk (%(count)s)") % {"count": len(rows)},
        message=render_to_string("visits/email/watchdog.txt", ctx),
        from_email=None,
        recipient_list=[leader.user.email],
    )
    return True


def leaders_of(organization_id: int) -> list[int]:
    """Ids of the organization's active leaders (the watchdog e-mail's readers)."""
    return list(
        Membership.objects.for_organization(organization_id)
        .filter(role=Role.LEADER, is_active=True)
        .values_list("pk", flat=True)
    )


# --- R11 and the recipient's data -----------------------------------------------------------


def visits_stop_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """R11 hook (end and pause): future visits are cancelled; ending also ends the plans.

    Logged and past visits are kept. A paused recipient's visits come back with the
    next expansion when they are active again (unless changed by hand meanwhile).
    """
    now = timezone.now()
    ended = recipient.status == RecipientStatus.ENDED
    kind = CancelKind.RECIPIENT_ENDED if ended else CancelKind.RECIPIENT_PAUSED
    future = list(
        Visit.objects.filter(recipient=recipient, status__in=ACTIVE_STATUSES, starts_at__gt=now)
    )
    Visit.objects.bulk_update(_system_cancel(future, kind, now), CANCEL_FIELDS)
    plans = 0
    if ended:
        plans = VisitPlan.objects.filter(recipient=recipient, ended_at__isnull=True).update(
            ended_at=now, updated_at=now
        )
    if future or plans:
        audit_record(
            organization=recipient.organization,
            actor=by,
            action="visits.stopped_for_recipient",
            obj=recipient,
            details={"cancelled": len(future), "plans_ended": plans, "status": recipient.status},
        )


def visits_anonymise_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Retention: free text about the recipient in plans and visits is removed."""
    from ledger.models import Expense
    from visits.models import VisitLog, VisitLogDraft

    VisitPlan.objects.filter(recipient=recipient).update(notes="")
    Visit.objects.filter(recipient=recipient).update(cancel_reason="")
    # The notebook is free text about the person; counts, dates and hours stay.
    VisitLog.objects.filter(recipient=recipient).update(
        went_well="", could_change="", not_happened_reason=""
    )
    VisitLogDraft.objects.filter(visit__recipient=recipient).delete()
    Expense.objects.filter(recipient=recipient).update(description="Utlegg")
    # Log labels of plans and visits carry the recipient's name (and outlays their text).
    label = recipient_anonymised_label(recipient)
    for model in (VisitPlan, Visit, VisitLog, Expense):
        audit_relabel(
            organization_id=recipient.organization_id,
            model=model,
            ids=model.objects.filter(recipient=recipient).values_list("pk", flat=True),
            label=f"{capfirst(model._meta.verbose_name)}: {label}",
        )


def visits_export_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """The recipient's plans and visits for a data-access request."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    plans = VisitPlan.objects.filter(recipient=recipient).select_related("senior__user")
    visits = Visit.objects.filter(recipient=recipient).select_related("senior__user")
    return {
        "visit_plans": [
            {
                "plan": p.describe(),
                "senior": str(p.senior.user),
                "first_date": p.first_date.isoformat(),
                "last_date": p.last_date.isoformat() if p.last_date else None,
                "ended": when(p.ended_at),
                "notes": p.notes,
            }
            for p in plans
        ],
        "visits": [
            {
                "at": when(v.starts_at),
                "minutes": v.duration_minutes,
                "senior": str(v.senior.user),
                "status": v.get_status_display(),
                "cancelled_by": v.get_cancel_kind_display() if v.cancel_kind else None,
                "cancel_reason": v.cancel_reason,
            }
            for v in visits
        ],
        "notebook": [
            {
                "visit_at": when(log.visit.starts_at),
                "happened": log.happened,
                "went_well": log.went_well,
                "could_change": log.could_change,
                "not_happened_reason": log.not_happened_reason,
                "shared_with_relatives": log.share_with_relatives,
                "logged_at": when(log.logged_at),
            }
            for log in recipient.visit_logs.select_related("visit").order_by("logged_at")
        ],
    }


# --- The leader's follow-up: visits not logged, SMS that failed (issue 8) -----------------

FOLLOW_UP_DAYS = 30


def visits_unlogged(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[Visit]:
    """Visits of earlier days (the last 30) still neither logged nor marked as not happened."""
    now = now or timezone.now()
    start_of_today = local_datetime(timezone.localdate(now), time(0, 0))
    rows = (
        Visit.objects.for_organization(organization_id)
        .filter(
            status__in=ACTIVE_STATUSES,
            starts_at__lt=start_of_today,
            starts_at__gte=start_of_today - timedelta(days=FOLLOW_UP_DAYS),
        )
        .select_related("recipient__department", "senior__user")
        .order_by("starts_at", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return list(rows)


def sms_failed(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list:
    """SMS of the last 30 days that did not reach their person (failed, stopped for want of
    consent, or uncertain); leaders see those about their departments' recipients."""
    from messaging.models import SmsMessage, SmsStatus

    now = now or timezone.now()
    rows = (
        SmsMessage.objects.for_organization(organization_id)
        .filter(
            status__in=[SmsStatus.FAILED, SmsStatus.BLOCKED_NO_CONSENT, SmsStatus.UNCERTAIN],
            created_at__gte=now - timedelta(days=FOLLOW_UP_DAYS),
        )
        .select_related("recipient__department", "relative", "membership__user")
        .order_by("-created_at", "-pk")
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return list(rows)


@dataclass
class AfterVisit:
    """What came of a visit: the log, the hours/km/outlays and the SMS about it."""

    log: Any
    hours: list
    km: list
    expenses: list
    sms: list


def visit_after(visit: Visit) -> AfterVisit:
    """The log of `visit`, what was registered from it, and its SMS with their status."""
    from ledger.models import EntrySource, Expense, MileageEntry, TimeEntry
    from messaging.models import SmsMessage
    from visits.models import VisitLog

    source = {"source": EntrySource.VISIT, "source_id": visit.pk}
    org = visit.organization_id
    log = VisitLog.objects.filter(visit=visit).select_related("logged_by").first()
    # Hours, km and outlays are registered from the log: none before it.
    return AfterVisit(
        log=log,
        hours=list(TimeEntry.objects.for_organization(org).filter(**source)) if log else [],
        km=list(MileageEntry.objects.for_organization(org).filter(**source)) if log else [],
        expenses=list(Expense.objects.for_organization(org).filter(**source)) if log else [],
        sms=list(
            SmsMessage.objects.for_organization(org)
            .filter(visit_id=visit.pk)
            .select_related("relative", "recipient")
            .order_by("created_at", "pk")
        ),
    )
