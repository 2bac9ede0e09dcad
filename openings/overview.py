"""The leader's overview of seniors ("Seniorene"): the figures a coordinator uses to keep
people — "rekruttere, lære opp, ivareta og motivere".

Per active senior of the departments the viewer sees: opted in for Omsorg jobs or not (and
a pause until when), cleared for Omsorg work (R6) or what is missing, training to renew (a
module done at an older version: a new declaration not accepted), visits this month (done
and planned) against what they asked for, idle for `IDLE_DAYS` days (no visit done and no
Bli kjent meeting held), and the service areas they like. Counts at the top.

All from a fixed `today`, so it can be tested; a constant number of queries whatever the
number of seniors.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.apps import norwegian_key
from omsorg.models import IntakeInterview, InterviewStatus
from openings.models import InterestStatus, JobInterest, JobInterestArea
from seniorene.accounts.models import Department, Membership, Role
from seniorene.accounts.scope import DepartmentScope
from training.models import ModuleKind, TrainingCompletion, TrainingModule
from training.services import Clearance, training_clearances
from visits.civil_time import OSLO, local_day_bounds
from visits.models import ACTIVE_STATUSES, Visit, VisitStatus

IDLE_DAYS = 30


class OptIn:
    """The senior's standing on Omsorg jobs, as the overview shows it."""

    ACTIVE = "active"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"
    NONE = "none"


@dataclass
class SeniorRow:
    membership: Membership
    departments: list[Department]
    interest: JobInterest | None
    opt_in: str  # an `OptIn` value
    clearance: Clearance
    renew: list[str]  # module titles done at an older version only
    done_this_month: int
    planned_this_month: int
    wanted_this_month: int | None  # visits_per_week × the month's weeks; None: not opted in now
    last_active: date | None  # the last visit done or Bli kjent meeting held
    idle: bool
    liked: list[str] = field(default_factory=list)

    @property
    def opted_in(self) -> bool:
        return self.opt_in == OptIn.ACTIVE

    @property
    def paused_until(self) -> date | None:
        return self.interest.paused_until if self.interest else None

    @property
    def status_text(self) -> str:
        return status_text(self)


@dataclass
class Counts:
    seniors: int = 0
    opted_in: int = 0
    paused: int = 0
    cleared: int = 0
    blocked: int = 0
    to_renew: int = 0
    idle: int = 0
    done_this_month: int = 0
    planned_this_month: int = 0
    wanted_this_month: int = 0


@dataclass
class SeniorOverview:
    today: date
    month_start: date
    month_end: date
    departments: list[Department]  # the ones the viewer may pick
    department: Department | None  # the one picked (None: all of them)
    rows: list[SeniorRow]
    counts: Counts


def month_bounds(today: date) -> tuple[date, date]:
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


def wanted_in_month(visits_per_week: int, month_start: date, month_end: date) -> int:
    """What `visits_per_week` comes to over the month: per week × the month's weeks."""
    days = (month_end - month_start).days + 1
    return round(visits_per_week * days / 7)


def opt_in_of(interest: JobInterest | None, today: date) -> str:
    if interest is None:
        return OptIn.NONE
    if interest.status == InterestStatus.WITHDRAWN:
        return OptIn.WITHDRAWN
    if interest.status == InterestStatus.PAUSED and (
        interest.paused_until is None or interest.paused_until >= today
    ):
        return OptIn.PAUSED
    return OptIn.ACTIVE  # active, or a pause that has ended (as `eligibility` has it)


def _renewals(seniors: list[Membership]) -> dict[int, list[str]]:
    """Per senior: the gate modules done only at an older version (two queries)."""
    modules = {
        m.pk: m
        for m in TrainingModule.objects.filter(
            organization_id__in={s.organization_id for s in seniors}, is_active=True
        )
        .filter(Q(is_required=True) | Q(kind=ModuleKind.DECLARATION))
        .only("id", "title", "version", "position")
        .order_by("position", "id")
    }
    versions: dict[tuple[int, int], set[int]] = defaultdict(set)
    for membership_id, module_id, version in TrainingCompletion.objects.filter(
        membership_id__in=[s.pk for s in seniors], module_id__in=list(modules)
    ).values_list("membership_id", "module_id", "version"):
        versions[(membership_id, module_id)].add(version)
    result: dict[int, list[str]] = defaultdict(list)
    for (membership_id, module_id), signed in versions.items():
        module = modules[module_id]
        if module.version not in signed:
            result[membership_id].append(module.title)
    return result


