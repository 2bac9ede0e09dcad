"""The intake funnel per source and per partner over a period (issue 19), and its bar chart.

One query per table whatever the number of recipients: each step is an EXISTS subquery
counted in SQL, grouped by the source (or the partner).

What counts as each step is defined in `STEPS` and nowhere else, by facts that exist now:
a passed screening, a completed Bli kjent interview, one whose outcome was a good match, and
the recipient having been active (the first visit plan makes the recipient active). Change
a step there and every table, chart and CSV follows.

The funnel is a true one (issue 22): a recipient counts at a step only when it also reached
every step before it, so each step is at most the one before. Who is counted at all: the
recipients registered (the inquiry's date) in the period, in the chosen department; their
steps count whenever they happened. A recipient made active without going through the steps
(registered directly as active, no passed screening or no Bli kjent with a good match) is
never "converted": it is counted apart, in `SourceRow.apart`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customers.models import (
    UNKNOWN_SOURCE_LABEL,
    CareRecipient,
    InquirySource,
    Partner,
    RecipientStatus,
    StatusChange,
)
from omsorg.models import (
    IntakeInterview,
    InterviewStatus,
    Outcome,
    Screening,
    ScreeningOutcome,
)
from seniorene.accounts.models import Department, Organization

# The statuses that count as converted: the recipient got going with visits.
CONVERTED_STATUSES = (RecipientStatus.ACTIVE,)


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    reached: Callable[[], Exists]


def _screened() -> Exists:
    return Exists(
        Screening.objects.filter(recipient=OuterRef("pk"), outcome=ScreeningOutcome.PASSED)
    )


def _met() -> Exists:
    return Exists(
        IntakeInterview.objects.filter(recipient=OuterRef("pk"), status=InterviewStatus.COMPLETED)
    )


def _matched() -> Exists:
    return Exists(
        IntakeInterview.objects.filter(
            recipient=OuterRef("pk"),
            status=InterviewStatus.COMPLETED,
            outcome=Outcome.GOOD_MATCH,
        )
    )


def _converted() -> Exists:
    return Exists(
        StatusChange.objects.filter(recipient=OuterRef("pk"), to_status__in=CONVERTED_STATUSES)
    )


# After "Henvendelser" (every recipient registered in the period), in funnel order.
STEPS: tuple[Step, ...] = (
    Step("screened", _("Kartlagt, oppfyller kravene"), _screened),
    Step("met", _("Bli kjent gjennomført"), _met),
    Step("matched", _("God match"), _matched),
    Step("converted", _("Aktive"), _converted),
)
INQUIRIES_LABEL = _("Henvendelser")
APART_LABEL = _("Aktive utenom stegene")


@dataclass(frozen=True)
class SourceRow:
    key: str  # the source's code, or the partner's id
    label: str
    inquiries: int
    steps: tuple[int, ...]  # in the order of STEPS, each through every step before it
    apart: int = 0  # active without having gone through every step: never converted

    @property
    def converted_percent(self) -> int | None:
        return round(100 * self.steps[-1] / self.inquiries) if self.inquiries else None


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end`, Oslo time."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to and including `today`."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def _through(upto: int) -> Q:
    """Reached STEPS[upto] and every step before it."""
    return Q(**{f"reached_{s.key}": True for s in STEPS[: upto + 1]})


def _counted(rows: QuerySet[CareRecipient], group: Sequence[str]) -> list[dict]:
    annotated = rows.annotate(**{f"reached_{s.key}": s.reached() for s in STEPS})
    last = STEPS[-1]
    counts = {"inquiries": Count("pk")}
    counts.update({f"n_{s.key}": Count("pk", filter=_through(i)) for i, s in enumerate(STEPS)})
    counts["apart"] = Count(
        "pk", filter=Q(**{f"reached_{last.key}": True}) & ~_through(len(STEPS) - 1)
    )
    return list(annotated.values(*group).annotate(**counts).order_by())


def _row(key: str, label: str, counted: dict | None) -> SourceRow:
    if counted is None:
        return SourceRow(key, label, 0, tuple(0 for _step in STEPS))
    return SourceRow(
        key,
        label,
        counted["inquiries"],
        tuple(counted[f"n_{s.key}"] for s in STEPS),
        counted["apart"],
    )


def recipients_in_period(
    *, organization: Organization, start: date, end: date, department: Department | None = None
) -> QuerySet[CareRecipient]:
    """The recipients whose inquiry was registered in the period (in `department`, if given)."""
    since, until = period_bounds(start, end)
    rows = CareRecipient.objects.for_organization(organization).filter(
        created_at__gte=since, created_at__lt=until
    )
    if department is not None:
        rows = rows.filter(department=department)
    return rows


def total(rows: Sequence[SourceRow]) -> SourceRow:
    """The whole funnel: the sum of the per-source rows (every recipient has one source)."""
    return SourceRow(
        "",
        str(INQUIRIES_LABEL),
        sum(r.inquiries for r in rows),
        tuple(sum(r.steps[i] for r in rows) for i in range(len(STEPS))),
        sum(r.apart for r in rows),
    )


def funnel_by_source(
    *, organization: Organization, start: date, end: date, department: Department | None = None
) -> list[SourceRow]:
    """Every source (and "Ukjent" when any recipient has none), in the form's order."""
    rows = recipients_in_period(
        organization=organization, start=start, end=end, department=department
    )
    counted = {c["inquiry_source"]: c for c in _counted(rows, ["inquiry_source"])}
    result = [_row(value, str(label), counted.get(value)) for value, label in InquirySource.choices]
    if "" in counted:
        result.append(_row("", str(UNKNOWN_SOURCE_LABEL), counted[""]))
    return result


