"""The quality figures (issue 22): for some departments and a week or a month (Oslo days),
what happened with the visits, the feedback SMS, the concerns, the relatives' replies, the
evaluations, the Bli kjent meetings, and the hours and km.

Every figure is counted in SQL, a fixed number of queries whatever the number of rows
(`quality_figures`: fifteen). What counts as what is defined here and nowhere else, and
described for readers in docs/design.md ("Quality, at a glance"):

- a visit belongs to the period of its (planned or moved) start; visits the system cancelled
  because their plan changed are left out, as the week leaves them out (they were never
  meant to happen);
- "logged on time": the log was written no later than `ON_TIME_AFTER_END` after the visit's
  planned end, the moment the senior is reminded to log it (`visits.reminders.NUDGE_AFTER`);
- the feedback SMS is the visit summary (`SmsPurpose.VISIT_SUMMARY_SMS`), counted in the
  period it was made; "failed" is what *Følg opp* lists as not reaching the person;
- concerns, replies and evaluations belong to the period they were raised, received, sent;
  Bli kjent meetings to the period of their time; hours and km to their date.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone

from evaluations.figures import EvaluationFigures, evaluation_figures
from ledger.models import EntrySource, MileageEntry, TimeEntry
from messaging.models import InboundSms, SmsMessage, SmsPurpose, SmsStatus
from omsorg.models import IntakeInterview, InterviewStatus, Outcome
from seniorene.accounts.models import Department
from visits.civil_time import local_day_bounds, week_start
from visits.models import ACTIVE_STATUSES, CancelKind, Concern, Visit, VisitStatus
from visits.reminders import NUDGE_AFTER

# A log written later than this after the visit's planned end was not on time: the senior
# has then been reminded to log it (visits.reminders, "Husk å føre besøket").
ON_TIME_AFTER_END = NUDGE_AFTER
# A concern answered within this was answered "within a day" (the lead is told after it).
ANSWER_WITHIN = timedelta(hours=24)
# The statuses *Følg opp* lists as an SMS that did not reach its person.
SMS_FAILED_STATUSES = (SmsStatus.FAILED, SmsStatus.BLOCKED_NO_CONSENT, SmsStatus.UNCERTAIN)
SMS_SENT_STATUSES = (SmsStatus.SENT, SmsStatus.DELIVERED)
# How a cancelled visit was cancelled, in the order the page lists them.
CANCEL_KINDS = tuple(k for k in CancelKind.values if k != CancelKind.PLAN_CHANGED)

WEEK, MONTH = "uke", "maned"
PERIOD_KINDS = (WEEK, MONTH)


# --- The period -----------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    first = _month_start(day)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A week (Monday–Sunday) or a calendar month of Oslo days, both ends included."""

    kind: str
    start: date
    end: date

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The week or month (`kind`) that `day` lies in."""
        if kind == WEEK:
            monday = week_start(day)
            return cls(WEEK, monday, monday + timedelta(days=6))
        return cls(MONTH, _month_start(day), _next_month(day) - timedelta(days=1))

    @property
    def previous(self) -> Period:
        """The period of the same kind (and so the same length in days for a week) before."""
        return Period.of(self.kind, self.start - timedelta(days=1))

    @property
    def following(self) -> Period:
        return Period.of(self.kind, self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """From local midnight of the first day to local midnight after the last."""
        return local_day_bounds(self.start, self.end)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


# --- The figures ------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class VisitFigures:
    planned: int
    # Of those, the ones whose time has come (all of them in a period that has ended): what
    # "done of planned" is measured against, so a month under way does not read as 9 %.
    due: int
    done: int
    not_happened: int
    cancelled: int
    # CancelKind value → how many (every kind of CANCEL_KINDS present).
    cancelled_by: dict[str, int]
    closed: int
    # Planned or moved, their time past, no log yet ("Ikke ført").
    not_logged: int
    logged: int
    logged_on_time: int

    @property
    def on_time_percent(self) -> int | None:
        return _percent(self.logged_on_time, self.logged)

    @property
    def done_percent(self) -> int | None:
        return _percent(self.done, self.due)


@dataclass(frozen=True)
class SmsFigures:
    made: int
    sent: int
    delivered: int
    failed: int


@dataclass(frozen=True)
class ConcernFigures:
    raised: int
    answered: int
    answered_within_day: int
    # Hours from raised to answered, the median of those answered; None when none were.
    median_hours: float | None

    @property
    def unanswered(self) -> int:
        return self.raised - self.answered


@dataclass(frozen=True)
class ReplyFigures:
    received: int
    from_relatives: int
    from_recipients: int
    handled: int


@dataclass(frozen=True)
class MeetingFigures:
    booked: int
    held: int
    cancelled: int
    # Outcome value → how many of those held (every outcome present).
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerFigures:
    # EntrySource value → hours / km (every source present).
    hours: dict[str, Decimal]
    km: dict[str, Decimal]

    @property
    def hours_total(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))

    @property
    def km_total(self) -> Decimal:
        return sum(self.km.values(), Decimal(0))


@dataclass(frozen=True)
class QualityFigures:
    period: Period
    visits: VisitFigures
    sms: SmsFigures
    concerns: ConcernFigures
    replies: ReplyFigures
    evaluations: EvaluationFigures
    meetings: MeetingFigures
    ledger: LedgerFigures


def _in_departments(field_name: str, department_ids: Collection[int] | None) -> Q:
    if department_ids is None:
        return Q()
    return Q(**{f"{field_name}__in": list(department_ids)})


class _LogDeadline(Func):
    """The visit's planned end plus `ON_TIME_AFTER_END`: the last moment its log is on time.

    Written per database: PostgreSQL multiplies an interval, SQLite (the embedded default)
    adds minutes with datetime(); Django's expressions do neither for an integer column."""

    output_field = DateTimeField()
    _after = int(ON_TIME_AFTER_END.total_seconds() // 60)

    def __init__(self) -> None:
        super().__init__(F("starts_at"), F("duration_minutes"))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template=f"(%(expressions)s + INTERVAL '{self._after} minutes')",
            arg_joiner=" + INTERVAL '1 minute' * ",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template=f"datetime(%(expressions)s + {self._after}) || ' minutes')",
            arg_joiner=", '+' || (",
            **extra,
        )


