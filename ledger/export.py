"""The monthly export of hours, kilometres and outlays for Tripletex (one row per entry,
sorted by employee and project; the columns are described in the README).

Downloading a month locks it for each department in the file (`MonthLock`) and keeps the
rows as they were sent (`ExportLine`): a second download of the month gives the same file.
What changes in a locked month afterwards — a correction, a visit logged late, an entry
whose missing customer was registered — goes out in the next month downloaded for that
department, as correction rows: a negative row that reverses what was sent and a row with
the new value ("Merknad" says what they correct). The sum of the files stays the truth.

A billable row without a customer (a visit to a recipient who has no current customer) is
never in a file: the page lists it as "mangler kunde" until the customer is registered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.services import current_customer
from ledger.models import (
    EntryKind,
    Expense,
    ExportLine,
    LineKind,
    MileageEntry,
    MonthLock,
    TimeEntry,
)
from seniorene.accounts.models import Department, MembershipDepartment, User

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
    "Merknad",
)

KIND_LABELS = {EntryKind.HOURS: "Timer", EntryKind.KM: "Kilometer", EntryKind.EXPENSE: "Utlegg"}
UNITS = {EntryKind.HOURS: "timer", EntryKind.KM: "km", EntryKind.EXPENSE: "kr"}
AnyEntry = TimeEntry | MileageEntry | Expense


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
    note: str = ""
    # Where the row comes from (not in the file).
    line_kind: str = LineKind.ENTRY
    entry_kind: str = ""
    entry_id: int = 0
    membership_id: int = 0
    customer_id: int | None = None
    recipient_id: int | None = None
    recipient_name: str = ""
    department_id: int | None = None

    @property
    def sort_key(self) -> tuple[str, str, str, date, str, int]:
        order = (LineKind.ENTRY, LineKind.LATE, LineKind.REVERSAL, LineKind.NEW_VALUE)
        return (
            self.employee.casefold(),
            self.email,
            self.project,
            self.day,
            self.kind,
            order.index(LineKind(self.line_kind)),
        )

    @property
    def key(self) -> tuple[str, int]:
        return (self.entry_kind, self.entry_id)

    @property
    def missing_customer(self) -> bool:
        """Billable, but on no customer: never sent until the customer is registered."""
        return self.billable and self.customer_id is None

    def same_as(self, other: ExportRow) -> bool:
        """True when the two say the same to Tripletex (what a correction row would fix)."""
        fields = ("day", "project", "customer_id", "activity", "quantity", "amount")
        return all(getattr(self, f) == getattr(other, f) for f in fields) and (
            self.description,
            self.billable,
        ) == (other.description, other.billable)


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of `month` and the first day of the next month."""
    first = month.replace(day=1)
    return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _month_name(month: date) -> str:
    return date_format(month, "F Y")


def _customer_name(customer: Customer | None) -> str:
    return customer.display_name if customer else ""


def _home_departments(organization_id: int, membership_ids: Iterable[int]) -> dict[int, int]:
    """Each senior's first department: where their entries without a recipient (Bli kjent,
    entries made by hand) are exported and locked. A senior of no department has none."""
    found: dict[int, int] = {}
    rows = MembershipDepartment.objects.for_organization(organization_id).filter(
        membership_id__in=set(membership_ids)
    )
    for membership_id, department_id in rows.values_list("membership_id", "department_id"):
        found[membership_id] = min(found.get(membership_id, department_id), department_id)
    return found


def _entry_row(entry: AnyEntry, kind: EntryKind, department_id: int | None) -> ExportRow:
    customer = entry.customer
    quantity: Decimal | None = None
    amount: Decimal | None = None
    activity = description = receipt = ""
    if isinstance(entry, TimeEntry):
        quantity, activity = entry.hours, entry.activity
    elif isinstance(entry, MileageEntry):
        quantity, activity = entry.km, entry.purpose
    else:
        amount, description = entry.amount, entry.description
        if entry.receipt:
            receipt = settings.SITE_URL + reverse("visits:receipt", args=[entry.pk])
    return ExportRow(
        employee=entry.membership.user.name,
        email=entry.membership.user.email,
        day=entry.date,
        kind=KIND_LABELS[kind],
        project=customer.project_number if customer else "",
        customer=_customer_name(customer),
        activity=activity,
        quantity=quantity,
        unit=UNITS[kind],
        amount=amount,
        description=description,
        billable=entry.billable,
        receipt_url=receipt,
        entry_kind=kind,
        entry_id=entry.pk,
        membership_id=entry.membership_id,
        customer_id=entry.customer_id,
        recipient_id=entry.recipient_id,
        recipient_name=str(entry.recipient) if entry.recipient else "",
        department_id=department_id,
    )


