"""The leader's side of a job offered to seniors: publish, withdraw, choose.

A leader publishes a job for a recipient who is ready for it: a passed screening (R1) for a
Bli kjent meeting, *Klar for plan* for regular visits. The job says where by area and postal
code only — never the recipient's name or street (data minimisation) — and goes to the
seniors `openings.eligibility` offers it to (opted in, cleared: R6), by e-mail and, with
the senior's own consent, SMS (`openings.notices`, each once per job and senior). The
leader chooses one of those who said yes (R6 checked again at that moment); the job is
filled, the chosen senior and the others who said yes are told, and the booking form or
the plan form opens filled in from the job (`prefill_url`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import CareRecipient, RecipientStatus
from omsorg.models import ServiceArea
from omsorg.services import screening_passed
from openings.eligibility import eligible_seniors, is_eligible
from openings.models import (
    AnswerChoice,
    JobAnswer,
    JobOpening,
    JobOpeningArea,
    OpeningKind,
    OpeningStatus,
)
from seniorene.accounts.models import Membership, User
from seniorene.audit.services import audit_record
from training.services import training_clearance, training_require_cleared
from visits.models import mask_to_weekdays, weekdays_to_mask

# Statuses in which a recipient may get a Bli kjent job (with a passed screening, R1):
# not yet booked, or back in screening after "prøv en annen senior".
INTAKE_STATUSES = frozenset({RecipientStatus.INQUIRY, RecipientStatus.SCREENING})
# The longest a Bli kjent meeting lasts (the manual: "max en time").
INTAKE_MINUTES = 60


def kinds_allowed(recipient: CareRecipient) -> list[OpeningKind]:
    """The kinds of job the recipient is ready for: Bli kjent after a passed screening,
    regular visits when *Klar for plan*."""
    if recipient.anonymised_at is not None:
        return []
    kinds = []
    if recipient.status in INTAKE_STATUSES and screening_passed(recipient):
        kinds.append(OpeningKind.INTAKE)
    if recipient.status == RecipientStatus.READY:
        kinds.append(OpeningKind.VISITS)
    return kinds


def open_opening_for(recipient: CareRecipient) -> JobOpening | None:
    """The recipient's job that is still open, if any (there is at most one)."""
    return (
        JobOpening.objects.filter(recipient=recipient, status=OpeningStatus.OPEN)
        .order_by("-published_at")
        .first()
    )


def prefill_where(recipient: CareRecipient) -> dict[str, str]:
    """Where the job is, as the form starts: the postal code and the postal town (poststed),
    never the name or the street. The leader may write a district instead."""
    return {"area": recipient.city.strip(), "postal_code": recipient.postal_code.strip()}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if len(w) >= 3}


def _names_the_recipient(recipient: CareRecipient, text: str) -> bool:
    """Whether `text` carries a word of the recipient's name or of their street (the
    address before its number). Postal towns are allowed: they are what `area` is for."""
    street = re.split(r"\d", recipient.address, maxsplit=1)[0]
    town = _words(recipient.city)
    personal = (_words(recipient.name) | _words(street)) - town
    return bool(personal & _words(text))


@dataclass(frozen=True)
class OpeningFields:
    """What the leader writes when publishing a job."""

    kind: str
    area: str
    postal_code: str
    weekdays: Sequence[int]  # 0 = Monday … 6 = Sunday
    start_time: time
    duration_minutes: int
    every_n_weeks: int
    first_date: date
    service_areas: Sequence[ServiceArea] = ()
    description: str = ""


@transaction.atomic
def opening_publish(
    *, recipient: CareRecipient, by: Membership, fields: OpeningFields, now: datetime | None = None
) -> JobOpening:
    """Publish a job for `recipient` to the department's eligible seniors.

    Refused unless the recipient is ready for its kind (see `kinds_allowed`), while the
    recipient already has an open job, and when the area or the description names the
    recipient or their street. Publishing with no eligible senior is allowed: the page says
    how many it reaches. Each eligible senior is told once (after commit).
    """
    now = now or timezone.now()
    recipient = CareRecipient.objects.select_for_update().get(pk=recipient.pk)
    if fields.kind not in kinds_allowed(recipient):
        raise ValidationError(
            _("Bli kjent-jobber krever bestått kartlegging; faste besøk krever «Klar for plan».")
            if fields.kind == OpeningKind.INTAKE or recipient.status != RecipientStatus.READY
            else _("Brukeren er ikke klar for denne typen jobb."),
            code="not_ready",
        )
    if open_opening_for(recipient) is not None:
        raise ValidationError(
            _("Brukeren har allerede en ledig jobb. Trekk den tilbake først."), code="already_open"
        )
    if not fields.weekdays:
        raise ValidationError(_("Velg minst én ukedag."), code="no_weekday")
    if fields.kind == OpeningKind.INTAKE and fields.duration_minutes > INTAKE_MINUTES:
        raise ValidationError(
            _("Bli kjent-møtet varer høyst én time (60 minutter)."), code="too_long"
        )
    area, description = fields.area.strip(), fields.description.strip()
    if _names_the_recipient(recipient, f"{area} {description}"):
        raise ValidationError(
            _(
                "Området og beskrivelsen kan ikke inneholde brukerens navn eller gateadresse: "
                "seniorene ser dem før noen er valgt."
            ),
            code="names_recipient",
        )
    opening = JobOpening.objects.create(
        organization_id=recipient.organization_id,
        department_id=recipient.department_id,
        recipient=recipient,
        kind=fields.kind,
        area=area,
        postal_code=fields.postal_code.strip(),
        weekdays=weekdays_to_mask(fields.weekdays),
        start_time=fields.start_time,
        duration_minutes=fields.duration_minutes,
        every_n_weeks=1 if fields.kind == OpeningKind.INTAKE else fields.every_n_weeks,
        first_date=fields.first_date,
        description=description,
        published_by=by,
        published_at=now,
    )
    JobOpeningArea.objects.bulk_create(
        JobOpeningArea(organization_id=opening.organization_id, opening=opening, service_area=a)
        for a in fields.service_areas
    )
    reaches = len(eligible_seniors(opening=opening, on=timezone.localdate(now)))
    audit_record(
        organization=recipient.organization,
        actor=by.user,
        action="opening.published",
        obj=opening,
        details={"kind": opening.kind, "reaches": reaches, "recipient": recipient.pk},
    )
    _after_commit("announce_opening", opening)
    return opening


