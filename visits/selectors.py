"""Reads that shape the visit pages: the leader's week, the senior's agenda, the next visit,
the follow-up lists (visits not logged, SMS that failed) and what came of a visit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from customers.models import CareRecipient
from seniorene.accounts.models import Department, Membership, Role
from visits.civil_time import OSLO, local_datetime, local_day_bounds, public_holidays, week_start
from visits.conflicts import Conflict, meeting_slot, slot_conflicts, visit_slot
from visits.models import (
    ACTIVE_STATUSES,
    OCCUPYING_STATUSES,
    CancelKind,
    Visit,
    VisitStatus,
)

if TYPE_CHECKING:
    from ledger.models import Expense, MileageEntry, TimeEntry
    from messaging.models import SmsMessage
    from omsorg.models import IntakeInterview
    from visits.models import VisitLog


@dataclass
class WeekDay:
    day: date
    holiday: str = ""


@dataclass
class WeekRow:
    senior: Membership
    cells: list[list[Any]]  # visits and Bli kjent meetings (`IntakeInterview`), by time
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
    meetings: int = 0
    conflict_count: int = 0  # visits and meetings with a conflict

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.start + timedelta(days=7)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def today_index(self) -> int | None:
        """Today's column (0 = Monday), or None when today is not in this week."""
        offset = (timezone.localdate() - self.start).days
        return offset if 0 <= offset <= 6 else None


WEEK_FILTERS = ("", "open", "cancelled", "conflicts", "pagar", "sen")


def under_way_q(now: datetime) -> Q:
    """Visits under way (the leader's home, the week's "Pågår"): today's open visits whose
    current senior has checked in ("Jeg er fremme") and not yet logged."""
    from django.db.models import Exists, OuterRef

    from visits.models import VisitLogDraft

    lo, hi = local_day_bounds(timezone.localdate(now), timezone.localdate(now))
    arrived = VisitLogDraft.objects.filter(
        visit=OuterRef("pk"), membership=OuterRef("senior"), arrived_at__isnull=False
    )
    return Q(status__in=ACTIVE_STATUSES, starts_at__gte=lo, starts_at__lt=hi) & Q(Exists(arrived))


def late_q(now: datetime, minutes: int) -> Q:
    """Visits late to start (the leader's home, the week's "Ikke startet"): today's open
    visits `minutes` or more past their time that have not started, as the late-start alert
    (`visits.reminders.late_start_alerts`) sees it: the current senior has neither checked
    in nor begun the log."""
    from django.db.models import Exists, OuterRef

    from visits.models import VisitLogDraft

    lo, _hi = local_day_bounds(timezone.localdate(now), timezone.localdate(now))
    started = VisitLogDraft.objects.filter(visit=OuterRef("pk"), membership=OuterRef("senior"))
    return Q(
        status__in=ACTIVE_STATUSES,
        starts_at__gte=lo,
        starts_at__lte=now - timedelta(minutes=minutes),
    ) & ~Q(Exists(started))


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
    now: datetime | None = None,
) -> Week:
    """The department's visits in `day`'s week, seniors as rows, Monday–Sunday as columns.

    A constant number of queries, whatever the number of visits. `seniors`: the
    department's seniors if already fetched. `show`: "" (all but visits the system
    cancelled after a plan change), "open", "cancelled", "conflicts". Each visit gets
    `.conflicts` (a list of `Conflict`). The Bli kjent meetings with the department's
    recipients are in the cells too (`IntakeInterview`, with `.conflicts`), and count in
    the clashes both ways.
    """
    from omsorg.models import InterviewStatus

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
    elif show == "pagar":
        visits_qs = visits_qs.filter(under_way_q(now or timezone.now()))
    elif show == "sen":
        from seniorene.jobs.services import late_start_minutes

        minutes = late_start_minutes(department.organization_id)
        visits_qs = visits_qs.filter(late_q(now or timezone.now(), minutes))
    else:
        visits_qs = visits_qs.exclude(
            status=VisitStatus.CANCELLED, cancel_kind=CancelKind.PLAN_CHANGED
        )
    visits = list(visits_qs)
    meetings = (
        []
        if show in ("pagar", "sen")
        else _week_meetings(department, lo, hi, senior_id=senior_id, show=show)
    )
    found = slot_conflicts(
        [visit_slot(v) for v in visits if v.status in OCCUPYING_STATUSES]
        + [meeting_slot(m) for m in meetings if m.status == InterviewStatus.BOOKED],
        organization_id=department.organization_id,
    )
    conflicts = {v.pk: found[v.pk] for v in visits if v.pk in found}
    for visit in visits:
        visit.conflicts = conflicts.get(visit.pk, [])
    for meeting in meetings:
        meeting.conflicts = found.get(("meeting", meeting.pk), [])
    if show == "conflicts":
        visits = [v for v in visits if v.conflicts]
        meetings = [m for m in meetings if m.conflicts]
    rows = {s.pk: WeekRow(senior=s, cells=[[] for _ in range(7)]) for s in seniors}
    # Seniors from elsewhere who visit here (moved to another department since).
    others = ({v.senior_id for v in visits} | {m.senior_id for m in meetings}) - rows.keys()
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
    items: list[Any] = [*visits, *meetings]
    for item in sorted(items, key=lambda x: x.starts_at):
        row = rows[item.senior_id]
        row.cells[timezone.localtime(item.starts_at, OSLO).weekday()].append(item)
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
        meetings=len(meetings),
        conflict_count=len(conflicts) + sum(1 for m in meetings if m.conflicts),
    )