def visit_figures(
    *,
    organization_id: int,
    department_ids: Collection[int] | None,
    period: Period,
    now: datetime,
) -> VisitFigures:
    """The visits of `period` and what came of them. Two queries."""
    lo, hi = period.bounds()
    rows = (
        Visit.objects.for_organization(organization_id)
        .filter(starts_at__gte=lo, starts_at__lt=hi)
        .filter(_in_departments("recipient__department_id", department_ids))
        .exclude(status=VisitStatus.CANCELLED, cancel_kind=CancelKind.PLAN_CHANGED)
    )
    totals = rows.annotate(deadline=_LogDeadline()).aggregate(
        planned=Count("pk"),
        due=Count("pk", filter=Q(starts_at__lt=now)),
        done=Count("pk", filter=Q(status=VisitStatus.LOGGED)),
        not_happened=Count("pk", filter=Q(log__happened=False)),
        cancelled=Count("pk", filter=Q(status=VisitStatus.CANCELLED)),
        closed=Count("pk", filter=Q(status=VisitStatus.CLOSED)),
        not_logged=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, starts_at__lt=now)),
        logged=Count("pk", filter=Q(log__isnull=False)),
        on_time=Count("pk", filter=Q(log__logged_at__lte=F("deadline"))),
    )
    cancelled_by = dict.fromkeys(CANCEL_KINDS, 0)
    for kind, n in (
        rows.filter(status=VisitStatus.CANCELLED)
        .order_by()
        .values_list("cancel_kind")
        .annotate(n=Count("pk"))
    ):
        if kind in cancelled_by:
            cancelled_by[kind] = n
    return VisitFigures(
        planned=totals["planned"],
        due=totals["due"],
        done=totals["done"],
        not_happened=totals["not_happened"],
        cancelled=totals["cancelled"],
        cancelled_by=cancelled_by,
        closed=totals["closed"],
        not_logged=totals["not_logged"],
        logged=totals["logged"],
        logged_on_time=totals["on_time"],
    )


