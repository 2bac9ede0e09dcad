"""Logging a visit from the phone: what happened, the notebook entry, hours, km and the
receipt for an outlay, in one step; and the draft saved while the senior types."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ledger.models import RECEIPT_MAX_BYTES
from ledger.services import ledger_record_visit, visit_hours
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.policy import can_see_department
from seniorene.audit.services import audit_record
from visits.concerns import concern_check, concern_raise
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
    "concern_category",
    "concern_text",
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


# "Jeg er fremme" is accepted from an hour before the planned start until an hour after the
# planned end: early enough for a senior who comes a little early, never the night before
# (issue 18: a check-in at 00.21 for a 10.00 visit became 10.65 billable hours).
CHECK_IN_EARLY = timedelta(minutes=60)
CHECK_IN_LATE = timedelta(minutes=60)
# Hours logged above the plan by more than this need the logger's confirmation and show
# on the leaders' "Følg opp" page ("Mange timer ført") until a leader has seen them.
MANY_HOURS_MARGIN = Decimal("1")


def check_in_window(visit: Visit) -> tuple[datetime, datetime]:
    """(from, until): when "Jeg er fremme" is accepted for `visit`."""
    return visit.starts_at - CHECK_IN_EARLY, visit.ends_at + CHECK_IN_LATE


def in_check_in_window(visit: Visit, at: datetime) -> bool:
    opens, closes = check_in_window(visit)
    return opens <= at <= closes


def planned_hours(visit: Visit) -> Decimal:
    return (Decimal(visit.duration_minutes) / Decimal(60)).quantize(Decimal("0.01"))


def logged_hours(checked_in_at: datetime | None, checked_out_at: datetime | None) -> Decimal:
    """The billable hours the ledger will register for these times (0 without both)."""
    if checked_in_at is None or checked_out_at is None or checked_out_at <= checked_in_at:
        return Decimal(0)
    return visit_hours(checked_in_at=checked_in_at, checked_out_at=checked_out_at)


def are_many_hours(visit: Visit, hours: Decimal) -> bool:
    """True when `hours` are far above the plan (more than planned + MANY_HOURS_MARGIN)."""
    return hours > planned_hours(visit) + MANY_HOURS_MARGIN


def hours_text(value: Decimal) -> str:
    """Hours as a Norwegian reads them: 10,65 · 1,5 · 2."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def many_hours_question(visit: Visit, hours: Decimal) -> str:
    """ "Du har ført 10,65 timer – planen var 1,5. Stemmer det?" """
    return _("Du har ført %(hours)s timer – planen var %(planned)s. Stemmer det?") % {
        "hours": hours_text(hours),
        "planned": hours_text(planned_hours(visit)),
    }


def visit_check_in(*, visit: Visit, by: Membership, at: datetime | None = None) -> VisitLogDraft:
    """The senior is at the door: the arrival time goes into the log's draft (the check-in
    time on the log form), and the visit counts as started. Accepted only within
    `check_in_window` of the visit; checking in again keeps the first arrival."""
    _require_own_open(visit, by)
    at = at or timezone.now()
    opens, closes = check_in_window(visit)
    if at < opens:
        local = timezone.localtime(opens)
        if local.date() == timezone.localdate(at):
            raise ValidationError(
                _("Du kan melde deg fremme fra kl. %(time)s.") % {"time": f"{local:%H.%M}"}
            )
        raise ValidationError(
            _("Du kan melde deg fremme fra %(day)s kl. %(time)s.")
            % {"day": date_format(local.date(), "l j. F"), "time": f"{local:%H.%M}"}
        )
    if at > closes:
        raise ValidationError(
            _("Besøket er over. Skriv når du kom og gikk i besøksrapporten i stedet.")
        )
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


@dataclass(frozen=True)
class LogFields:
    """What a log says (the senior's form, or the leader's on the senior's behalf)."""

    happened: bool = True
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    done_area_ids: list[int] = field(default_factory=list)
    went_well: str = ""
    could_change: str = ""
    share_with_relatives: bool = False
    not_happened_reason: str = ""
    km: Decimal | None = None
    expense_amount: Decimal | None = None
    expense_description: str = ""
    receipt: UploadedFile | None = None
    # Hours far above the plan are stored only when the logger has confirmed them.
    hours_confirmed: bool = False
    # "Noe lederen bør vite" (visits.concerns): both or neither.
    concern_category: str = ""
    concern_text: str = ""


class ManyHoursError(ValidationError):
    """The logged hours are far above the plan and not confirmed (the form asks)."""


