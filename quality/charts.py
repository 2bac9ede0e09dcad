"""The quality page's tables and their bar charts, drawn on the server as SVG.

Each section is a `Figure`: rows of (what, this period, the period before), and a chart of
the same rows. The chart never leans on colour: this period's bar is solid, the previous
period's hatched, each bar is named by its period in text on its left and carries its number
on its right, and the table under the chart holds the same numbers (the template draws both
from the same rows, so they cannot disagree). The CSV is these rows too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from evaluations.models import Helps
from ledger.models import EntrySource
from omsorg.models import Outcome
from quality.figures import MONTH, Period, QualityFigures
from visits.models import CancelKind

Number = int | float | Decimal | None

GROUP_HEADING = 24
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 12
LABEL_WIDTH = 190
BAR_AREA = 380
CHART_WIDTH = LABEL_WIDTH + BAR_AREA + 80
# 8.6:1 on white (WCAG 1.4.11 asks 3:1); the previous period is the same ink, hatched.
INK = "#1d4f91"


def number_text(value: Number, unit: str = "") -> str:
    """A figure as the page writes it: "12", "3,5", "80 %", "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, int):
        text = str(value)
    else:
        text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}{unit}"


def period_label(period: Period) -> str:
    """ "mars 2026" or "uke 10, 2026"."""
    if period.kind == MONTH:
        return date_format(period.start, "F Y")
    year, week, _day = period.start.isocalendar()
    return _("uke %(week)s, %(year)s") % {"week": week, "year": year}


@dataclass(frozen=True)
class Row:
    label: str
    current: Number
    previous: Number
    unit: str = ""

    @property
    def current_text(self) -> str:
        return number_text(self.current, self.unit)

    @property
    def previous_text(self) -> str:
        return number_text(self.previous, self.unit)

    @property
    def change(self) -> Number:
        """This period less the previous one; None without both."""
        if self.current is None or self.previous is None:
            return None
        change: Number = self.current - self.previous  # type: ignore[operator]
        return change

    @property
    def change_text(self) -> str:
        """The change, signed ("+3", "−2", "0"); "–" without both periods' numbers."""
        change = self.change
        if change is None:
            return "–"
        if change == 0:
            return "0"
        sign = "+" if change > 0 else "−"
        return sign + number_text(-change if change < 0 else change, self.unit)


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: float
    hatched: bool

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
    bars: tuple[Bar, Bar]


@dataclass(frozen=True)
class Chart:
    groups: tuple[BarGroup, ...]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    label_x: int = LABEL_WIDTH - 8
    bar_height: int = BAR_HEIGHT


def _width(value: Number, biggest: float) -> float:
    if not value or biggest <= 0:
        return 0
    return round(max(BAR_AREA * float(value) / biggest, 2), 1)


def compare_chart(rows: Sequence[Row], *, current: str, previous: str) -> Chart | None:
    """Two bars per row (this period solid, the previous hatched) on one scale; None when
    every number is zero or missing (the table says so)."""
    biggest = max((float(v) for r in rows for v in (r.current, r.previous) if v), default=0.0)
    if biggest <= 0:
        return None
    groups = []
    y = 0
    for row in rows:
        heading_y = y + GROUP_HEADING - 8
        y += GROUP_HEADING
        now_bar = Bar(current, row.current_text, y, _width(row.current, biggest), False)
        y += BAR_HEIGHT + BAR_GAP
        before_bar = Bar(previous, row.previous_text, y, _width(row.previous, biggest), True)
        y += BAR_HEIGHT + BAR_GAP
        groups.append(BarGroup(row.label, heading_y, (now_bar, before_bar)))
        y += GROUP_GAP
    return Chart(tuple(groups), height=y)


@dataclass(frozen=True)
class Figure:
    """A section's numbers: a table, and a chart of the same rows (unless `chart` is off)."""

    key: str
    title: str
    rows: tuple[Row, ...]
    chart: Chart | None
    note: str = ""


def _figure(
    key: str,
    title: str,
    rows: Sequence[Row],
    labels: tuple[str, str],
    *,
    chart: bool = True,
    note: str = "",
) -> Figure:
    drawn = compare_chart(rows, current=labels[0], previous=labels[1]) if chart else None
    return Figure(key, title, tuple(rows), drawn, note)


