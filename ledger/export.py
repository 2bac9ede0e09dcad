"""The monthly export of hours, kilometres and outlays for Tripletex (one row per entry,
sorted by employee and project; the columns are described in the README)."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from ledger.models import Expense, MileageEntry, TimeEntry
from seniorene.accounts.models import TenantQuerySet

Entry = TypeVar("Entry", TimeEntry, MileageEntry, Expense)

COLUMNS = (
    "Ansatt",
    "E-post",
    "Dato",
    "Type",
    "Prosjektnummer",
    "Kunde",
    "Aktivitet/formål",
    "Antall",
    "Enhet",
    "Beløp",
    "Beskrivelse",
    "Fakturerbar",
    "Kvittering",
)


@dataclass(frozen=True)
class ExportRow:
    employee: str
    email: str
    day: date
    kind: str
    project: str
    customer: str
    activity: str
    quantity: Decimal | None
    unit: str
    amount: Decimal | None
    description: str
    billable: bool
    receipt_url: str

    @property
    def sort_key(self) -> tuple[str, str, str, date, str]:
        return (self.employee.casefold(), self.email, self.project, self.day, self.kind)


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of `month` and the first day of the next month."""
    first = month.replace(day=1)
    return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _scoped(
    rows: TenantQuerySet[Entry],
    *,
    organization_id: int,
    month: date,
    department_ids: Collection[int] | None,
) -> QuerySet[Entry]:
    first, following = month_bounds(month)
    scoped = rows.for_organization(organization_id).filter(date__gte=first, date__lt=following)
    if department_ids is not None:
        ids = list(department_ids)
        scoped = scoped.filter(
            Q(recipient__department_id__in=ids)
            | Q(recipient__isnull=True, membership__membershipdepartment__department_id__in=ids)
        ).distinct()
    return scoped.select_related(
        "membership__user", "customer", "customer__relative", "customer__recipient"
    )


def export_rows(
    *, organization_id: int, month: date, department_ids: Collection[int] | None = None
) -> list[ExportRow]:
    """Every hour, km and outlay entry of `month` (leaders: their departments only)."""
    rows: list[ExportRow] = []

    def common(entry: TimeEntry | MileageEntry | Expense) -> dict[str, Any]:
        customer = entry.customer
        return {
            "employee": entry.membership.user.name,
            "email": entry.membership.user.email,
            "day": entry.date,
            "project": customer.project_number if customer else "",
            "customer": customer.display_name if customer else "",
            "billable": entry.billable,
        }

    def scoped(rows: TenantQuerySet[Entry]) -> QuerySet[Entry]:
        return _scoped(
            rows, organization_id=organization_id, month=month, department_ids=department_ids
        )

    for t in scoped(TimeEntry.objects.all()):
        rows.append(
            ExportRow(
                kind="Timer",
                activity=t.activity,
                quantity=t.hours,
                unit="timer",
                amount=None,
                description="",
                receipt_url="",
                **common(t),
            )
        )
    for m in scoped(MileageEntry.objects.all()):
        rows.append(
            ExportRow(
                kind="Kilometer",
                activity=m.purpose,
                quantity=m.km,
                unit="km",
                amount=None,
                description="",
                receipt_url="",
                **common(m),
            )
        )
    for e in scoped(Expense.objects.all()):
        receipt = ""
        if e.receipt:
            receipt = settings.SITE_URL + reverse("visits:receipt", args=[e.pk])
        rows.append(
            ExportRow(
                kind="Utlegg",
                activity="",
                quantity=None,
                unit="kr",
                amount=e.amount,
                description=e.description,
                receipt_url=receipt,
                **common(e),
            )
        )
    return sorted(rows, key=lambda r: r.sort_key)


def _number(value: Decimal | None) -> str:
    """Norwegian decimal comma, no thousands separator (Tripletex and Excel in nb)."""
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")


def export_csv(rows: Iterable[ExportRow]) -> str:
    """The rows as semicolon-separated CSV with a BOM, so Excel in Norway opens it right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            [
                _safe(r.employee),
                _safe(r.email),
                r.day.strftime("%d.%m.%Y"),
                r.kind,
                _safe(r.project),
                _safe(r.customer),
                _safe(r.activity),
                _number(r.quantity),
                r.unit,
                _number(r.amount),
                _safe(r.description),
                "Ja" if r.billable else "Nei",
                r.receipt_url,
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection)."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class SummaryRow:
    employee: str
    project: str
    customer: str
    hours: Decimal
    km: Decimal
    amount: Decimal


def export_summary(rows: Iterable[ExportRow]) -> list[SummaryRow]:
    """Sums per employee and project, for the page before the download."""
    sums: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for r in rows:
        key = (r.employee, r.email, r.project, r.customer)
        hours, km, amount = sums.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
        sums[key] = [
            hours + ((r.quantity or 0) if r.kind == "Timer" else 0),
            km + ((r.quantity or 0) if r.kind == "Kilometer" else 0),
            amount + (r.amount or 0),
        ]
    return [
        SummaryRow(employee=k[0], project=k[2], customer=k[3], hours=v[0], km=v[1], amount=v[2])
        for k, v in sums.items()
    ]