def funnel_by_partner(
    *, organization: Organization, start: date, end: date, department: Department | None = None
) -> list[SourceRow]:
    """Each partner that sent an inquiry in the period, most inquiries first."""
    rows = recipients_in_period(
        organization=organization, start=start, end=end, department=department
    ).filter(inquiry_source=InquirySource.PARTNER, inquiry_partner__isnull=False)
    counted = _counted(rows, ["inquiry_partner"])
    names = dict(
        Partner.objects.for_organization(organization)
        .filter(pk__in=[c["inquiry_partner"] for c in counted])
        .values_list("pk", "name")
    )
    result = [_row(str(c["inquiry_partner"]), names[c["inquiry_partner"]], c) for c in counted]
    return sorted(result, key=lambda r: (-r.inquiries, r.label.casefold()))


# --- The chart: horizontal bars drawn on the server, readable without colour -----------------

BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_HEADING = 26
GROUP_GAP = 14
LABEL_WIDTH = 230
BAR_AREA = 420
CHART_WIDTH = LABEL_WIDTH + BAR_AREA + 60
# Fills that keep 3:1 against white (WCAG 1.4.11); each bar also carries its name and number.
FILLS = ("#1d4f91", "#2e6b3f", "#00657a", "#8a4b00", "#6b2d7b")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float
    fill: str

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 5

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarGroup:
    label: str
    y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    groups: tuple[BarGroup, ...]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    label_x: int = LABEL_WIDTH - 8


def bar_chart(rows: Sequence[SourceRow]) -> Chart | None:
    """A group of bars per row with inquiries (inquiries and each step); None if none."""
    rows = [r for r in rows if r.inquiries]
    if not rows:
        return None
    biggest = max(r.inquiries for r in rows)
    series = [str(INQUIRIES_LABEL), *(str(s.label) for s in STEPS)]
    groups = []
    y = 0
    for row in rows:
        heading_y = y + GROUP_HEADING - 8
        y += GROUP_HEADING
        bars = []
        for i, (name, value) in enumerate(zip(series, (row.inquiries, *row.steps), strict=True)):
            width = BAR_AREA * value / biggest if value else 0
            bars.append(Bar(name, value, y, round(max(width, 2 if value else 0), 1), FILLS[i]))
            y += BAR_HEIGHT + BAR_GAP
        groups.append(BarGroup(row.label, heading_y, tuple(bars)))
        y += GROUP_GAP
    return Chart(tuple(groups), height=y)