def page_figures(now: QualityFigures, before: QualityFigures) -> list[Figure]:
    """The page's sections, in order, for this period (`now`) beside the one `before`."""
    labels = (period_label(now.period), period_label(before.period))
    v, pv = now.visits, before.visits
    s, ps = now.sms, before.sms
    c, pc = now.concerns, before.concerns
    r, pr = now.replies, before.replies
    e, pe = now.evaluations, before.evaluations
    m, pm = now.meetings, before.meetings
    ledger, pledger = now.ledger, before.ledger
    kinds = dict(CancelKind.choices)
    outcomes = dict(Outcome.choices)
    sources = dict(EntrySource.choices)
    figures = [
        _figure(
            "nokkeltall",
            _("Nøkkeltall"),
            [
                Row(
                    _("Besøk gjennomført av dem som skulle vært"),
                    v.done_percent,
                    pv.done_percent,
                    " %",
                ),
                Row(_("Ført i tide"), v.on_time_percent, pv.on_time_percent, " %"),
                Row(
                    _("Meldinger til leder: timer til svar (median)"),
                    c.median_hours,
                    pc.median_hours,
                ),
                Row(_("Evaluering: andel som svarte"), e.answer_percent, pe.answer_percent, " %"),
                Row(
                    _("Evaluering: fornøydhet (snitt, 1–5)"),
                    e.mean_satisfaction,
                    pe.mean_satisfaction,
                ),
            ],
            labels,
            chart=False,
        ),
        _figure(
            "besok",
            _("Besøk"),
            [
                Row(_("Planlagt"), v.planned, pv.planned),
                Row(_("Herav tiden kommet"), v.due, pv.due),
                Row(_("Gjennomført"), v.done, pv.done),
                Row(_("Ført i tide"), v.logged_on_time, pv.logged_on_time),
                Row(_("Ble ikke noe av"), v.not_happened, pv.not_happened),
                Row(_("Avlyst"), v.cancelled, pv.cancelled),
                Row(_("Lukket uten rapport"), v.closed, pv.closed),
                Row(_("Ikke ført ennå"), v.not_logged, pv.not_logged),
            ],
            labels,
        ),
        _figure(
            "avlyst",
            _("Avlyste besøk: hvem avlyste"),
            [Row(str(kinds[k]), v.cancelled_by[k], pv.cancelled_by[k]) for k in v.cancelled_by],
            labels,
        ),
        _figure(
            "sms",
            _("Tilbakemelding på SMS etter besøk, og svar"),
            [
                Row(_("SMS laget"), s.made, ps.made),
                Row(_("Sendt"), s.sent, ps.sent),
                Row(_("Levert"), s.delivered, ps.delivered),
                Row(_("Feilet eller stoppet"), s.failed, ps.failed),
                Row(_("Svar fra pårørende"), r.from_relatives, pr.from_relatives),
                Row(_("Svar fra brukeren"), r.from_recipients, pr.from_recipients),
                Row(_("Svar behandlet"), r.handled, pr.handled),
            ],
            labels,
        ),
        _figure(
            "meldinger",
            _("Meldinger til leder («Noe lederen bør vite»)"),
            [
                Row(_("Meldt"), c.raised, pc.raised),
                Row(_("Besvart"), c.answered, pc.answered),
                Row(_("Besvart innen 24 timer"), c.answered_within_day, pc.answered_within_day),
                Row(_("Ikke besvart ennå"), c.unanswered, pc.unanswered),
            ],
            labels,
        ),
    ]
    if e.sent or pe.sent:
        helps = dict(Helps.choices)
        figures.append(
            _figure(
                "evaluering",
                _("Evaluering fra pårørende"),
                [
                    Row(_("Sendt"), e.sent, pe.sent),
                    Row(_("Besvart"), e.answered, pe.answered),
                    *(
                        Row(
                            _("Fornøydhet %(score)s av 5") % {"score": score},
                            e.distribution.get(score, 0),
                            pe.distribution.get(score, 0),
                        )
                        for score in range(5, 0, -1)
                    ),
                    *(
                        Row(
                            _("Hjelper besøkene? %(answer)s") % {"answer": helps[key]},
                            e.helps.get(key, 0),
                            pe.helps.get(key, 0),
                        )
                        for key in Helps.values
                    ),
                ],
                labels,
            )
        )
    figures += [
        _figure(
            "bli-kjent",
            _("Bli kjent-møter og utfall"),
            [
                Row(_("Gjennomført"), m.held, pm.held),
                *(Row(str(outcomes[o]), m.outcomes[o], pm.outcomes[o]) for o in Outcome.values),
                Row(_("Avtalt, ikke holdt ennå"), m.booked, pm.booked),
                Row(_("Avlyst"), m.cancelled, pm.cancelled),
            ],
            labels,
        ),
        _figure(
            "timer",
            _("Timer"),
            [
                *(
                    Row(str(sources[k]), ledger.hours[k], pledger.hours[k], " t")
                    for k in EntrySource.values
                ),
                Row(_("Timer i alt"), ledger.hours_total, pledger.hours_total, " t"),
            ],
            labels,
        ),
        _figure(
            "km",
            _("Kilometer"),
            [
                *(
                    Row(str(sources[k]), ledger.km[k], pledger.km[k], " km")
                    for k in EntrySource.values
                ),
                Row(_("Kilometer i alt"), ledger.km_total, pledger.km_total, " km"),
            ],
            labels,
        ),
    ]
    return figures