def _check_fields(visit: Visit, fields: LogFields) -> bool:
    """Refuse what cannot be logged; True when the hours are far above the plan."""
    if not fields.happened and not fields.not_happened_reason.strip():
        raise ValidationError(_("Skriv kort hvorfor besøket ikke ble noe av."))
    concern_check(category=fields.concern_category, text=fields.concern_text)
    checked_in_at, checked_out_at = fields.checked_in_at, fields.checked_out_at
    if not fields.happened:
        return False
    if checked_in_at and checked_out_at and checked_out_at <= checked_in_at:
        raise ValidationError(_("Tidspunktet du gikk må være etter tidspunktet du kom."))
    if checked_in_at and checked_in_at > timezone.now():
        raise ValidationError(_("Et besøk kan ikke føres før det har startet."))
    if fields.expense_amount and fields.receipt is None:
        raise ValidationError(_("Ta bilde av kvitteringen for utlegget."))
    receipt = fields.receipt
    # An upload always has its size; only a hand-made UploadedFile has None.
    if receipt is not None and cast(int, receipt.size) > RECEIPT_MAX_BYTES:
        raise ValidationError(_("Bildet av kvitteringen er for stort (over 8 MB)."))
    if receipt is not None:
        validate_receipt_content(receipt)  # the content, not the name, says what it is
    hours = logged_hours(checked_in_at, checked_out_at)
    many = are_many_hours(visit, hours)
    if many and not fields.hours_confirmed:
        raise ManyHoursError(many_hours_question(visit, hours), code="many_hours")
    return many


def _store_log(
    *,
    visit: Visit,
    senior: Membership,
    by: Membership,
    submission_key: uuid.UUID,
    fields: LogFields,
    on_behalf_reason: str = "",
) -> VisitLog:
    """Claim the visit, store its log, register its hours/km/outlay, audit: once."""
    many = _check_fields(visit, fields)
    happened = fields.happened
    status = VisitStatus.LOGGED if happened else VisitStatus.NOT_HAPPENED
    claimed = Visit.objects.filter(pk=visit.pk, status__in=ACTIVE_STATUSES).update(status=status)
    if not claimed:
        raise ValidationError(_("Besøket er allerede ført eller avlyst."))
    log = VisitLog.objects.create(
        organization_id=visit.organization_id,
        visit=visit,
        recipient_id=visit.recipient_id,
        happened=happened,
        not_happened_reason=fields.not_happened_reason.strip()[:300],
        checked_in_at=fields.checked_in_at if happened else None,
        checked_out_at=fields.checked_out_at if happened else None,
        done_areas=sorted(fields.done_area_ids) if happened else [],
        went_well=fields.went_well.strip()[:2000] if happened else "",
        could_change=fields.could_change.strip()[:2000] if happened else "",
        share_with_relatives=fields.share_with_relatives and happened,
        submission_key=submission_key,
        logged_by=by.user,
        on_behalf_reason=on_behalf_reason.strip()[:300],
        many_hours=many,
    )
    VisitLogDraft.objects.filter(visit=visit).delete()  # every senior's: the visit is done
    # Stored with the log, once: a repeated submission key returns the log before this.
    concern_raise(visit=visit, by=by, category=fields.concern_category, text=fields.concern_text)
    if happened:
        # The one ledger writer: the hours are the senior's, whoever wrote the log.
        ledger_record_visit(
            organization_id=visit.organization_id,
            senior=senior,
            visit_id=visit.pk,
            recipient=visit.recipient,
            day=timezone.localdate(fields.checked_in_at or visit.starts_at),
            checked_in_at=fields.checked_in_at,
            checked_out_at=fields.checked_out_at,
            km=fields.km,
            expense_amount=fields.expense_amount,
            expense_description=fields.expense_description,
            receipt=fields.receipt,
        )
    action = "visit.logged" if happened else "visit.not_happened"
    details: dict[str, str] = {}
    if on_behalf_reason:  # the reason itself stays on the log (it may be about health)
        action += "_on_behalf"
        details["senior"] = str(senior.pk)
    if many:
        details["many_hours"] = str(logged_hours(fields.checked_in_at, fields.checked_out_at))
    audit_record(
        organization=by.organization, actor=by.user, action=action, obj=visit, details=details
    )
    if not happened:
        from visits.change_notices import VisitChange, visit_change_notify

        visit_change_notify(visit=visit, change=VisitChange.NOT_HAPPENED, by=by.user)
    return log


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
    hours_confirmed: bool = False,
    concern_category: str = "",
    concern_text: str = "",
) -> VisitLog:
    """Log the senior's own visit once; the same submission again returns the same log.

    1. A repeated `submission_key` (double tap, retry) returns the stored log.
    2. Hours far above the plan need `hours_confirmed` (else `ManyHoursError`).
    3. Claim the visit with a conditional update (open → logged / not happened).
    4. Store the log; a visit that happened gets its hours, km and the outlay (with the
       receipt) on the customer's project, each once; "Noe lederen bør vite", when filled
       in, becomes a `Concern` for the department's leaders (visits.concerns).
    """
    existing = VisitLog.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    if visit.senior_id != by.pk:
        raise ValidationError(_("Du kan bare føre dine egne besøk."))
    fields = LogFields(
        happened=happened,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        done_area_ids=done_area_ids or [],
        went_well=went_well,
        could_change=could_change,
        share_with_relatives=share_with_relatives,
        not_happened_reason=not_happened_reason,
        km=km,
        expense_amount=expense_amount,
        expense_description=expense_description,
        receipt=receipt,
        hours_confirmed=hours_confirmed,
        concern_category=concern_category,
        concern_text=concern_text,
    )
    return _store_log(visit=visit, senior=by, by=by, submission_key=submission_key, fields=fields)


