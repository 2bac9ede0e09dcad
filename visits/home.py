"""The leader's start page, "I dag": how the leader's departments are doing right now, each
figure a number that links to the list of exactly those rows (issue 22). Registered with
`seniorene.home` in `VisitsConfig.ready()`; also the senior's agenda line to Seniorposten.

Each figure is counted the way its list shows it, from the same query builders:

- under way and late: `selectors.under_way_q` / `selectors.late_q` (the late-start alert's
  rule), listed by the week's filters ``?vis=pagar`` / ``?vis=sen``;
- not logged and failed SMS: *Følg opp*'s lists (`selectors.unlogged_rows`,
  `selectors.sms_failed_rows`);
- open concerns: `Concern` not answered, at the top of *Følg opp*;
- clashes this week: the week's conflict count (``?vis=conflicts``);
- blocked seniors: active seniors not cleared by R6 (`training_clearances`), listed by the
  training overview's ``?vis=blokkerte``.

A constant number of queries, whatever the data: one count per figure, the clashes in the
four queries of `slot_conflicts`, the clearances in two.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Department, Membership, Role
from seniorene.home import HomePanel
from seniorene.jobs.services import late_start_minutes
from visits.agenda_lines import AgendaLine
from visits.civil_time import local_day_bounds, week_start
from visits.conflicts import meeting_slot, slot_conflicts, visit_slot
from visits.models import OCCUPYING_STATUSES, Concern, Visit
from visits.selectors import late_q, sms_failed_rows, under_way_q, unlogged_rows


@dataclass(frozen=True)
class DepartmentCount:
    """One department's share of a figure, with the link to its list."""

    name: str
    count: int
    url: str


@dataclass(frozen=True)
class Figure:
    """One number on the panel: what it counts, how many, and where the list is. With
    several departments and a per-department list (the week), `parts` has each one."""

    key: str
    label: str
    count: int
    url: str
    parts: list[DepartmentCount] = field(default_factory=list)


def _week_url(department_id: int, day: object, show: str) -> str:
    return f"{reverse('visits:week')}?avdeling={department_id}&uke={day}&vis={show}"


def _by_department(rows: list[int | None]) -> Counter[int]:
    return Counter(d for d in rows if d is not None)


def _clashes_this_week(
    organization_id: int, department_ids: list[int], now: datetime
) -> Counter[int]:
    """Per department: this week's visits and Bli kjent meetings with a clash, as the week
    counts them (`selectors.department_week`), in six queries for all departments."""
    from omsorg.models import IntakeInterview, InterviewStatus

    start = week_start(timezone.localdate(now))
    lo, hi = local_day_bounds(start, start + timedelta(days=6))
    visits = list(
        Visit.objects.for_organization(organization_id)
        .filter(
            recipient__department_id__in=department_ids,
            starts_at__gte=lo,
            starts_at__lt=hi,
            status__in=OCCUPYING_STATUSES,
        )
        .only("organization_id", "recipient_id", "senior_id", "starts_at", "duration_minutes")
        .annotate(department_id=F("recipient__department_id"))
    )
    meetings = list(
        IntakeInterview.objects.for_organization(organization_id)
        .filter(
            recipient__department_id__in=department_ids,
            starts_at__gte=lo,
            starts_at__lt=hi,
            status=InterviewStatus.BOOKED,
        )
        .only("organization_id", "recipient_id", "senior_id", "starts_at", "duration_minutes")
        .annotate(department_id=F("recipient__department_id"))
    )
    found = slot_conflicts(
        [visit_slot(v) for v in visits] + [meeting_slot(m) for m in meetings],
        organization_id=organization_id,
    )
    counts: Counter[int] = Counter()
    for visit in visits:
        if visit.pk in found:
            counts[visit.department_id] += 1
    for meeting in meetings:
        if ("meeting", meeting.pk) in found:
            counts[meeting.department_id] += 1
    return counts


