"""Reads of the ledger for other apps' pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from ledger.models import EntrySource, MileageEntry, TimeEntry


@dataclass(frozen=True)
class IntakeSpent:
    """What Bli kjent meetings cost so far: paid to the seniors, never invoiced (R7)."""

    meetings: int
    hours: Decimal
    km: Decimal


def intake_spent(*, organization_id: int, interview_ids: Iterable[int]) -> IntakeSpent:
    """The hours and km the ledger holds for these interviews (rows with source intake;
    they carry no recipient, R7, so the interviews name them)."""
    ids = list(interview_ids)
    hours = TimeEntry.objects.for_organization(organization_id).filter(
        source=EntrySource.INTAKE, source_id__in=ids
    )
    km = MileageEntry.objects.for_organization(organization_id).filter(
        source=EntrySource.INTAKE, source_id__in=ids
    )
    return IntakeSpent(
        meetings=hours.values("source_id").distinct().count() if ids else 0,
        hours=(hours.aggregate(total=Sum("hours"))["total"] or Decimal(0)) if ids else Decimal(0),
        km=(km.aggregate(total=Sum("km"))["total"] or Decimal(0)) if ids else Decimal(0),
    )