def _require_leader_of(visit: Visit, by: Membership) -> None:
    """A leader of the visit's department, or the lead; else a Norwegian refusal."""
    department_id = visit.recipient.department_id
    if by.organization_id != visit.organization_id or by.role not in (Role.LEADER, Role.LEAD):
        raise ValidationError(_("Bare lederen for avdelingen kan gjøre dette."))
    if not can_see_department(by, department_id):
        raise ValidationError(_("Bare lederen for avdelingen kan gjøre dette."))


def _require_started(visit: Visit, now: datetime) -> None:
    if visit.starts_at > now:
        raise ValidationError(_("Besøket har ikke vært ennå. Flytt eller avlys det i stedet."))


@transaction.atomic
def visit_log_on_behalf(
    *,
    visit: Visit,
    by: Membership,
    reason: str,
    submission_key: uuid.UUID,
    fields: LogFields,
) -> VisitLog:
    """A leader of the visit's department (or the lead) logs a visit for its senior, with a
    reason ("Før for senioren"). The log records who and why; the hours are the senior's,
    registered by the same ledger writer; the same submission again returns the same log."""
    existing = VisitLog.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    _require_leader_of(visit, by)
    if not reason.strip():
        raise ValidationError(_("Skriv hvorfor du fører besøket for senioren."))
    _require_started(visit, timezone.now())
    return _store_log(
        visit=visit,
        senior=visit.senior,
        by=by,
        submission_key=submission_key,
        fields=fields,
        on_behalf_reason=reason,
    )


@transaction.atomic
def visit_close(*, visit: Visit, by: Membership, reason: str) -> Visit:
    """ "Lukk uten rapport": a leader closes a past visit no report will come for, with a
    reason. Nothing is billed; the visit leaves the senior's "Ikke ført"."""
    _require_leader_of(visit, by)
    reason = reason.strip()[:300]
    if not reason:
        raise ValidationError(_("Skriv hvorfor besøket lukkes uten rapport."))
    now = timezone.now()
    _require_started(visit, now)
    claimed = Visit.objects.filter(pk=visit.pk, status__in=ACTIVE_STATUSES).update(
        status=VisitStatus.CLOSED, closed_reason=reason, closed_by=by.user, closed_at=now
    )
    if not claimed:
        raise ValidationError(_("Besøket er allerede ført eller avlyst."))
    VisitLogDraft.objects.filter(visit=visit).delete()
    visit.refresh_from_db()
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.closed",
        obj=visit,
        details={"senior": str(visit.senior_id)},
    )
    return visit


@transaction.atomic
def visit_many_hours_seen(*, log: VisitLog, by: Membership) -> VisitLog:
    """A leader has looked at a log with many hours: it leaves "Følg opp"."""
    _require_leader_of(log.visit, by)
    now = timezone.now()
    VisitLog.objects.filter(pk=log.pk, many_hours_seen_at__isnull=True).update(
        many_hours_seen_at=now, many_hours_seen_by=by.user
    )
    log.refresh_from_db()
    audit_record(
        organization=by.organization, actor=by.user, action="visit.many_hours_seen", obj=log.visit
    )
    return log