@transaction.atomic
def opening_withdraw(*, opening: JobOpening, by: User | None, reason: str) -> JobOpening:
    """Take an open job back (with a reason the leaders read); the seniors no longer see it."""
    opening = JobOpening.objects.select_for_update().get(pk=opening.pk)
    if opening.status != OpeningStatus.OPEN:
        raise ValidationError(_("Jobben er ikke lenger ledig."), code="not_open")
    opening.status = OpeningStatus.WITHDRAWN
    opening.withdrawn_at = timezone.now()
    opening.withdrawn_reason = reason.strip()[:300]
    opening.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    audit_record(
        organization=opening.organization,
        actor=by,
        action="opening.withdrawn",
        obj=opening,
        details={"by_system": by is None},  # the reason's text stays out of the audit
    )
    return opening


@transaction.atomic
def opening_choose(
    *, opening: JobOpening, senior: Membership, by: Membership, now: datetime | None = None
) -> JobOpening:
    """Give the job to `senior`, one of those who said yes. R6 (and the rest of the rule
    that offers a job) is checked again now: a senior whose training lapsed, who paused
    or left since answering, cannot be chosen. The chosen senior and the others who said
    yes are told once each (after commit)."""
    now = now or timezone.now()
    opening = JobOpening.objects.select_for_update().get(pk=opening.pk)
    if opening.status != OpeningStatus.OPEN:
        raise ValidationError(_("Jobben er ikke lenger ledig."), code="not_open")
    said_yes = JobAnswer.objects.filter(
        opening=opening, senior=senior, answer=AnswerChoice.YES
    ).exists()
    if not said_yes:
        raise ValidationError(
            _("Du kan bare velge en senior som har sagt ja til jobben."), code="no_yes"
        )
    if not training_clearance(membership=senior).cleared:
        training_require_cleared(membership=senior)  # raises with what is missing (R6)
    if not is_eligible(membership=senior, opening=opening, on=timezone.localdate(now)):
        raise ValidationError(
            _(
                "%(name)s tar ikke omsorgsjobber nå (pause, trukket seg eller ikke lenger i "
                "avdelingen)."
            )
            % {"name": senior.user.name},
            code="not_eligible",
        )
    opening.status = OpeningStatus.FILLED
    opening.chosen = senior
    opening.chosen_by = by.user
    opening.chosen_at = now
    opening.save(update_fields=["status", "chosen", "chosen_by", "chosen_at"])
    audit_record(
        organization=opening.organization,
        actor=by.user,
        action="opening.chosen",
        obj=opening,
        details={"senior": senior.pk, "kind": opening.kind},
    )
    _after_commit("announce_choice", opening)
    return opening


def prefill_url(opening: JobOpening) -> str:
    """The booking form (Bli kjent) or the plan form (visits) for the job's recipient,
    filled in from the job and its chosen senior by GET parameters the forms read."""
    start = opening.start_time.strftime("%H:%M")
    params: list[tuple[str, str | int]] = []
    if opening.chosen_id:
        params.append(("senior", opening.chosen_id))
    if opening.kind == OpeningKind.INTAKE:
        params += [
            ("date", opening.first_date.isoformat()),
            ("start", start),
            ("duration_minutes", min(opening.duration_minutes, INTAKE_MINUTES)),
        ]
        return f"{reverse('omsorg:book', args=[opening.recipient_id])}?{urlencode(params)}"
    params += [("weekdays", day) for day in mask_to_weekdays(opening.weekdays)]
    params += [
        ("start_time", start),
        ("duration_minutes", opening.duration_minutes),
        ("every_n_weeks", opening.every_n_weeks),
        ("first_date", opening.first_date.isoformat()),
    ]
    areas = JobOpeningArea.objects.filter(opening=opening).order_by("service_area_id")
    params += [("service_areas", a.service_area_id) for a in areas]
    return f"{reverse('visits:plan_create', args=[opening.recipient_id])}?{urlencode(params)}"


def _after_commit(task_name: str, opening: JobOpening) -> None:
    from openings import tasks

    task = getattr(tasks, task_name)
    org_id, pk = opening.organization_id, opening.pk
    transaction.on_commit(lambda: task.delay(org_id, pk))


# --- The recipient's life cycle (customers.hooks) -------------------------------------------


def openings_withdraw_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """R11: an ended or paused recipient's open jobs are withdrawn."""
    reason = (
        _("Brukeren er avsluttet.")
        if recipient.status == RecipientStatus.ENDED
        else _("Brukeren har pause.")
    )
    for opening in JobOpening.objects.filter(recipient=recipient, status=OpeningStatus.OPEN):
        opening_withdraw(opening=opening, by=by, reason=reason)
