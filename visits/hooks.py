"""What ending, pausing, anonymising and exporting a recipient means for visits (R11).

Registered with `customers.hooks` in `visits.apps.VisitsConfig.ready`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import capfirst

from customers.models import CareRecipient, RecipientStatus
from customers.services import recipient_anonymised_label
from seniorene.accounts.models import User
from seniorene.audit.services import audit_record, audit_relabel
from visits.models import (
    ACTIVE_STATUSES,
    CancelKind,
    Visit,
    VisitPlan,
)
from visits.planning import CANCEL_FIELDS, _system_cancel


def visits_stop_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """R11 hook (end and pause): future visits are cancelled; ending also ends the plans.

    Logged and past visits are kept. A paused recipient's visits come back with the
    next expansion when they are active again (unless changed by hand meanwhile).
    """
    now = timezone.now()
    ended = recipient.status == RecipientStatus.ENDED
    kind = CancelKind.RECIPIENT_ENDED if ended else CancelKind.RECIPIENT_PAUSED
    future = list(
        Visit.objects.filter(recipient=recipient, status__in=ACTIVE_STATUSES, starts_at__gt=now)
    )
    Visit.objects.bulk_update(_system_cancel(future, kind, now), CANCEL_FIELDS)
    plans = 0
    if ended:
        plans = VisitPlan.objects.filter(recipient=recipient, ended_at__isnull=True).update(
            ended_at=now, updated_at=now
        )
    if future or plans:
        audit_record(
            organization=recipient.organization,
            actor=by,
            action="visits.stopped_for_recipient",
            obj=recipient,
            details={"cancelled": len(future), "plans_ended": plans, "status": recipient.status},
        )


def visits_anonymise_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Retention: free text about the recipient in plans and visits is removed."""
    from ledger.corrections import ledger_anonymise_for_recipient
    from ledger.models import Expense
    from visits.models import Concern, VisitLog, VisitLogDraft

    VisitPlan.objects.filter(recipient=recipient).update(notes="", override_reason="")
    Visit.objects.filter(recipient=recipient).update(cancel_reason="", closed_reason="")
    # The notebook is free text about the person; counts, dates and hours stay.
    VisitLog.objects.filter(recipient=recipient).update(
        went_well="", could_change="", not_happened_reason="", on_behalf_reason=""
    )
    VisitLogDraft.objects.filter(visit__recipient=recipient).delete()
    # "Noe lederen bør vite" is free text about the person; when and how fast stays.
    concerns = Concern.objects.filter(recipient=recipient)
    concerns.filter(answered_at__isnull=True).update(text="", answer="")
    concerns.filter(answered_at__isnull=False).update(text="", answer="–")  # answered: not empty
    Expense.objects.filter(recipient=recipient).update(description="Utlegg")
    ledger_anonymise_for_recipient(recipient)  # corrections' reasons, sent outlays' text
    # Log labels of plans and visits carry the recipient's name (and outlays their text).
    label = recipient_anonymised_label(recipient)
    for model in (VisitPlan, Visit, VisitLog, Expense, Concern):
        audit_relabel(
            organization_id=recipient.organization_id,
            model=model,
            ids=model.objects.filter(recipient=recipient).values_list("pk", flat=True),
            label=f"{capfirst(model._meta.verbose_name)}: {label}",
        )


def visits_export_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """The recipient's plans and visits for a data-access request."""
    from visits.models import Concern

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    plans = VisitPlan.objects.filter(recipient=recipient).select_related("senior__user")
    visits = Visit.objects.filter(recipient=recipient).select_related("senior__user")
    return {
        "visit_plans": [
            {
                "plan": p.describe(),
                "senior": str(p.senior.user),
                "first_date": p.first_date.isoformat(),
                "last_date": p.last_date.isoformat() if p.last_date else None,
                "ended": when(p.ended_at),
                "notes": p.notes,
                "override_reason": p.override_reason,
            }
            for p in plans
        ],
        "visits": [
            {
                "at": when(v.starts_at),
                "minutes": v.duration_minutes,
                "senior": str(v.senior.user),
                "status": v.get_status_display(),
                "cancelled_by": v.get_cancel_kind_display() if v.cancel_kind else None,
                "cancel_reason": v.cancel_reason,
                "closed_reason": v.closed_reason,
            }
            for v in visits
        ],
        "notebook": [
            {
                "visit_at": when(log.visit.starts_at),
                "happened": log.happened,
                "went_well": log.went_well,
                "could_change": log.could_change,
                "not_happened_reason": log.not_happened_reason,
                "on_behalf_reason": log.on_behalf_reason,
                "shared_with_relatives": log.share_with_relatives,
                "logged_at": when(log.logged_at),
            }
            for log in recipient.visit_logs.select_related("visit").order_by("logged_at")
        ],
        "concerns": [
            {
                "raised": when(c.raised_at),
                "category": c.get_category_display(),
                "text": c.text,
                "read": when(c.read_at),
                "answered": when(c.answered_at),
                "answer": c.answer,
            }
            for c in Concern.objects.filter(recipient=recipient).order_by("raised_at", "pk")
        ],
    }
