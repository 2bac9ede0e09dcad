"""The quality page (issue 22): a week or a month, a department or all one may see, with the
period before beside it; and the same figures as CSV."""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from quality.charts import Figure, Number, number_text, page_figures, period_label
from quality.figures import (
    MONTH,
    PERIOD_KINDS,
    WEEK,
    Period,
    departments_for,
    quality_figures,
)
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.models import Department
from seniorene.accounts.policy import Perm
from visits.civil_time import date_span

# Dates outside these years are refused as a typo (and keep the period before inside date).
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Asked:
    """What the address asks for, after falling back on anything not understood."""

    period: Period
    department: Department | None
    departments: list[Department]
    # Shown above the figures when something asked for was not understood.
    notes: list[str]
    # None: every department of the organization; else the ids counted.
    department_ids: Collection[int] | None
    # Admin and the lead: every department is theirs to see.
    sees_all: bool = False

    def query(self, period: Period | None = None) -> str:
        """The address's query for `period` (default: the one shown) and the department."""
        period = period or self.period
        asked = {"periode": period.kind, "dag": period.start.isoformat()}
        if self.department is not None:
            asked["avdeling"] = str(self.department.pk)
        return urlencode(asked)


def _asked(request: AuthedRequest) -> Asked:
    """?periode=uke|maned, ?dag=YYYY-MM-DD (any day of it), ?avdeling=<id>. The month of
    today, and every department one may see, for anything missing or not understood; a
    department one may not see is never counted (and not told apart from one that does not
    exist)."""
    notes: list[str] = []
    kind = request.GET.get("periode", MONTH)
    if kind not in PERIOD_KINDS:
        notes.append(_("Ukjent periode: viser en måned."))
        kind = MONTH
    today = timezone.localdate()
    day = today
    wanted = request.GET.get("dag", "")
    if wanted:
        try:
            day = date.fromisoformat(wanted[:10])
        except ValueError:
            notes.append(_("Datoen ble ikke forstått: viser perioden med dagens dato."))
        else:
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                notes.append(_("Datoen ble ikke forstått: viser perioden med dagens dato."))
                day = today
    scope = request.scope
    departments = departments_for(request.organization.pk, scope.department_ids)
    department = None
    chosen = request.GET.get("avdeling", "")
    if chosen:
        # Only plain digits of a sane length: not "²" or "٣" (isdigit() says yes to both).
        pk = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 12 else None
        department = next((d for d in departments if d.pk == pk), None)
        if department is None:
            notes.append(_("Avdelingen finnes ikke blant dine: viser alle dine avdelinger."))
    if department is not None:
        ids: Collection[int] | None = [department.pk]
    else:
        ids = scope.department_ids
    return Asked(
        period=Period.of(kind, day),
        department=department,
        departments=departments,
        notes=notes,
        department_ids=ids,
        sees_all=scope.is_all,
    )


def _figures(request: AuthedRequest, asked: Asked) -> list[Figure]:
    now = timezone.now()
    org, ids = request.organization.pk, asked.department_ids
    current = quality_figures(organization_id=org, department_ids=ids, period=asked.period, now=now)
    previous = quality_figures(
        organization_id=org, department_ids=ids, period=asked.period.previous, now=now
    )
    return page_figures(current, previous)


def _span(period: Period) -> str:
    return f"{date_span(period.start, period.end)} {period.end.year}"


def _all_label(asked: Asked) -> str:
    """The department chooser's first choice: what "no department chosen" counts."""
    if asked.sees_all:
        return _("Alle avdelinger")
    if len(asked.departments) == 1:
        return asked.departments[0].name
    return _("Alle mine avdelinger")


@require(Perm.VIEW_QUALITY)
def page(request: AuthedRequest) -> HttpResponse:
    asked = _asked(request)
    period = asked.period
    ctx = {
        "asked": asked,
        "figures": _figures(request, asked),
        "current_label": period_label(period),
        "previous_label": period_label(period.previous),
        "current_span": _span(period),
        "previous_span": _span(period.previous),
        "week": WEEK,
        "month": MONTH,
        "earlier_query": asked.query(period.previous),
        "later_query": asked.query(period.following),
        "is_current": period.contains(timezone.localdate()),
        "csv_query": asked.query(),
        "all_label": _all_label(asked),
        "show_departments": asked.sees_all or len(asked.departments) > 1,
    }
    return render(request, "quality/page.html", ctx)


def _csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_number(value: Number) -> str:
    """A number for a spreadsheet: a decimal comma, an ASCII minus, empty for none."""
    return "" if value is None else number_text(value)


@require(Perm.VIEW_QUALITY)
def page_csv(request: AuthedRequest) -> HttpResponse:
    """Every table of the page for Excel: semicolons, UTF-8 with a BOM (as the funnel's)."""
    asked = _asked(request)
    period = asked.period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"kvalitet-{period.kind}-{period.start:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    department = asked.department.name if asked.department else _all_label(asked)
    writer.writerow(
        [
            _("Avdeling"),
            _("Område"),
            _("Tall"),
            _("Denne perioden (%(span)s)") % {"span": _span(period)},
            _("Forrige periode (%(span)s)") % {"span": _span(period.previous)},
            _("Endring"),
        ]
    )
    for figure in _figures(request, asked):
        for row in figure.rows:
            # Plain numbers (a decimal comma, a minus sign Excel reads); the unit in the name.
            unit = f" ({row.unit.strip()})" if row.unit else ""
            writer.writerow(
                [
                    _csv_cell(department),
                    figure.title,
                    f"{row.label}{unit}",
                    _csv_number(row.current),
                    _csv_number(row.previous),
                    _csv_number(row.change),
                ]
            )
    return response
