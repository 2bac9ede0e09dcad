"""Logging a visit from the phone: what happened, and the notebook entry (issue 8, part)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.services import current_customer
from seniorene.accounts.models import Membership
from seniorene.audit.services import audit_record
from visits.models import (
    ACTIVE_STATUSES,
    EntrySource,
    TimeEntry,
    Visit,
    VisitLog,
    VisitStatus,
)


@transaction.atomic
def visit_log_submit(
    *,
    visit: Visit,
    by: Membership,
    submission_key: uuid.UUID,
    happened: bool = True,
    checked_in_at: datetime | None = None,
    checked_out_at: datetime | None = None,
    done_area_ids: list[int] | None = None,
    went_well: str = "",
    could_change: str = "",
    share_with_relatives: bool = False,
    not_happened_reason: str = "",
) -> VisitLog:
    """Log the senior's own visit once; the same submission again returns the same log.

    1. A repeated `submission_key` (double tap, retry) returns the stored log.
    2. Claim the visit with a conditional update (open → logged / not happened).
    3. Store the log; a visit that happened gets its hours on the customer's project.
    """
    existing = VisitLog.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    if visit.senior_id != by.pk:
        raise ValidationError(_("Du kan bare føre dine egne besøk."))
    if not happened and not not_happened_reason.strip():
        raise ValidationError(_("Skriv kort hvorfor besøket ikke ble noe av."))
    if happened and checked_in_at and checked_out_at and checked_out_at <= checked_in_at:
        raise ValidationError(_("Tidspunktet du gikk må være etter tidspunktet du kom."))
    if happened and checked_in_at and checked_in_at > timezone.now():
        raise ValidationError(_("Et besøk kan ikke føres før det har startet."))
    status = VisitStatus.LOGGED if happened else VisitStatus.NOT_HAPPENED
    claimed = Visit.objects.filter(pk=visit.pk, status__in=ACTIVE_STATUSES).update(status=status)
    if not claimed:
        raise ValidationError(_("Besøket er allerede ført eller avlyst."))
    log = VisitLog.objects.create(
        organization_id=visit.organization_id,
        visit=visit,
        recipient_id=visit.recipient_id,
        happened=happened,
        not_happened_reason=not_happened_reason.strip()[:300],
        checked_in_at=checked_in_at if happened else None,
        checked_out_at=checked_out_at if happened else None,
        done_areas=sorted(done_area_ids or []) if happened else [],
        went_well=went_well.strip()[:2000] if happened else "",
        could_change=could_change.strip()[:2000] if happened else "",
        share_with_relatives=share_with_relatives and happened,
        submission_key=submission_key,
        logged_by=by.user,
    )
    if happened and checked_in_at and checked_out_at:
        hours = Decimal((checked_out_at - checked_in_at).total_seconds()) / Decimal(3600)
        TimeEntry.objects.create(
            organization_id=visit.organization_id,
            membership=by,
            date=timezone.localdate(checked_in_at),
            hours=max(hours.quantize(Decimal("0.25")), Decimal("0.25")),
            customer=current_customer(visit.recipient),
            recipient=visit.recipient,
            billable=True,
            source=EntrySource.VISIT,
            source_id=visit.pk,
        )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.logged" if happened else "visit.not_happened",
        obj=visit,
    )
    return log