def _week_meetings(
    department: Department, lo: datetime, hi: datetime, *, senior_id: int | None, show: str
) -> list[Any]:
    """The Bli kjent meetings with the department's recipients in the week (one query):
    booked and held ones, and cancelled ones (shown struck) unless only open ones are asked
    for. Each gets `recipient_name`."""
    from omsorg.models import IntakeInterview, InterviewStatus

    meetings = (
        IntakeInterview.objects.for_organization(department.organization_id)
        .filter(recipient__department=department, starts_at__gte=lo, starts_at__lt=hi)
        .only(
            "organization_id",
            "recipient_id",
            "senior_id",
            "starts_at",
            "duration_minutes",
            "status",
        )
        .annotate(recipient_name=F("recipient__name"))
        .order_by("starts_at", "pk")
    )
    if senior_id:
        meetings = meetings.filter(senior_id=senior_id)
    if show == "open":
        meetings = meetings.filter(status=InterviewStatus.BOOKED)
    elif show == "cancelled":
        meetings = meetings.filter(status=InterviewStatus.CANCELLED)
    return list(meetings)


def visits_for_senior(*, senior: Membership, start: date, end: date) -> QuerySet[Visit]:
    """The senior's visits on local dates `start`..`end` (cancelled ones too), by time."""
    lo, hi = local_day_bounds(start, end)
    return _senior_visits(senior).filter(starts_at__gte=lo, starts_at__lt=hi)


