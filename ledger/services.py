"""The one writer of hours, km and outlays, and the one place R7 holds.

R7: a Bli kjent meeting is paid to the senior and never invoiced; its km carry the purpose
"bli kjent møte"; it goes on no customer's project. A visit's hours, km and outlay go on
the recipient's current customer's project and are invoiced. `omsorg` (the interview) and
`visits` (the visit log) call these functions and decide nothing about billing themselves;
the check constraints on the tables hold R7 a second time. The callers write the audit row
of the action these entries come from (`interview.completed`, `visit.logged`), in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from customers.models import CareRecipient
from customers.services import current_customer
from ledger.models import (
    ACTIVITY_OMSORG,
    PURPOSE_INTAKE,
    EntrySource,
    Expense,
    MileageEntry,
    TimeEntry,
)
from seniorene.accounts.models import Membership

QUARTER_HOUR = Decimal("0.25")
MAX_HOURS = Decimal("24")


@dataclass(frozen=True)
class Recorded:
    """What one call wrote (None where there was nothing to write)."""

    hours: TimeEntry | None
    km: MileageEntry | None
    expense: Expense | None


def visit_hours(*, checked_in_at: datetime, checked_out_at: datetime) -> Decimal:
    """The hours between arrival and departure, to the quarter hour (at least ¼, at most 24)."""
    hours = Decimal((checked_out_at - checked_in_at).total_seconds()) / Decimal(3600)
    return min(max(hours.quantize(QUARTER_HOUR), QUARTER_HOUR), MAX_HOURS)


def ledger_record_intake(
    *,
    organization_id: int,
    senior: Membership,
    interview_id: int,
    day: date,
    minutes: int,
    km: Decimal | None,
) -> Recorded:
    """The Bli kjent meeting's hours for `senior`, and its km if any (R7): paid, never
    invoiced, no customer and no recipient, km with the purpose "bli kjent møte"."""
    intake: dict[str, Any] = {
        "organization_id": organization_id,
        "membership": senior,
        "date": day,
        "customer": None,
        "billable": False,
        "source": EntrySource.INTAKE,
        "source_id": interview_id,
    }
    hours = TimeEntry.objects.create(hours=Decimal(minutes) / Decimal(60), **intake)
    mileage = None
    if km:
        mileage = MileageEntry.objects.create(km=km, purpose=PURPOSE_INTAKE, **intake)
    return Recorded(hours=hours, km=mileage, expense=None)


def ledger_record_visit(
    *,
    organization_id: int,
    senior: Membership,
    visit_id: int,
    recipient: CareRecipient,
    day: date,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    km: Decimal | None,
    expense_amount: Decimal | None,
    expense_description: str,
    receipt: UploadedFile[bytes] | None,
) -> Recorded:
    """A visit's hours (activity Omsorg, when both times are known), km and outlay (with the
    photo of its receipt) on the recipient's current customer's project, invoiced."""
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
    hours = mileage = expense = None
    if checked_in_at and checked_out_at:
        hours = TimeEntry.objects.create(
            hours=visit_hours(checked_in_at=checked_in_at, checked_out_at=checked_out_at),
            activity=ACTIVITY_OMSORG,
            **billing,
        )
    if km:
        mileage = MileageEntry.objects.create(km=km, purpose=ACTIVITY_OMSORG, **billing)
    if expense_amount:
        expense = Expense(
            amount=expense_amount,
            description=(expense_description or "").strip()[:120] or _("Notatbok"),
            **billing,
        )
        if receipt is not None:
            expense.receipt.save(receipt.name or "kvittering", receipt, save=False)
        expense.save()
    return Recorded(hours=hours, km=mileage, expense=expense)
