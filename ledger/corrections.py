"""Corrections of a logged visit's hours, km and outlay, and entries made by hand.

The entries (`TimeEntry`, `MileageEntry`, `Expense`) keep the current value; every change
is a `LedgerCorrection` row (old value, new value, who, when, why). Who may correct what and
when is decided by the caller (`visits.corrections`, which also changes the log's times);
here the values change, once, and the history is kept. A change to a month already sent to
Tripletex is marked `after_lock`: it goes out as correction rows in the next export
(`ledger.export`), never as a change to the file that was sent.

Entries made by hand (no visit): km driven for the service and outlays such as the notebook
bought for a Bli kjent meeting. They are paid to the senior and never invoiced (R7 and
docs/design.md): no customer, `billable` False, source `manual`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import CareRecipient
from customers.services import current_customer
from ledger.export import month_locked
from ledger.models import (
    ACTIVITY_OMSORG,
    EntryKind,
    EntrySource,
    Expense,
    ExportLine,
    LedgerCorrection,
    MileageEntry,
    TimeEntry,
)
from seniorene.accounts.models import Membership, Role, User
from seniorene.accounts.policy import sees_all_departments
from seniorene.audit.services import audit_record

# A senior enters km and outlays by hand for the last 7 days (as they correct a visit).
MANUAL_DAYS = 7


@dataclass(frozen=True)
class VisitValues:
    """What the ledger holds for one visit now (None: no such entry)."""

    hours: Decimal | None
    km: Decimal | None
    expense_amount: Decimal | None
    expense_description: str


def _visit_entries(
    organization_id: int, senior: Membership, visit_id: int
) -> tuple[TimeEntry | None, MileageEntry | None, Expense | None]:
    def one(model: Any) -> Any:
        return (
            model.objects.for_organization(organization_id)
            .filter(source=EntrySource.VISIT, source_id=visit_id, membership=senior)
            .first()
        )

    return one(TimeEntry), one(MileageEntry), one(Expense)


def visit_values(*, organization_id: int, senior: Membership, visit_id: int) -> VisitValues:
    hours, km, expense = _visit_entries(organization_id, senior, visit_id)
    return VisitValues(
        hours=hours.hours if hours else None,
        km=km.km if km else None,
        expense_amount=expense.amount if expense else None,
        expense_description=expense.description if expense else "",
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    return str(value)


@transaction.atomic
def ledger_correct_visit(
    *,
    organization_id: int,
    senior: Membership,
    visit_id: int,
    recipient: CareRecipient,
    by: User,
    reason: str,
    day: date,
    hours: Decimal | None,
    km: Decimal | None,
    expense_amount: Decimal | None,
    expense_description: str,
    also: list[tuple[str, str, str]] | None = None,
) -> list[LedgerCorrection]:
    """Set a logged visit's hours, km and outlay to these values; one `LedgerCorrection`
    per value that changed (`also`: the log's own values, e.g. the arrival time, as
    (field, old, new)). No km or outlay removes the entry. An outlay cannot be added here
    (it needs the photo of its receipt)."""
    reason = reason.strip()[:300]
    if not reason:
        raise ValidationError(_("Skriv hvorfor du retter."))
    time_entry, mileage, expense = _visit_entries(organization_id, senior, visit_id)
    old_day = next((e.date for e in (time_entry, mileage, expense) if e is not None), day)
    now = timezone.now()
    locked = month_locked(
        organization_id=organization_id, department_id=recipient.department_id, day=old_day
    )
    changes: list[tuple[EntryKind, int | None, str, str, str]] = [
        (EntryKind.HOURS, time_entry.pk if time_entry else None, f, old, new)
        for f, old, new in (also or [])
    ]
    billing: dict[str, Any] = {
        "organization_id": organization_id,
        "membership": senior,
        "date": day,
        "customer": current_customer(recipient),
        "recipient": recipient,
        "billable": True,
        "source": EntrySource.VISIT,
        "source_id": visit_id,
    }
    if hours is not None:
        if time_entry is None:
            time_entry = TimeEntry.objects.create(hours=hours, activity=ACTIVITY_OMSORG, **billing)
            changes.append((EntryKind.HOURS, time_entry.pk, "hours", "", _text(hours)))
        elif time_entry.hours != hours or time_entry.date != day:
            if time_entry.hours != hours:
                changes.append(
                    (EntryKind.HOURS, time_entry.pk, "hours", _text(time_entry.hours), _text(hours))
                )
            TimeEntry.objects.filter(pk=time_entry.pk).update(hours=hours, date=day)
    if mileage is not None and not km:
        changes.append((EntryKind.KM, mileage.pk, "km", _text(mileage.km), ""))
        mileage.delete()
    elif mileage is not None and km and (mileage.km != km or mileage.date != day):
        if mileage.km != km:
            changes.append((EntryKind.KM, mileage.pk, "km", _text(mileage.km), _text(km)))
        MileageEntry.objects.filter(pk=mileage.pk).update(km=km, date=day)
    elif mileage is None and km:
        mileage = MileageEntry.objects.create(km=km, purpose=ACTIVITY_OMSORG, **billing)
        changes.append((EntryKind.KM, mileage.pk, "km", "", _text(km)))
    description = (expense_description or "").strip()[:120]
    if expense is not None and not expense_amount:
        changes.append((EntryKind.EXPENSE, expense.pk, "amount", _text(expense.amount), ""))
        expense.delete()
    elif expense is not None and expense_amount:
        description = description or expense.description
        if expense.amount != expense_amount:
            changes.append(
                (
                    EntryKind.EXPENSE,
                    expense.pk,
                    "amount",
                    _text(expense.amount),
                    _text(expense_amount),
                )
            )
        if expense.description != description:
            changes.append(
                (EntryKind.EXPENSE, expense.pk, "description", expense.description, description)
            )
        Expense.objects.filter(pk=expense.pk).update(
            amount=expense_amount, description=description, date=day
        )
    elif expense is None and expense_amount:
        raise ValidationError(
            _("Et nytt utlegg trenger bilde av kvitteringen. Be lederen din føre det.")
        )
    return LedgerCorrection.objects.bulk_create(
        LedgerCorrection(
            organization_id=organization_id,
            entry_kind=kind,
            entry_id=entry_id,
            source=EntrySource.VISIT,
            source_id=visit_id,
            membership=senior,
            recipient=recipient,
            field=name,
            old_value=old[:200],
            new_value=new[:200],
            reason=reason,
            changed_by=by,
            changed_at=now,
            month=old_day.replace(day=1),
            after_lock=locked,
        )
        for kind, entry_id, name, old, new in changes
    )


def visit_corrections(*, organization_id: int, visit_id: int) -> list[LedgerCorrection]:
    """Every change made to a visit's log and entries, newest first."""
    return list(
        LedgerCorrection.objects.for_organization(organization_id)
        .filter(source=EntrySource.VISIT, source_id=visit_id)
        .select_related("changed_by")
    )