def sms_figures(
    *, organization_id: int, department_ids: Collection[int] | None, period: Period
) -> SmsFigures:
    """The feedback SMS after visits made in `period`. One query."""
    lo, hi = period.bounds()
    totals = (
        SmsMessage.objects.for_organization(organization_id)
        .filter(purpose=SmsPurpose.VISIT_SUMMARY_SMS, created_at__gte=lo, created_at__lt=hi)
        .filter(_in_departments("recipient__department_id", department_ids))
        .aggregate(
            made=Count("pk"),
            sent=Count("pk", filter=Q(status__in=SMS_SENT_STATUSES)),
            delivered=Count("pk", filter=Q(status=SmsStatus.DELIVERED)),
            failed=Count("pk", filter=Q(status__in=SMS_FAILED_STATUSES)),
        )
    )
    return SmsFigures(**totals)


def concern_figures(
    *, organization_id: int, department_ids: Collection[int] | None, period: Period
) -> ConcernFigures:
    """The concerns raised in `period`, how many were answered and how fast. Two queries."""
    lo, hi = period.bounds()
    rows = (
        Concern.objects.for_organization(organization_id)
        .filter(raised_at__gte=lo, raised_at__lt=hi)
        .filter(_in_departments("recipient__department_id", department_ids))
    )
    answered = rows.filter(answered_at__isnull=False)
    totals = rows.aggregate(
        raised=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )
    # The median needs the times themselves: a handful a month, one column pair each.
    waits = [
        (answered_at - raised_at).total_seconds() / 3600
        for raised_at, answered_at in answered.order_by().values_list("raised_at", "answered_at")
        if answered_at is not None
    ]
    within = sum(1 for hours in waits if hours <= ANSWER_WITHIN.total_seconds() / 3600)
    return ConcernFigures(
        raised=totals["raised"],
        answered=totals["answered"],
        answered_within_day=within,
        median_hours=round(statistics.median(waits), 1) if waits else None,
    )


def reply_figures(
    *, organization_id: int, department_ids: Collection[int] | None, period: Period
) -> ReplyFigures:
    """The SMS replies from relatives and recipients received in `period`. One query."""
    lo, hi = period.bounds()
    totals = (
        InboundSms.objects.for_organization(organization_id)
        .filter(recipient__isnull=False, received_at__gte=lo, received_at__lt=hi)
        .filter(_in_departments("recipient__department_id", department_ids))
        .aggregate(
            received=Count("pk"),
            from_relatives=Count("pk", filter=Q(relative__isnull=False)),
            handled=Count("pk", filter=Q(handled_at__isnull=False)),
        )
    )
    return ReplyFigures(
        received=totals["received"],
        from_relatives=totals["from_relatives"],
        from_recipients=totals["received"] - totals["from_relatives"],
        handled=totals["handled"],
    )


def meeting_figures(
    *, organization_id: int, department_ids: Collection[int] | None, period: Period
) -> MeetingFigures:
    """The Bli kjent meetings whose time lies in `period`, and their outcomes. One query."""
    lo, hi = period.bounds()
    held = Q(status=InterviewStatus.COMPLETED)
    counts = {f"outcome_{o}": Count("pk", filter=held & Q(outcome=o)) for o in Outcome.values}
    totals = (
        IntakeInterview.objects.for_organization(organization_id)
        .filter(starts_at__gte=lo, starts_at__lt=hi)
        .filter(_in_departments("recipient__department_id", department_ids))
        .aggregate(
            booked=Count("pk", filter=Q(status=InterviewStatus.BOOKED)),
            held=Count("pk", filter=held),
            cancelled=Count("pk", filter=Q(status=InterviewStatus.CANCELLED)),
            **counts,
        )
    )
    return MeetingFigures(
        booked=totals["booked"],
        held=totals["held"],
        cancelled=totals["cancelled"],
        outcomes={o: totals[f"outcome_{o}"] for o in Outcome.values},
    )


