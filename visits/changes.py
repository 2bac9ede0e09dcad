"""Single-visit changes by a leader: move, cancel, reassign. Each writes its audit row;
a move or a cancellation tells the relatives (`visits.change_notices`)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.models import Membership
from seniorene.audit.services import audit_record
from visits.change_notices import VisitChange, visit_change_notify
from visits.models import (
    Visit,
    VisitStatus,
)
from visits.notices import reassign_notify
from visits.planning import CANCEL_FIELDS, MAX_DURATION, _check_senior


def _locked(visit: Visit) -> Visit:
    """The visit, locked for the rest of the transaction; ValidationError unless open."""
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if not locked.is_open:
        raise ValidationError(
            _("Besøket er %(status)s og kan ikke endres.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def visit_move(
    *,
    visit: Visit,
    by: Membership,
    starts_at: datetime,
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> Visit:
    """Move one visit to another time; the plan stays as it is."""
    now = now or timezone.now()
    visit = _locked(visit)
    if starts_at < now:
        raise ValidationError(_("Et besøk kan ikke flyttes til et tidspunkt som har vært."))
    duration = duration_minutes or visit.duration_minutes
    if not 15 <= duration <= MAX_DURATION:
        raise ValidationError(_("Et besøk varer fra 15 minutter til 8 timer."))
    if starts_at == visit.starts_at and duration == visit.duration_minutes:
        return visit  # nothing changes (the same move sent again): nobody is told twice
    before = visit.starts_at
    visit.starts_at = starts_at
    visit.duration_minutes = duration
    visit.status = VisitStatus.MOVED
    visit.detached = True
    visit.save(update_fields=["starts_at", "duration_minutes", "status", "detached", "updated_at"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.moved",
        obj=visit,
        details={"from": before.isoformat(), "to": starts_at.isoformat()},
    )
    visit_change_notify(visit=visit, change=VisitChange.MOVED, moved_from=before, by=by.user)
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, by: Membership, kind: str, reason: str) -> Visit:
    """Cancel one visit (by the customer, the senior, or another reason); the plan stays."""
    from visits.models import CHOSEN_CANCEL_KINDS

    visit = _locked(visit)
    if kind not in CHOSEN_CANCEL_KINDS:
        raise ValidationError(_("Velg hvem som avlyste."))
    if not reason.strip():
        raise ValidationError(_("Skriv en kort begrunnelse for avlysningen."))
    visit.status = VisitStatus.CANCELLED
    visit.cancel_kind = kind
    visit.cancel_reason = reason.strip()[:300]
    visit.cancelled_by = by.user
    visit.cancelled_at = timezone.now()
    visit.detached = True
    visit.save(update_fields=[*CANCEL_FIELDS, "detached"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.cancelled",
        obj=visit,
        details={"kind": kind},
    )
    visit_change_notify(visit=visit, change=VisitChange.CANCELLED, by=by.user)
    return visit


@transaction.atomic
def visit_reassign(*, visit: Visit, by: Membership, senior: Membership) -> Visit:
    """Give one visit to another (trained, R6) senior; the plan keeps its senior. Both
    seniors get an e-mail when the change is committed (`visits.notices`)."""
    from training.services import training_require_cleared

    visit = _locked(visit)
    _check_senior(senior, visit.organization_id)
    if senior.pk == visit.senior_id:
        return visit
    training_require_cleared(membership=senior)
    before = visit.senior_id
    visit.senior = senior
    visit.detached = True
    visit.save(update_fields=["senior", "detached", "updated_at"])
    change = audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit.reassigned",
        obj=visit,
        details={"from": before, "to": senior.pk},
    )
    # Both seniors are told once the change is saved (never for a change rolled back).
    transaction.on_commit(
        partial(
            reassign_notify,
            organization_id=visit.organization_id,
            visit_id=visit.pk,
            from_id=before,
            to_id=senior.pk,
            change_id=change.pk,
        ),
        robust=True,
    )
    return visit
