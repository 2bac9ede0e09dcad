"""Logging a visit from the phone: what happened, the notebook entry, hours, km and the
receipt for an outlay, in one step; and the draft saved while the senior types."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.models import RECEIPT_MAX_BYTES
from ledger.services import ledger_record_visit
from seniorene.accounts.models import Membership
from seniorene.audit.services import audit_record
from visits.models import (
    ACTIVE_STATUSES,
    Visit,
    VisitLog,
    VisitLogDraft,
    VisitStatus,
)
from visits.receipts import validate_receipt_content

# Fields of the log form kept in a draft (never files, never the CSRF token).
DRAFT_FIELDS = (
    "submission_key",
    "checked_in",
    "checked_out",
    "done_areas",
    "went_well",
    "could_change",
    "share_with_relatives",
    "km",
    "expense_amount",
    "expense_description",
)


def _require_own_open(visit: Visit, by: Membership) -> None:
    """The senior's own visit, not yet logged or cancelled, or a Norwegian refusal."""
    if visit.senior_id != by.pk:
        raise ValidationError(_("Du kan bare føre dine egne besøk."))
    if visit.status not in ACTIVE_STATUSES:
        raise ValidationError(_("Besøket er allerede ført eller avlyst."))


def visit_log_draft_save(*, visit: Visit, by: Membership, data: dict) -> VisitLogDraft:
    """Keep what the senior has typed so far (raw, as typed: it need not be valid yet)."""
    _require_own_open(visit, by)
    kept: dict[str, str | list[str]] = {}
    for name in DRAFT_FIELDS:
        raw = data.getlist(name) if hasattr(data, "getlist") else []
        values = [str(v).replace("\x00", "")[:2000] for v in raw]  # PostgreSQL refuses NUL
        if name == "done_areas":
            kept[name] = values[:50]
        elif values:
            kept[name] = values[-1]
    own = VisitLogDraft.objects.filter(visit=visit, membership=by)
    arrived = own.values_list("arrived_at", flat=True).first()
    if arrived and "checked_in" not in kept:
        kept["checked_in"] = timezone.localtime(arrived).strftime("%H:%M")
    draft, _created = VisitLogDraft.objects.update_or_create(
        visit=visit,
        membership=by,
        defaults={
            "organization_id": visit.organization_id,
            "data": kept,
            "saved_at": timezone.now(),
        },
    )
    return draft


def visit_check_in(*, visit: Visit, by: Membership, at: datetime | None = None) -> VisitLogDraft:
    """The senior is at the door: the arrival time goes into the log's draft (the check-in
    time on the log form), and the visit counts as started. Checking in again keeps the
    first arrival."""
    _require_own_open(visit, by)
    at = at or timezone.now()
    if timezone.localdate(at) != timezone.localdate(visit.starts_at):
        raise ValidationError(_("Du kan bare melde deg fremme samme dag som besøket."))
    with transaction.atomic():
        draft, _created = VisitLogDraft.objects.select_for_update().get_or_create(
            visit=visit,
            membership=by,
            defaults={"organization_id": visit.organization_id, "data": {}},
        )
        if draft.arrived_at is None:
            draft.arrived_at = at
            draft.data = {**draft.data, "checked_in": timezone.localtime(at).strftime("%H:%M")}
            draft.saved_at = at
            draft.save(update_fields=["arrived_at", "data", "saved_at"])
    return draft


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
    km: Decimal | None = None,
    expense_amount: Decimal | None = None,
    expense_description: str = "",
    receipt: UploadedFile | None = None,
) -> VisitLog:
    """Log the senior's own visit once; the same submission again returns the same log.

    1. A repeated `submission_key` (double tap, retry) returns the stored log.
    2. Claim the visit with a conditional update (open → logged / not happened).
    3. Store the log; a visit that happened gets its hours, km and the outlay (with the
       receipt) on the customer's project, each once.
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
    if happened and expense_amount and receipt is None:
        raise ValidationError(_("Ta bilde av kvitteringen for utlegget."))
    # An upload always has its size; only a hand-made UploadedFile has None.
    if receipt is not None and cast(int, receipt.size) > RECEIPT_MAX_BYTES:
        raise ValidationError(_("Bildet av kvitteringen er for stort (over 8 MB)."))
    if receipt is not None:
        validate_receipt_content(receipt)  # the content, not the name, says what it is
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
    VisitLogDraft.objects.filter(visit=visit).delete()  # every senior's: the visit is done
    if happened:
        ledger_record_visit(
            organization_id=visit.organization_id,
            senior=by,
            visit_id=visit.pk,
            recipient=visit.recipient,
            day=timezone.localdate(checked_in_at or visit.starts_at),
            checked_in_at=checked_in_at,
            checked_out_at=checked_out_at,
            km=km,
            expense_amount=expense_amount,
            expense_description=expense_description,
            receipt=receipt,
        )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.logged" if happened else "visit.not_happened",
        obj=visit,
    )
    return log