def _blocked_seniors(organization_id: int, department_ids: list[int]) -> int:
    """Active seniors of the departments who may not be assigned yet (R6), each once."""
    from training.services import training_clearances

    seniors = list(
        Membership.objects.for_organization(organization_id)
        .filter(
            role=Role.SENIOR,
            is_active=True,
            membershipdepartment__department_id__in=department_ids,
        )
        .distinct()
    )
    clearances = training_clearances(memberships=seniors)
    return sum(1 for s in seniors if not clearances[s.pk].cleared)


def leader_today(
    *, leader: Membership, departments: list[Department], now: datetime | None = None
) -> list[Figure]:
    """The figures of the leader's panel for `departments` (the leader's own), at `now`."""
    now = now or timezone.now()
    org = leader.organization_id
    ids = [d.pk for d in departments]
    today = timezone.localdate(now)
    visits = Visit.objects.for_organization(org).filter(recipient__department_id__in=ids)
    under_way = _by_department(
        list(visits.filter(under_way_q(now)).values_list("recipient__department_id", flat=True))
    )
    late = _by_department(
        list(
            visits.filter(late_q(now, late_start_minutes(org))).values_list(
                "recipient__department_id", flat=True
            )
        )
    )
    clashes = _clashes_this_week(org, ids, now)
    unlogged = unlogged_rows(organization_id=org, department_ids=ids, now=now).count()
    failed = sms_failed_rows(organization_id=org, department_ids=ids, now=now).count()
    concerns = (
        Concern.objects.for_organization(org)
        .filter(answered_at__isnull=True, recipient__department_id__in=ids)
        .count()
    )
    blocked = _blocked_seniors(org, ids)
    watchdog = reverse("visits:watchdog")

    def weekly(key: str, label: str, counts: Counter[int], show: str) -> Figure:
        parts = [
            DepartmentCount(d.name, counts[d.pk], _week_url(d.pk, today, show)) for d in departments
        ]
        return Figure(
            key,
            label,
            sum(counts.values()),
            parts[0].url if len(parts) == 1 else "",
            parts if len(parts) > 1 else [],
        )

    return [
        weekly("under_way", _("Pågår nå"), under_way, "pagar"),
        weekly("late", _("Ikke startet i tide"), late, "sen"),
        Figure("unlogged", _("Ikke ført"), unlogged, f"{watchdog}#h-unlogged"),
        Figure("failed_sms", _("SMS som ikke kom fram"), failed, f"{watchdog}#h-failed"),
        Figure("concerns", _("Meldinger som venter på svar"), concerns, f"{watchdog}#h-concerns"),
        weekly("clashes", _("Konflikter denne uken"), clashes, "conflicts"),
        Figure(
            "blocked",
            _("Seniorer som ikke kan få oppdrag ennå"),
            blocked,
            f"{reverse('training:overview')}?vis=blokkerte",
        ),
    ]


def leader_home_panel(request: AuthedRequest) -> HomePanel | None:
    """ "I dag" on a leader's start page: the figures for the leader's departments."""
    membership = request.membership
    if membership.role != Role.LEADER:
        return None
    departments = list(
        Department.objects.for_organization(membership.organization_id)
        .filter(pk__in=list(membership.department_ids), is_active=True)
        .order_by("name")
    )
    if not departments:
        return None
    figures = leader_today(leader=membership, departments=departments)
    return HomePanel(
        title=_("I dag"),
        template="visits/_home_today.html",
        context={"figures": figures, "departments": departments},
    )


def seniorposten_agenda_line(senior: Membership) -> AgendaLine | None:
    """ "Seniorposten for mars 2026" on the agenda, to the newest letter of the senior's
    departments (one query), or None before the first."""
    from training.posten_selectors import month_name, posten_latest_for_senior

    issue = posten_latest_for_senior(senior=senior)
    if issue is None:
        return None
    return AgendaLine(
        text=_("Seniorposten for %(month)s") % {"month": month_name(issue.year, issue.month)},
        url=reverse("training:posten_issue", args=[issue.pk]),
    )