def _senior_visits(senior: Membership) -> QuerySet[Visit]:
    """The senior's visits as their agenda lists them: by time, without those a changed
    plan cancelled, each with its recipient."""
    return (
        Visit.objects.for_organization(senior.organization_id)
        .filter(senior=senior)
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
    meetings: list[IntakeInterview] = field(default_factory=list)


def meetings_for_senior(*, senior: Membership, start: date, end: date) -> QuerySet[IntakeInterview]:
    """The senior's Bli kjent meetings on local dates `start`..`end` (one query), by time."""
    from omsorg.models import IntakeInterview

    lo, hi = local_day_bounds(start, end)
    return (
        IntakeInterview.objects.for_organization(senior.organization_id)
        .filter(senior=senior, starts_at__gte=lo, starts_at__lt=hi)
        .select_related("recipient")
        .order_by("starts_at", "pk")
    )


def senior_agenda(
    *, senior: Membership, today: date | None = None, days: int = 14
) -> list[AgendaDay]:
    """Today (always, even when empty) and the days with visits or Bli kjent meetings in the
    next `days` days (`senior_agenda_and_unlogged`, without "Ikke ført")."""
    return senior_agenda_and_unlogged(senior=senior, today=today, days=days)[1]


def senior_agenda_and_unlogged(
    *, senior: Membership, today: date | None = None, days: int = 14
) -> tuple[list[Visit], list[AgendaDay]]:
    """The agenda page: "Ikke ført" (the senior's visits of earlier days still neither logged
    nor closed, however long ago, oldest first) and the days ahead (`senior_agenda`), the
    visits of both read in one query and their recipients in one more.

    The earlier days' part is served by the partial index `visit_open_by_senior`, so it does
    not grow with the years of logged visits behind it; the recipients are fetched by key,
    not joined (joined, PostgreSQL expected a hundred past open visits where there are one
    or two, and hashed every recipient of the organization)."""
    today = today or timezone.localdate()
    end = today + timedelta(days=days)
    lo, hi = local_day_bounds(today, end)
    visits = list(
        _senior_visits(senior).filter(
            Q(status__in=ACTIVE_STATUSES, starts_at__lt=lo) | Q(starts_at__gte=lo, starts_at__lt=hi)
        )
    )
    unlogged = [v for v in visits if v.starts_at < lo]
    return unlogged, _agenda_days(senior, today, end, visits[len(unlogged) :])


def _agenda_days(
    senior: Membership, today: date, end: date, visits: list[Visit]
) -> list[AgendaDay]:
    """`visits` (of `today`..`end`, by time) by day, with the senior's Bli kjent meetings and
    the public holidays of those days."""
    by_day: dict[date, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_day[timezone.localtime(visit.starts_at, OSLO).date()].append(visit)
    meetings: dict[date, list[IntakeInterview]] = defaultdict(list)
    for meeting in meetings_for_senior(senior=senior, start=today, end=end):
        meetings[timezone.localtime(meeting.starts_at, OSLO).date()].append(meeting)
    by_day.setdefault(today, [])
    for day in meetings:
        by_day.setdefault(day, [])
    names = public_holidays(today, end)
    return [
        AgendaDay(
            day=d,
            is_today=d == today,
            visits=by_day[d],
            holiday=names.get(d, ""),
            meetings=meetings.get(d, []),
        )
        for d in sorted(by_day)
    ]


def map_url(address: str) -> str:
    """A link that opens the address in the phone's map app (or the web map)."""
    from urllib.parse import quote

    return f"https://www.google.com/maps/search/?api=1&query={quote(address)}"


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


FOLLOW_UP_DAYS = 30


def visits_unlogged(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[Visit]:
    """Visits of earlier days (the last 30) still neither logged nor marked as not happened."""
    return list(
        unlogged_rows(organization_id=organization_id, department_ids=department_ids, now=now)
    )


def unlogged_rows(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> QuerySet[Visit]:
    """The rows of `visits_unlogged`, as a queryset (the leader's home counts them)."""
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
    return rows


def sms_failed(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[SmsMessage]:
    """SMS of the last 30 days that did not reach their person (failed, stopped for want of
    consent, or uncertain); leaders see those about their departments' recipients."""
    return list(
        sms_failed_rows(organization_id=organization_id, department_ids=department_ids, now=now)
    )


def sms_failed_rows(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> QuerySet[SmsMessage]:
    """The rows of `sms_failed`, as a queryset (the leader's home counts them)."""
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
    return rows


@dataclass
class AfterVisit:
    """What came of a visit: the log, the hours/km/outlays and the SMS about it."""

    log: VisitLog | None
    hours: list[TimeEntry]
    km: list[MileageEntry]
    expenses: list[Expense]
    sms: list[SmsMessage]


def visit_after(visit: Visit) -> AfterVisit:
    """The log of `visit`, what was registered from it, and its SMS with their status."""
    from ledger.models import EntrySource, Expense, MileageEntry, TimeEntry
    from messaging.models import SmsMessage, SmsPurpose
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
        # The feedback SMS carry the visit; a change notice (several per visit: moved
        # twice) carries it in its key (`visits.change_notices`).
        sms=list(
            SmsMessage.objects.for_organization(org)
            .filter(
                Q(visit_id=visit.pk)
                | Q(
                    purpose=SmsPurpose.VISIT_CHANGE_SMS,
                    idempotency_key__startswith=f"change:{visit.pk}:",
                )
            )
            .select_related("relative", "recipient")
            .order_by("created_at", "pk")
        ),
    )


# --- The senior's agenda around today: what is not logged, what was ----------------------

PAST_VISITS_DAYS = 30
# Past visits that are done with: logged, marked as not happened, closed by a leader.
DONE_STATUSES = (VisitStatus.LOGGED, VisitStatus.NOT_HAPPENED, VisitStatus.CLOSED)


def senior_past_visits(
    *, senior: Membership, now: datetime | None = None, days: int = PAST_VISITS_DAYS
) -> list[Visit]:
    """ "Tidligere besøk": the senior's done visits (logged, not happened, closed) of the
    last `days` days, newest first."""
    now = now or timezone.now()
    return list(
        Visit.objects.for_organization(senior.organization_id)
        .filter(
            senior=senior,
            status__in=DONE_STATUSES,
            starts_at__lt=now,
            starts_at__gte=now - timedelta(days=days),
        )
        .prefetch_related("recipient")
        .order_by("-starts_at", "-pk")
    )


@dataclass(frozen=True)
class Contact:
    """A person the senior may call: their department leader or the organization's lead."""

    membership: Membership
    is_lead: bool
    departments: list[str]


def senior_contacts(*, senior: Membership) -> list[Contact]:
    """ "Hvem ringer jeg?": the active leaders of the senior's departments (first), then the
    organization's active leads, each once, by name."""
    from seniorene.accounts.models import MembershipDepartment

    links_here = MembershipDepartment.objects.for_organization(senior.organization_id)
    own = list(links_here.filter(membership=senior).values_list("department_id", flat=True))
    links = (
        links_here.filter(
            department_id__in=own,
            membership__role=Role.LEADER,
            membership__is_active=True,
        )
        .select_related("membership__user", "department")
        .order_by("membership__user__name", "membership_id", "department__name")
    )
    leaders: dict[int, Contact] = {}
    for link in links:
        contact = leaders.setdefault(
            link.membership_id, Contact(membership=link.membership, is_lead=False, departments=[])
        )
        contact.departments.append(link.department.name)
    leads = (
        Membership.objects.for_organization(senior.organization_id)
        .filter(role=Role.LEAD, is_active=True)
        .select_related("user")
        .order_by("user__name", "pk")
    )
    return [
        *leaders.values(),
        *(Contact(membership=m, is_lead=True, departments=[]) for m in leads),
    ]


def logs_many_hours(
    *, organization_id: int, department_ids: Collection[int] | None = None
) -> list[VisitLog]:
    """ "Mange timer ført": logs with hours far above the plan that no leader has marked as
    seen yet, oldest first."""
    from visits.models import VisitLog

    rows = (
        VisitLog.objects.for_organization(organization_id)
        .filter(many_hours=True, many_hours_seen_at__isnull=True)
        .select_related("visit__senior__user", "recipient__department", "logged_by")
        .order_by("visit__starts_at", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return list(rows)


def visit_log_stored(*, visit: Visit, submission_key: str | None) -> bool:
    """True when a log with this submission key is already stored for the visit (a repeat:
    a double tap, or the phone's offline queue sending again)."""
    import uuid

    from visits.models import VisitLog

    try:
        key = uuid.UUID(str(submission_key))
    except ValueError:
        return False
    return VisitLog.objects.filter(visit=visit, submission_key=key).exists()
