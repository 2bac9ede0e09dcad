"""The senior's writes: opting in to Omsorg jobs, pausing, withdrawing, and answering a job.

Each writes its own audit row (`job_interest.changed`, `opening.answered`); free text (the
note to the leader, the answer's note) is never copied into the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omsorg.models import ServiceArea
from openings.eligibility import is_eligible
from openings.models import (
    AnswerChoice,
    InterestStatus,
    JobAnswer,
    JobInterest,
    JobInterestArea,
    JobOpening,
    OpeningStatus,
)
from seniorene.accounts.models import Membership, User
from seniorene.audit.services import audit_record


def _interest_changed(interest: JobInterest, *, by: User, change: str) -> None:
    audit_record(
        organization=interest.organization,
        actor=by,
        action="job_interest.changed",
        obj=interest.membership,
        details={
            "change": change,
            "status": interest.status,
            "paused_until": interest.paused_until.isoformat() if interest.paused_until else None,
            "visits_per_week": interest.visits_per_week,
            "service_areas": sorted(
                JobInterestArea.objects.filter(interest=interest).values_list(
                    "service_area_id", flat=True
                )
            ),
        },
    )


@transaction.atomic
def job_interest_save(
    *,
    membership: Membership,
    by: User,
    service_areas: Iterable[ServiceArea],
    visits_per_week: int,
    postal_code: str,
    note: str,
) -> JobInterest:
    """Opt `membership` in ("Jeg vil gjerne ta omsorgsjobber"), or update what they want.

    Saving always makes the interest active again: a paused or withdrawn senior who fills
    in the form has opted in anew.
    """
    interest = JobInterest.objects.select_for_update().filter(
        membership=membership
    ).first() or JobInterest(organization_id=membership.organization_id, membership=membership)
    change = (
        "opted_in"
        if interest.pk is None or interest.status != InterestStatus.ACTIVE
        else ("updated")
    )
    interest.status = InterestStatus.ACTIVE
    interest.paused_until = None
    interest.visits_per_week = visits_per_week
    interest.postal_code = postal_code
    interest.note = note
    interest.save()
    wanted = {a.pk for a in service_areas if a.organization_id == membership.organization_id}
    JobInterestArea.objects.filter(interest=interest).exclude(service_area_id__in=wanted).delete()
    have = set(
        JobInterestArea.objects.filter(interest=interest).values_list("service_area_id", flat=True)
    )
    JobInterestArea.objects.bulk_create(
        JobInterestArea(
            organization_id=membership.organization_id, interest=interest, service_area_id=pk
        )
        for pk in sorted(wanted - have)
    )
    _interest_changed(interest, by=by, change=change)
    return interest


def _existing(membership: Membership) -> JobInterest:
    interest = JobInterest.objects.select_for_update().filter(membership=membership).first()
    if interest is None:
        raise ValidationError(
            _("Du har ikke sagt at du vil ta omsorgsjobber ennå."), code="not_opted_in"
        )
    return interest


@transaction.atomic
def job_interest_pause(
    *, membership: Membership, by: User, until: date | None, today: date | None = None
) -> JobInterest:
    """Pause `membership`'s interest until and including `until` (None: until they resume)."""
    today = today or timezone.localdate()
    if until is not None and until < today:
        raise ValidationError(_("Pausen må vare til i dag eller senere."), code="past")
    interest = _existing(membership)
    if interest.status == InterestStatus.WITHDRAWN:
        raise ValidationError(
            _("Du har trukket deg. Si at du vil ta jobber igjen først."), code="withdrawn"
        )
    interest.status = InterestStatus.PAUSED
    interest.paused_until = until
    interest.save(update_fields=["status", "paused_until", "updated_at"])
    _interest_changed(interest, by=by, change="paused")
    return interest


@transaction.atomic
def job_interest_resume(*, membership: Membership, by: User) -> JobInterest:
    """Make a paused or withdrawn interest active again, with what the senior said before."""
    interest = _existing(membership)
    interest.status = InterestStatus.ACTIVE
    interest.paused_until = None
    interest.save(update_fields=["status", "paused_until", "updated_at"])
    _interest_changed(interest, by=by, change="resumed")
    return interest


@transaction.atomic
def job_interest_withdraw(*, membership: Membership, by: User) -> JobInterest:
    """`membership` no longer wants Omsorg jobs: no new jobs are offered to them."""
    interest = _existing(membership)
    interest.status = InterestStatus.WITHDRAWN
    interest.paused_until = None
    interest.save(update_fields=["status", "paused_until", "updated_at"])
    _interest_changed(interest, by=by, change="withdrawn")
    return interest


def closed_message(opening: JobOpening) -> str:
    """Why a job that is no longer open cannot be answered, in the senior's words."""
    if opening.status == OpeningStatus.WITHDRAWN:
        return _("Jobben er trukket tilbake, så den kan ikke lenger besvares.")
    return _("Jobben er tatt, så den kan ikke lenger besvares.")


@transaction.atomic
def opening_answer(
    *,
    opening: JobOpening,
    senior: Membership,
    answer: str,
    note: str,
    by: User,
    now: datetime | None = None,
) -> JobAnswer:
    """Record (or change) `senior`'s answer to `opening`: "Jeg kan ta den" or "Passer ikke".

    Only while the job is open and the senior is offered it (`is_eligible`); the job's row
    is locked so an answer never crosses the leader's choice or withdrawal.
    """
    if answer not in AnswerChoice.values:
        raise ValidationError(_("Velg et svar."), code="invalid")
    now = now or timezone.now()
    locked = JobOpening.objects.select_for_update().get(pk=opening.pk)
    if locked.status != OpeningStatus.OPEN:
        raise ValidationError(closed_message(locked), code=locked.status)
    if not is_eligible(membership=senior, opening=locked, on=timezone.localdate(now)):
        raise ValidationError(_("Du kan ikke svare på denne jobben nå."), code="not_offered")
    note = note.strip() if answer == AnswerChoice.YES else ""
    row = JobAnswer.objects.filter(opening=locked, senior=senior).first()
    before = row.answer if row else None
    if row is None:
        row = JobAnswer.objects.create(
            organization_id=locked.organization_id,
            opening=locked,
            senior=senior,
            answer=answer,
            note=note,
            answered_at=now,
        )
    else:
        row.answer, row.note, row.answered_at = answer, note, now
        row.save(update_fields=["answer", "note", "answered_at"])
    audit_record(
        organization=senior.organization,
        actor=by,
        action="opening.answered",
        obj=locked,
        details={"senior": senior.pk, "answer": answer, "before": before, "note": bool(note)},
    )
    return row