def current_rows(*, organization_id: int, months: Collection[date]) -> list[ExportRow]:
    """Every entry dated in `months` as it is now, with the department it is exported for
    (the recipient's; for an entry without a recipient, the senior's first department)."""
    if not months:
        return []
    entries: list[tuple[AnyEntry, EntryKind]] = []
    models: tuple[tuple[Any, EntryKind], ...] = (
        (TimeEntry, EntryKind.HOURS),
        (MileageEntry, EntryKind.KM),
        (Expense, EntryKind.EXPENSE),
    )
    for model, kind in models:
        rows = model.objects.for_organization(organization_id).none()
        for month in months:
            first, following = month_bounds(month)
            rows |= model.objects.for_organization(organization_id).filter(
                date__gte=first, date__lt=following
            )
        rows = rows.select_related(
            "membership__user",
            "recipient",
            "customer",
            "customer__relative",
            "customer__recipient",
        )
        entries.extend((entry, kind) for entry in rows)
    homes = _home_departments(organization_id, {e.membership_id for e, _k in entries})
    return [
        _entry_row(
            entry,
            kind,
            entry.recipient.department_id if entry.recipient else homes.get(entry.membership_id),
        )
        for entry, kind in entries
    ]


def _line_row(line: ExportLine) -> ExportRow:
    kind = EntryKind(line.entry_kind)
    return ExportRow(
        employee=line.membership.user.name,
        email=line.membership.user.email,
        day=line.day,
        kind=KIND_LABELS[kind],
        project=line.project,
        customer=_customer_name(line.customer),
        activity=line.activity,
        quantity=line.quantity,
        unit=UNITS[kind],
        amount=line.amount,
        description=line.description,
        billable=line.billable,
        receipt_url=line.receipt_url,
        note=line.note,
        line_kind=line.line_kind,
        entry_kind=kind,
        entry_id=line.entry_id,
        membership_id=line.membership_id,
        customer_id=line.customer_id,
        recipient_id=line.recipient_id,
        department_id=line.lock.department_id,
    )


def _lines(organization_id: int) -> Any:
    return (
        ExportLine.objects.for_organization(organization_id)
        .select_related(
            "lock",
            "membership__user",
            "customer",
            "customer__relative",
            "customer__recipient",
        )
        .order_by("pk")
    )


def _locks(organization_id: int, department_id: int | None) -> QuerySet[MonthLock]:
    locks = MonthLock.objects.for_organization(organization_id)
    if department_id is None:
        return locks.filter(department__isnull=True)
    return locks.filter(department_id=department_id)


def adjustments(
    *, organization_id: int, department_id: int | None, but_month: date | None = None
) -> list[ExportRow]:
    """What changed in the department's locked months since their rows were sent: for each
    entry whose value differs from what was sent, a row reversing what was sent (negative)
    and a row with the value now; an entry never sent (logged late, its customer registered
    since) as one row. `but_month`: a month not to count as locked (the one being locked)."""
    locks = list(_locks(organization_id, department_id))
    months = {lock.month for lock in locks if lock.month != but_month}
    if not locks:
        return []
    sent: dict[tuple[str, int], tuple[ExportRow, date] | None] = {}
    for line in _lines(organization_id).filter(lock__in=locks):
        if line.line_kind == LineKind.REVERSAL:
            sent[(line.entry_kind, line.entry_id)] = None
        else:
            sent[(line.entry_kind, line.entry_id)] = (_line_row(line), line.lock.month)
    now = {
        row.key: row
        for row in current_rows(organization_id=organization_id, months=months)
        if row.department_id == department_id and not row.missing_customer
    }
    out: list[ExportRow] = []
    for key in sorted(set(now) | set(sent)):
        row, was = now.get(key), sent.get(key)
        if was is not None and row is not None and row.same_as(was[0]):
            continue
        if was is not None:
            old, file_month = was
            out.append(
                replace(
                    old,
                    quantity=-old.quantity if old.quantity is not None else None,
                    amount=-old.amount if old.amount is not None else None,
                    line_kind=LineKind.REVERSAL,
                    note=_("Tilbakeføring av raden sendt i filen for %(month)s")
                    % {"month": _month_name(file_month)},
                )
            )
        if row is not None:
            if was is not None:
                note = _("Rettet verdi, erstatter raden sendt i filen for %(month)s") % {
                    "month": _month_name(was[1])
                }
                out.append(replace(row, line_kind=LineKind.NEW_VALUE, note=note))
            elif row.day.replace(day=1) in months:
                note = _("Ført etter at %(month)s ble sendt") % {
                    "month": _month_name(row.day.replace(day=1))
                }
                out.append(replace(row, line_kind=LineKind.LATE, note=note))
    return out


def export_departments(
    organization_id: int, department_ids: Collection[int] | None
) -> list[int | None]:
    """The departments a file is for: the leader's, or every one (and None: seniors of no
    department) for the lead."""
    if department_ids is not None:
        return [*sorted(department_ids)]
    every = Department.objects.for_organization(organization_id).values_list("pk", flat=True)
    return [*sorted(every), None]