@transaction.atomic
def ledger_record_manual(
    *,
    senior: Membership,
    by: Membership,
    day: date,
    km: Decimal | None = None,
    purpose: str = "",
    amount: Decimal | None = None,
    description: str = "",
) -> MileageEntry | Expense:
    """Km driven for the service outside a visit (with its purpose), or an outlay (e.g. the
    notebook for a Bli kjent meeting), for `senior`: paid to them, never invoiced (no
    customer). Written by the senior for themselves (the last 7 days) or by a leader of one
    of the senior's departments, or the lead; audited."""
    today = timezone.localdate()
    if day > today:
        raise ValidationError(_("Datoen kan ikke være frem i tid."))
    if by.role == Role.SENIOR:
        if by.pk != senior.pk:
            raise ValidationError(_("Du kan bare føre for deg selv."))
        if day < today - timedelta(days=MANUAL_DAYS):
            raise ValidationError(
                _(
                    "Du kan føre for de siste %(days)s dagene. Eldre kilometer og utlegg "
                    "fører lederen din."
                )
                % {"days": MANUAL_DAYS}
            )
    elif by.role not in (Role.LEADER, Role.LEAD) or not (
        sees_all_departments(by) or senior.department_ids & by.department_ids
    ):
        raise ValidationError(_("Bare lederen for seniorens avdeling kan føre for senioren."))
    if senior.organization_id != by.organization_id or senior.role != Role.SENIOR:
        raise ValidationError(_("Du kan bare føre for en senior."))
    common: dict[str, Any] = {
        "organization_id": senior.organization_id,
        "membership": senior,
        "date": day,
        "customer": None,
        "recipient": None,
        "billable": False,
        "source": EntrySource.MANUAL,
        "source_id": None,
    }
    entry: MileageEntry | Expense
    if km:
        if not purpose.strip():
            raise ValidationError(_("Skriv hva du kjørte for."))
        entry = MileageEntry.objects.create(km=km, purpose=purpose.strip()[:120], **common)
        action = "ledger.manual_km"
    elif amount:
        if not description.strip():
            raise ValidationError(_("Skriv hva du kjøpte."))
        entry = Expense.objects.create(
            amount=amount, description=description.strip()[:120], **common
        )
        action = "ledger.manual_expense"
    else:
        raise ValidationError(_("Skriv kilometer eller et beløp."))
    audit_record(
        organization=senior.organization,
        actor=by.user,
        action=action,
        obj=entry,
        details={"senior": str(senior.pk)},
    )
    return entry


NUMBER_FIELDS = ("checked_in_at", "checked_out_at", "hours", "km", "amount")


def ledger_anonymise_for_recipient(recipient: CareRecipient) -> None:
    """Retention: the reasons given for corrections and the outlays' text (in corrections
    and in the rows sent to Tripletex) are removed."""
    corrections = LedgerCorrection.objects.filter(recipient=recipient)
    corrections.update(reason="")
    # Numbers and times say nothing about the person; any other value (an outlay's text) goes.
    corrections.exclude(field__in=NUMBER_FIELDS).update(old_value="", new_value="")
    ExportLine.objects.filter(recipient=recipient).update(description="")