def senior_overview(
    *,
    viewer: Membership,
    today: date,
    department_id: int | None = None,
    only_opted_in: bool = False,
    only_idle: bool = False,
) -> SeniorOverview:
    """The active seniors of the departments `viewer` sees (leader: theirs; lead, admin:
    all), or of `department_id` (404 when outside the viewer's scope)."""
    scope = DepartmentScope.of(viewer)
    departments = sorted(
        scope.filter(
            Department.objects.for_organization(viewer.organization_id).filter(is_active=True),
            "pk",
        ),
        key=lambda d: norwegian_key(d.name),
    )
    department = None
    if department_id is not None:
        department = next((d for d in departments if d.pk == department_id), None)
        if department is None:
            raise Http404
    seniors_qs = Membership.objects.for_organization(viewer.organization_id).filter(
        role=Role.SENIOR, is_active=True
    )
    if department is not None:
        seniors_qs = seniors_qs.filter(departments__id=department.pk)
    elif not scope.is_all:
        seniors_qs = seniors_qs.filter(departments__id__in=[d.pk for d in departments])
    seniors = sorted(
        seniors_qs.select_related("user").prefetch_related("departments").distinct(),
        key=lambda m: (norwegian_key(m.user.name), m.pk),
    )
    month_start, month_end = month_bounds(today)
    result = SeniorOverview(
        today=today,
        month_start=month_start,
        month_end=month_end,
        departments=departments,
        department=department,
        rows=[],
        counts=Counts(),
    )
    if not seniors:
        return result
    ids = [s.pk for s in seniors]

    interests = {i.membership_id: i for i in JobInterest.objects.filter(membership_id__in=ids)}
    liked: dict[int, list[str]] = defaultdict(list)
    for membership_id, name in (
        JobInterestArea.objects.filter(interest__membership_id__in=ids)
        .order_by("service_area__position", "service_area__name")
        .values_list("interest__membership_id", "service_area__name")
    ):
        liked[membership_id].append(name)
    clearances = training_clearances(memberships=seniors)
    renewals = _renewals(seniors)

    month_from, month_to = local_day_bounds(month_start, month_end)
    _day_start, end_of_today = local_day_bounds(today, today)
    idle_from = local_day_bounds(today - timedelta(days=IDLE_DAYS - 1), today)[0]
    visit_rows: dict[int, dict[str, Any]] = {
        row["senior_id"]: dict(row)
        for row in Visit.objects.filter(senior_id__in=ids)
        .values("senior_id")
        .annotate(
            done=Count(
                "pk",
                filter=Q(
                    status=VisitStatus.LOGGED, starts_at__gte=month_from, starts_at__lt=month_to
                ),
            ),
            planned=Count(
                "pk",
                filter=Q(
                    status__in=ACTIVE_STATUSES, starts_at__gte=month_from, starts_at__lt=month_to
                ),
            ),
            last_done=Max(
                "starts_at", filter=Q(status=VisitStatus.LOGGED, starts_at__lt=end_of_today)
            ),
        )
    }
    last_meeting = dict(
        IntakeInterview.objects.filter(
            senior_id__in=ids, status=InterviewStatus.COMPLETED, starts_at__lt=end_of_today
        )
        .values("senior_id")
        .annotate(last=Max("starts_at"))
        .values_list("senior_id", "last")
    )

    counts = result.counts
    for senior in seniors:
        interest = interests.get(senior.pk)
        opt_in = opt_in_of(interest, today)
        visits = visit_rows.get(senior.pk, {})
        moments: list[datetime] = [
            m for m in (visits.get("last_done"), last_meeting.get(senior.pk)) if m is not None
        ]
        last = max(moments) if moments else None
        idle = last is None or last < idle_from
        wanted = (
            wanted_in_month(interest.visits_per_week, month_start, month_end)
            if interest is not None and opt_in == OptIn.ACTIVE
            else None
        )
        row = SeniorRow(
            membership=senior,
            departments=sorted(senior.departments.all(), key=lambda d: norwegian_key(d.name)),
            interest=interest,
            opt_in=opt_in,
            clearance=clearances[senior.pk],
            renew=renewals.get(senior.pk, []),
            done_this_month=visits.get("done", 0),
            planned_this_month=visits.get("planned", 0),
            wanted_this_month=wanted,
            last_active=timezone.localtime(last, OSLO).date() if last else None,
            idle=idle,
            liked=liked.get(senior.pk, []),
        )
        if only_opted_in and not row.opted_in:
            continue
        if only_idle and not row.idle:
            continue
        result.rows.append(row)
        counts.seniors += 1
        counts.opted_in += row.opted_in
        counts.paused += row.opt_in == OptIn.PAUSED
        counts.cleared += row.clearance.cleared
        counts.blocked += not row.clearance.cleared
        counts.to_renew += bool(row.renew)
        counts.idle += row.idle
        counts.done_this_month += row.done_this_month
        counts.planned_this_month += row.planned_this_month
        counts.wanted_this_month += row.wanted_this_month or 0
    return result


def status_text(row: SeniorRow) -> str:
    """The opt-in status in words ("Pause til og med 3. mars 2027")."""
    if row.opt_in == OptIn.ACTIVE:
        return _("Vil ta jobber")
    if row.opt_in == OptIn.PAUSED:
        if row.paused_until is not None:
            return _("Pause til og med %(day)s") % {"day": date_format(row.paused_until, "j. F Y")}
        return _("Pause")
    if row.opt_in == OptIn.WITHDRAWN:
        return _("Trukket seg")
    return _("Ikke meldt seg")
