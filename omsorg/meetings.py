"""The booked Bli kjent meeting in the senior's day: clashes, moving, cancelling, telling.

A leader moves or cancels one meeting without touching the recipient's status (pausing a
recipient cancels every meeting: that is R11, `services.interviews_cancel_for_recipient`).
Each booking, move and cancellation is announced to the senior once, after the commit:
an e-mail, and an SMS too when the senior has given their own SMS consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omsorg.hooks import senior_busy
from omsorg.models import IntakeInterview, InterviewStatus
from seniorene.accounts.models import Membership
from seniorene.audit.services import audit_record

MAX_MEETING_MINUTES = 60


def _hhmm(when: datetime) -> str:
    return timezone.localtime(when).strftime("%H.%M")


def meetings_overlapping(
    *, senior_id: int, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None
) -> list[IntakeInterview]:
    """The senior's booked meetings that overlap `starts_at`–`ends_at` (one query)."""
    rows = IntakeInterview.objects.filter(
        senior_id=senior_id,
        status=InterviewStatus.BOOKED,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(minutes=MAX_MEETING_MINUTES),
    ).order_by("starts_at", "pk")
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return [m for m in rows if m.ends_at > starts_at]


def meeting_clashes(*, interview: IntakeInterview) -> list[str]:
    """What else the meeting's senior has at its time: other Bli kjent meetings, and what
    the apps above register (visits: `visits.conflicts.visits_clashing`). For the leader to
    look at; never resolved silently."""
    if interview.status != InterviewStatus.BOOKED:
        return []
    return time_clashes(
        senior_id=interview.senior_id,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        exclude_id=interview.pk,
    )


def time_clashes(
    *, senior_id: int, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None
) -> list[str]:
    """What the senior already has between `starts_at` and `ends_at`: their other booked
    meetings (not `exclude_id`), then what the apps above register (their visits). Asked
    before a meeting is booked or moved, so the leader confirms a clash ("Book likevel")."""
    found = [
        _("Senioren har et annet Bli kjent-møte %(from)s–%(to)s")
        % {"from": _hhmm(m.starts_at), "to": _hhmm(m.ends_at)}
        for m in meetings_overlapping(
            senior_id=senior_id, starts_at=starts_at, ends_at=ends_at, exclude_id=exclude_id
        )
    ]
    found.extend(senior_busy(senior_id=senior_id, starts_at=starts_at, ends_at=ends_at))
    return found


def announce_after_commit(interview: IntakeInterview, change: str) -> None:
    """Queue the senior's announcement of `change` once the transaction commits."""
    from omsorg.tasks import announce_meeting

    org_id, pk = interview.organization_id, interview.pk
    transaction.on_commit(lambda: announce_meeting.delay(org_id, pk, change))


@transaction.atomic
def interview_move(
    *,
    interview: IntakeInterview,
    by: Membership,
    starts_at: datetime,
    duration_minutes: int,
    reason: str = "",
    clashes: Sequence[str] = (),
) -> IntakeInterview:
    """Give one booked meeting a new time; the recipient's status stays as it is.

    The senior is told (once per move). Moving to the same time changes nothing.
    `clashes`: what the leader was shown at the new time and confirmed ("Flytt likevel"),
    kept in the audit row.
    """
    interview = IntakeInterview.objects.select_for_update().get(pk=interview.pk)
    if interview.status != InterviewStatus.BOOKED:
        raise ValidationError(_("Bare et avtalt møte kan flyttes."))
    if not 15 <= duration_minutes <= MAX_MEETING_MINUTES:
        raise ValidationError(_("Bli kjent-møtet varer høyst én time."))
    if starts_at < timezone.now():
        raise ValidationError(_("Tidspunktet har allerede vært."))
    if interview.starts_at == starts_at and interview.duration_minutes == duration_minutes:
        return interview
    before = interview.starts_at
    interview.starts_at = starts_at
    interview.duration_minutes = duration_minutes
    interview.sequence += 1
    interview.changed_at = timezone.now()
    interview.save(update_fields=["starts_at", "duration_minutes", "sequence", "changed_at"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="interview.moved",
        obj=interview,
        details={
            "from": before.isoformat(),
            "to": starts_at.isoformat(),
            "minutes": duration_minutes,
            "reason": reason.strip()[:300],
            **({"clashes_confirmed": list(clashes)} if clashes else {}),
        },
    )
    announce_after_commit(interview, f"moved:{interview.sequence}")
    return interview


@transaction.atomic
def interview_cancel(
    *, interview: IntakeInterview, by: Membership, reason: str = ""
) -> IntakeInterview:
    """Cancel one booked meeting; the recipient's status stays as it is (no pause).

    The senior is told once. Cancelling a cancelled meeting changes nothing.
    """
    interview = IntakeInterview.objects.select_for_update().get(pk=interview.pk)
    if interview.status == InterviewStatus.CANCELLED:
        return interview
    if interview.status != InterviewStatus.BOOKED:
        raise ValidationError(_("Møtet er gjennomført og kan ikke avlyses."))
    now = timezone.now()
    interview.status = InterviewStatus.CANCELLED
    interview.cancelled_at = now
    interview.cancelled_by = by.user
    interview.cancel_reason = reason.strip()[:300]
    interview.changed_at = now
    interview.save(
        update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "changed_at"]
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="interview.cancelled",
        obj=interview,
        details={"reason": interview.cancel_reason} if interview.cancel_reason else None,
    )
    announce_after_commit(interview, "cancelled")
    return interview