@dataclass
class MonthExport:
    """A month's file for some departments, and what the page says about it."""

    month: date
    rows: list[ExportRow] = field(default_factory=list)
    # Billable rows on no customer: never in a file until the customer is registered.
    missing_customer: list[ExportRow] = field(default_factory=list)
    # Corrections and late rows of earlier (locked) months that are in this file.
    carried: list[ExportRow] = field(default_factory=list)
    # Changes since this month's download, going out with the next month downloaded.
    pending: list[ExportRow] = field(default_factory=list)
    locks: list[MonthLock] = field(default_factory=list)
    open_departments: int = 0

    @property
    def locked(self) -> bool:
        return bool(self.locks) and not self.open_departments


def month_export(
    *, organization_id: int, month: date, department_ids: Collection[int] | None = None
) -> MonthExport:
    """The month's file as a download would give it now (nothing is written): for a
    department whose month is locked, the rows as they were sent; for the others, the
    month's entries and the corrections of earlier months not yet sent."""
    month = month.replace(day=1)
    result = MonthExport(month=month)
    departments = export_departments(organization_id, department_ids)
    locks = {
        lock.department_id: lock
        for lock in MonthLock.objects.for_organization(organization_id)
        .filter(month=month)
        .select_related("locked_by")
    }
    fresh = [
        r
        for r in current_rows(organization_id=organization_id, months=[month])
        if r.department_id in departments
    ]
    result.missing_customer = [r for r in fresh if r.missing_customer]
    sent = _lines(organization_id).filter(lock__in=[locks[d] for d in departments if d in locks])
    result.rows = [_line_row(line) for line in sent]
    for department_id in departments:
        changed = adjustments(organization_id=organization_id, department_id=department_id)
        if department_id in locks:
            result.locks.append(locks[department_id])
            result.pending += changed
            continue
        result.open_departments += 1
        result.carried += changed
        result.rows += [
            r for r in fresh if r.department_id == department_id and not r.missing_customer
        ]
        result.rows += changed
    result.rows.sort(key=lambda r: r.sort_key)
    return result


def export_rows(
    *, organization_id: int, month: date, department_ids: Collection[int] | None = None
) -> list[ExportRow]:
    """The rows of the month's file (leaders: their departments only)."""
    return month_export(
        organization_id=organization_id, month=month, department_ids=department_ids
    ).rows


def _attach_customers(organization_id: int, departments: Collection[int | None]) -> int:
    """Billable entries of recipients who had no customer get the customer registered since
    (they were listed as "mangler kunde"); returns how many."""
    attached = 0
    for model in (TimeEntry, MileageEntry, Expense):
        waiting = (
            model.objects.for_organization(organization_id)
            .filter(billable=True, customer__isnull=True, recipient__isnull=False)
            .filter(recipient__department_id__in=[d for d in departments if d is not None])
            .select_related("recipient")
        )
        for entry in waiting:
            customer = current_customer(entry.recipient) if entry.recipient else None
            if customer is not None:
                model.objects.filter(pk=entry.pk, customer__isnull=True).update(customer=customer)
                attached += 1
    return attached


@transaction.atomic
def month_export_download(
    *, organization_id: int, month: date, department_ids: Collection[int] | None, by: User
) -> MonthExport:
    """Download the month's file: each department not yet locked for the month is locked
    now, with the rows sent kept as they are (`ExportLine`); a department already locked
    gives the rows it was sent before (the same file again, nothing twice)."""
    month = month.replace(day=1)
    departments = export_departments(organization_id, department_ids)
    _attach_customers(organization_id, departments)
    now = timezone.now()
    fresh = current_rows(organization_id=organization_id, months=[month])
    for department_id in departments:
        changed = adjustments(
            organization_id=organization_id, department_id=department_id, but_month=month
        )
        which: dict[str, Any] = {"department_id": department_id}
        lock, created = MonthLock.objects.get_or_create(
            organization_id=organization_id,
            month=month,
            defaults={"locked_by": by, "locked_at": now},
            **which,
        )
        if not created:
            continue
        rows = [r for r in fresh if r.department_id == department_id and not r.missing_customer]
        ExportLine.objects.bulk_create(
            ExportLine(
                organization_id=organization_id,
                lock=lock,
                line_kind=r.line_kind,
                entry_kind=r.entry_kind,
                entry_id=r.entry_id,
                membership_id=r.membership_id,
                customer_id=r.customer_id,
                recipient_id=r.recipient_id,
                project=r.project,
                day=r.day,
                activity=r.activity,
                quantity=r.quantity,
                amount=r.amount,
                description=r.description,
                billable=r.billable,
                receipt_url=r.receipt_url,
                note=r.note,
            )
            for r in sorted(rows + changed, key=lambda r: r.sort_key)
        )
    return month_export(organization_id=organization_id, month=month, department_ids=department_ids)


def month_locked(*, organization_id: int, department_id: int | None, day: date) -> bool:
    """True when the month of `day` has been sent to Tripletex for the department."""
    return _locks(organization_id, department_id).filter(month=day.replace(day=1)).exists()


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
                _safe(r.note),
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
