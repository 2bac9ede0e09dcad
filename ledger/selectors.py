"""Reads of the ledger for other apps' pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

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
    if not ids:
        return IntakeSpent(meetings=0, hours=Decimal(0), km=Decimal(0))
    hours = (
        TimeEntry.objects.for_organization(organization_id)
        .filter(source=EntrySource.INTAKE, source_id__in=ids)
        .aggregate(meetings=Count("source_id", distinct=True), total=Sum("hours"))
    )
    km = (
        MileageEntry.objects.for_organization(organization_id)
        .filter(source=EntrySource.INTAKE, source_id__in=ids)
        .aggregate(total=Sum("km"))
    )
    return IntakeSpent(
        meetings=hours["meetings"],
        hours=hours["total"] or Decimal(0),
        km=km["total"] or Decimal(0),
    )