def _ledger_scope(organization_id: int, department_ids: Collection[int] | None) -> Q:
    """Entries of `department_ids`: by the recipient's department; a Bli kjent entry (no
    recipient, R7) by its meeting's recipient; any other entry without a recipient by the
    senior's departments (as the Tripletex export does)."""
    if department_ids is None:
        return Q()
    ids = list(department_ids)
    meetings = IntakeInterview.objects.for_organization(organization_id).filter(
        recipient__department_id__in=ids
    )
    return (
        Q(recipient__department_id__in=ids)
        | Q(source=EntrySource.INTAKE, source_id__in=Subquery(meetings.values("pk")))
        | Q(
            recipient__isnull=True,
            membership__membershipdepartment__department_id__in=ids,
        )
        & ~Q(source=EntrySource.INTAKE)
    )


def ledger_figures(
    *, organization_id: int, department_ids: Collection[int] | None, period: Period
) -> LedgerFigures:
    """Hours and km dated in `period`, by what they came from (their current values). Two
    queries."""
    scope = _ledger_scope(organization_id, department_ids)
    found: list[dict[str, Decimal]] = []
    for model, column in ((TimeEntry, "hours"), (MileageEntry, "km")):
        rows = model.objects.for_organization(organization_id).filter(
            date__gte=period.start, date__lte=period.end
        )
        if department_ids is not None:
            # Through the ids: a senior in two of the departments must not count twice.
            inside = model.objects.for_organization(organization_id).filter(scope)
            rows = rows.filter(pk__in=Subquery(inside.values("pk")))
        sums = dict.fromkeys(EntrySource.values, Decimal(0))
        for source, total in rows.order_by().values_list("source").annotate(total=Sum(column)):
            sums[source] = total or Decimal(0)
        found.append(sums)
    return LedgerFigures(hours=found[0], km=found[1])


def quality_figures(
    *,
    organization_id: int,
    department_ids: Collection[int] | None,
    period: Period,
    now: datetime | None = None,
) -> QualityFigures:
    """Every figure of the quality page for `period` in `department_ids` (None: every
    department). Fifteen queries, whatever the number of rows."""
    now = now or timezone.now()
    org, ids = organization_id, department_ids
    return QualityFigures(
        period=period,
        visits=visit_figures(organization_id=org, department_ids=ids, period=period, now=now),
        sms=sms_figures(organization_id=org, department_ids=ids, period=period),
        concerns=concern_figures(organization_id=org, department_ids=ids, period=period),
        replies=reply_figures(organization_id=org, department_ids=ids, period=period),
        evaluations=evaluation_figures(
            organization_id=org, department_ids=ids, start=period.start, end=period.end
        ),
        meetings=meeting_figures(organization_id=org, department_ids=ids, period=period),
        ledger=ledger_figures(organization_id=org, department_ids=ids, period=period),
    )


# --- The start page's headline: a few queries ----------------------------------------------


@dataclass(frozen=True)
class Headline:
    """This month so far beside last month, for the start page of admin and the lead."""

    period: Period
    visits: VisitFigures
    previous_visits: VisitFigures
    failed_sms: int
    previous_failed_sms: int
    # Concerns not answered yet, whenever raised (what waits for a leader now).
    open_concerns: int


def headline(*, organization_id: int, today: date, now: datetime) -> Headline:
    """The start page's figures for the whole organization: seven queries."""
    period = Period.of(MONTH, today)
    org = organization_id
    return Headline(
        period=period,
        visits=visit_figures(organization_id=org, department_ids=None, period=period, now=now),
        previous_visits=visit_figures(
            organization_id=org, department_ids=None, period=period.previous, now=now
        ),
        failed_sms=sms_figures(organization_id=org, department_ids=None, period=period).failed,
        previous_failed_sms=sms_figures(
            organization_id=org, department_ids=None, period=period.previous
        ).failed,
        open_concerns=Concern.objects.for_organization(org)
        .filter(answered_at__isnull=True)
        .count(),
    )


def departments_for(
    organization_id: int, department_ids: Collection[int] | None
) -> list[Department]:
    """The departments one may choose between on the page, by name."""
    rows = Department.objects.for_organization(organization_id).order_by("name", "pk")
    if department_ids is not None:
        rows = rows.filter(pk__in=list(department_ids))
    return list(rows)
