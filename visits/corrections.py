"""Correcting a logged visit: arrival and departure (the hours follow), km and the outlay.

The senior corrects their own visit for 7 days after it, while its month is not yet sent to
Tripletex; a leader of the recipient's department (or the lead) at any time. After the month
is sent, the leader's correction is kept as correction rows for the next export, never as a
change to the file that was sent (`ledger.export`). Every change keeps the old value, the
new one, who and why (`ledger.LedgerCorrection`) and an audit row. Times far from the
planned visit (the "ten hours early" class of mistake, issue 18) are stored only when
confirmed, as on the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.corrections import ledger_correct_visit
from ledger.export import month_locked
from ledger.models import LedgerCorrection
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.policy import can_see_department
from seniorene.audit.services import audit_record
from visits.logging import (
    CHECK_IN_EARLY,
    CHECK_IN_LATE,
    are_many_hours,
    hours_text,
    logged_hours,
    planned_hours,
)
from visits.models import Visit, VisitLog

SENIOR_CORRECTION_DAYS = 7


class FarFromPlanError(ValidationError):
    """The corrected times are far from the plan and not confirmed (the form asks)."""


@dataclass(frozen=True)
class CorrectionFields:
    checked_in_at: datetime
    checked_out_at: datetime
    km: Decimal | None
    expense_amount: Decimal | None
    expense_description: str
    reason: str
    confirmed: bool = False


def senior_may_correct_until(visit: Visit) -> datetime:
    return visit.starts_at + timedelta(days=SENIOR_CORRECTION_DAYS)


def _month_sent(visit: Visit, log: VisitLog) -> bool:
    day = timezone.localdate(log.checked_in_at or visit.starts_at)
    return month_locked(
        organization_id=visit.organization_id,
        department_id=visit.recipient.department_id,
        day=day,
    )


def why_not(visit: Visit, by: Membership, now: datetime | None = None) -> str:
    """Why `by` may not correct `visit` now, in Norwegian ("" when they may)."""
    now = now or timezone.now()
    if by.role == Role.SENIOR and visit.senior_id != by.pk:
        return _("Du kan bare rette dine egne besøk.")
    log = VisitLog.objects.filter(visit_id=visit.pk).first()
    if log is None or not log.happened:
        return _("Bare et besøk som er ført som gjennomført kan rettes.")
    if by.role == Role.SENIOR:
        if now > senior_may_correct_until(visit):
            return _(
                "Det er mer enn %(days)s dager siden besøket, så du kan ikke rette det selv. "
                "Ring eller skriv til lederen din, som kan rette det."
            ) % {"days": SENIOR_CORRECTION_DAYS}
        if _month_sent(visit, log):
            return _(
                "Timene for denne måneden er allerede sendt til Tripletex. "
                "Ring eller skriv til lederen din, som kan rette det."
            )
        return ""
    if by.role not in (Role.LEADER, Role.LEAD) or by.organization_id != visit.organization_id:
        return _("Bare lederen for avdelingen kan rette besøket.")
    if not can_see_department(by, visit.recipient.department_id):
        return _("Bare lederen for avdelingen kan rette besøket.")
    return ""


def _when(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%d.%m.%Y %H.%M}" if value else ""


def _check_times(visit: Visit, fields: CorrectionFields, now: datetime) -> bool:
    """Refuse what cannot be; True when the hours are far above the plan (confirmed)."""
    arrived, left = fields.checked_in_at, fields.checked_out_at
    if left <= arrived:
        raise ValidationError(_("Tidspunktet du gikk må være etter tidspunktet du kom."))
    if arrived > now or left > now + timedelta(minutes=5):
        raise ValidationError(_("Et besøk kan ikke føres med tider som ikke har vært ennå."))
    hours = logged_hours(arrived, left)
    far = arrived < visit.starts_at - CHECK_IN_EARLY or left > visit.ends_at + CHECK_IN_LATE
    many = are_many_hours(visit, hours)
    if (far or many) and not fields.confirmed:
        raise FarFromPlanError(
            _(
                "Du skriver kl. %(arrived)s–%(left)s (%(hours)s timer), men besøket var "
                "planlagt kl. %(start)s–%(end)s (%(planned)s timer). Stemmer det?"
            )
            % {
                "arrived": f"{timezone.localtime(arrived):%H.%M}",
                "left": f"{timezone.localtime(left):%H.%M}",
                "hours": hours_text(hours),
                "start": f"{timezone.localtime(visit.starts_at):%H.%M}",
                "end": f"{timezone.localtime(visit.ends_at):%H.%M}",
                "planned": hours_text(planned_hours(visit)),
            },
            code="far_from_plan",
        )
    return many


@transaction.atomic
def visit_correct(
    *, visit: Visit, by: Membership, fields: CorrectionFields
) -> list[LedgerCorrection]:
    """Correct a logged visit's times, km and outlay (see the module)."""
    now = timezone.now()
    refusal = why_not(visit, by, now)
    if refusal:
        raise ValidationError(refusal)
    if not fields.reason.strip():
        raise ValidationError(_("Skriv hvorfor du retter."))
    log = VisitLog.objects.select_for_update().get(visit=visit)
    many = _check_times(visit, fields, now)
    also = [
        (name, _when(old), _when(new))
        for name, old, new in (
            ("checked_in_at", log.checked_in_at, fields.checked_in_at),
            ("checked_out_at", log.checked_out_at, fields.checked_out_at),
        )
        if old != new
    ]
    changes = ledger_correct_visit(
        organization_id=visit.organization_id,
        senior=visit.senior,
        visit_id=visit.pk,
        recipient=visit.recipient,
        by=by.user,
        reason=fields.reason,
        day=timezone.localdate(fields.checked_in_at),
        hours=logged_hours(fields.checked_in_at, fields.checked_out_at),
        km=fields.km,
        expense_amount=fields.expense_amount,
        expense_description=fields.expense_description,
        also=also,
    )
    if not changes:
        raise ValidationError(_("Ingenting er endret."))
    log.checked_in_at, log.checked_out_at = fields.checked_in_at, fields.checked_out_at
    if many and not log.many_hours:
        log.many_hours, log.many_hours_seen_at, log.many_hours_seen_by = True, None, None
    elif not many:
        log.many_hours = False
    log.save(
        update_fields=[
            "checked_in_at",
            "checked_out_at",
            "many_hours",
            "many_hours_seen_at",
            "many_hours_seen_by",
        ]
    )
    # The reason stays on the correction rows (it may be about the recipient's health).
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.corrected",
        obj=visit,
        details={
            "fields": ",".join(sorted({c.field for c in changes})),
            "after_lock": str(any(c.after_lock for c in changes)).lower(),
        },
    )
    return changes
