"""Screening (R1), the Bli kjent interview and its completion (R7), R2, the review queue."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import CareRecipient, CustomerKind, RecipientStatus, StatusChange
from customers.services import (
    current_customer,
    recipient_advance_status,
    recipient_anonymised_label,
    relative_mark_visit_contact,
)
from ledger.services import ledger_record_intake
from omsorg.defaults import DEFAULT_CRITERIA, DEFAULT_SERVICE_AREAS
from omsorg.meetings import announce_after_commit
from omsorg.models import (
    AdminNotification,
    Criterion,
    CriterionKind,
    DeclineReason,
    IntakeInterview,
    InterviewCriterionAnswer,
    InterviewStatus,
    LeaderNotice,
    Outcome,
    PdfStatus,
    Preparer,
    Screening,
    ScreeningAnswer,
    ScreeningOutcome,
    ServiceArea,
)
from omsorg.pdf import interview_pdf_path
from omsorg.selectors import parse_interview_contact
from omsorg.tasks import notify_admin_of_intake, notify_leaders_of_intake, render_interview_pdf
from seniorene.accounts.models import Department, Membership, Organization, Role, User
from seniorene.audit.services import audit_record, audit_relabel

log = logging.getLogger(__name__)


def omsorg_seed_defaults(*, organization: Organization) -> None:
    """Give a new organization the manual's service areas and criteria (idempotent)."""
    for position, (name, is_training) in enumerate(DEFAULT_SERVICE_AREAS):
        ServiceArea.objects.get_or_create(
            organization=organization,
            name=name,
            defaults={"is_training": is_training, "position": position},
        )
    if not Criterion.objects.for_organization(organization).exists():
        for position, (kind, text, help_text) in enumerate(DEFAULT_CRITERIA):
            Criterion.objects.create(
                organization=organization,
                kind=kind,
                text=text,
                help_text=help_text,
                position=position,
            )


def active_criteria(organization_id: int, kind: str) -> list[Criterion]:
    return list(
        Criterion.objects.for_organization(organization_id).filter(kind=kind, is_active=True)
    )


# --- Screening (R1) ---------------------------------------------------------------


@transaction.atomic
def screening_record(
    *,
    recipient: CareRecipient,
    by: Membership,
    answers: dict[int, tuple[bool, str]],
    note: str = "",
) -> Screening:
    """Record the leader's screening: passed only when every active criterion is met."""
    criteria = active_criteria(recipient.organization_id, CriterionKind.SCREENING)
    if not criteria:
        raise ValidationError(_("Organisasjonen har ingen kartleggingskriterier."))
    missing = [c.text for c in criteria if c.pk not in answers]
    if missing:
        raise ValidationError(_("Svar på alle kriteriene: %(list)s") % {"list": "; ".join(missing)})
    passed = all(answers[c.pk][0] for c in criteria)
    screening = Screening.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        outcome=ScreeningOutcome.PASSED if passed else ScreeningOutcome.NOT_PASSED,
        note=note.strip(),
        screened_by=by.user,
    )
    ScreeningAnswer.objects.bulk_create(
        [
            ScreeningAnswer(
                organization_id=recipient.organization_id,
                screening=screening,
                criterion=c,
                wording=c.text,
                met=answers[c.pk][0],
                note=answers[c.pk][1][:500],
            )
            for c in criteria
        ]
    )
    recipient_advance_status(
        recipient=recipient,
        by=by,
        when_in=RecipientStatus.INQUIRY,
        to_status=RecipientStatus.SCREENING,
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="screening.recorded",
        obj=recipient,
        details={"outcome": screening.outcome},
    )
    return screening


def latest_screening(recipient: CareRecipient) -> Screening | None:
    return recipient.screenings.order_by("-at", "-pk").first()


def screening_passed(recipient: CareRecipient) -> bool:
    """R1: the latest screening passed every criterion."""
    return screening_passes(latest_screening(recipient))


def screening_passes(latest: Screening | None) -> bool:
    """R1 for an already-read latest screening (None: not screened)."""
    return latest is not None and latest.passed


# --- Booking ----------------------------------------------------------------------


def relative_is_customer(recipient: CareRecipient) -> bool:
    customer = current_customer(recipient)
    return customer is not None and customer.kind == CustomerKind.RELATIVE


# A screening older than this asks the leader for a reason before a meeting is booked.
SCREENING_FRESH_DAYS = 60


def booking_cautions(recipient: CareRecipient, *, now: datetime | None = None) -> list[str]:
    """Why booking a Bli kjent meeting for `recipient` asks for a written reason (empty:
    it does not). The manual: "utvise forsiktighet med å avtale disse møtene" — they are
    paid and never invoiced. A second meeting (an earlier one booked or completed, not
    cancelled), or a latest passed screening older than `SCREENING_FRESH_DAYS` days."""
    now = now or timezone.now()
    found: list[str] = []
    earlier = list(
        recipient.interviews.exclude(status=InterviewStatus.CANCELLED)
        .select_related("senior__user")
        .order_by("starts_at", "pk")
    )
    if earlier:
        last = earlier[-1]
        found.append(
            _(
                "%(name)s har allerede %(count)s Bli kjent-møte (siste: %(when)s med %(senior)s, "
                "%(status)s). Et nytt møte betales og faktureres ikke."
            )
            % {
                "name": recipient.name,
                "count": len(earlier),
                "when": timezone.localtime(last.starts_at).strftime("%d.%m.%Y"),
                "senior": last.senior.user.name,
                "status": last.get_status_display().lower(),
            }
        )
    latest = latest_screening(recipient)
    if (
        latest is not None
        and latest.passed
        and latest.at < now - timedelta(days=SCREENING_FRESH_DAYS)
    ):
        found.append(
            _(
                "Siste kartlegging er fra %(date)s, mer enn %(days)s dager siden. "
                "Vurder å kartlegge på nytt."
            )
            % {
                "date": timezone.localtime(latest.at).strftime("%d.%m.%Y"),
                "days": SCREENING_FRESH_DAYS,
            }
        )
    return found


@transaction.atomic
def interview_book(
    *,
    recipient: CareRecipient,
    by: Membership,
    senior: Membership,
    starts_at: datetime,
    duration_minutes: int = 60,
    relative_attends: bool | None = None,
    prepared_by: str = Preparer.SENIOR,
    reason: str = "",
    clashes: Sequence[str] = (),
) -> IntakeInterview:
    """Book the Bli kjent meeting: screening passed (R1), a trained senior (R6), max 1 hour.

    A meeting that asks for caution (`booking_cautions`) needs a written `reason`; it is
    stored on the meeting and audited. `clashes`: what the leader was shown at that time
    and confirmed ("Book likevel"), kept in the audit row.
    """
    from training.services import training_require_cleared

    if not screening_passed(recipient):
        raise ValidationError(
            _("Bli kjent-møtet kan ikke avtales før kartleggingen er gjennomført og bestått.")
        )
    if recipient.status == RecipientStatus.ENDED:
        raise ValidationError(_("Brukeren er avsluttet."))
    if senior.organization_id != recipient.organization_id or senior.role != Role.SENIOR:
        raise ValidationError(_("Velg en senior i organisasjonen."))
    if not 15 <= duration_minutes <= 60:
        raise ValidationError(_("Bli kjent-møtet varer høyst én time."))
    if starts_at < timezone.now() - timedelta(days=1):
        raise ValidationError(_("Tidspunktet har allerede vært."))
    training_require_cleared(membership=senior)
    CareRecipient.objects.select_for_update().filter(pk=recipient.pk).first()  # one at a time
    cautions = booking_cautions(recipient)
    reason = reason.strip()
    if cautions and not reason:
        raise ValidationError(
            _("Skriv en begrunnelse for møtet: %(why)s") % {"why": " ".join(cautions)},
            code="reason_required",
        )
    if len(reason) > 500:
        raise ValidationError(_("Begrunnelsen kan være høyst 500 tegn."))
    if relative_attends is None:
        relative_attends = relative_is_customer(recipient)
    interview = IntakeInterview.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        senior=senior,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        relative_attends=relative_attends,
        prepared_by=prepared_by,
        q3_prepared_by=prepared_by,
        booked_by=by.user,
        caution_reason=reason if cautions else "",
    )
    InterviewCriterionAnswer.objects.bulk_create(
        [
            InterviewCriterionAnswer(
                organization_id=recipient.organization_id,
                interview=interview,
                criterion=c,
                wording=c.text,
            )
            for c in active_criteria(recipient.organization_id, CriterionKind.TRAINING)
        ]
    )
    recipient_advance_status(
        recipient=recipient,
        by=by,
        when_in=RecipientStatus.SCREENING,
        to_status=RecipientStatus.INTAKE_BOOKED,
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="interview.booked",
        obj=interview,
        details={
            "senior": senior.pk,
            "starts_at": starts_at.isoformat(),
            **({"cautions": cautions, "reason": reason} if cautions else {}),
            **({"clashes_confirmed": list(clashes)} if clashes else {}),
        },
    )
    announce_after_commit(interview, "booked")
    return interview


# --- The form -----------------------------------------------------------------------

FORM_FIELDS = (
    "q2_informed",
    "q3_prepared_by",
    "q4_contact_name",
    "q4_contact_phone",
    "q5_likes",
    "q6_avoid",
    "q7_cognitive",
    "q8_falls",
    "q9_frequency",
    "decline_note",
)


# Kept with a draft too, so the phone's reload shows them; checked at completion.
OUTCOME_FIELDS = ("outcome", "decline_reason", "decline_note", "recontact_on")


def _apply_answers(
    interview: IntakeInterview, data: dict[str, Any], criteria: dict[int, bool | None]
) -> list[str]:
    changed = []
    for field in (*FORM_FIELDS, *OUTCOME_FIELDS):
        if field in data and data[field] is not None and getattr(interview, field) != data[field]:
            setattr(interview, field, data[field])
            changed.append(field)
    for answer in interview.criterion_answers.all():
        if answer.pk in criteria and answer.met != criteria[answer.pk]:
            answer.met = criteria[answer.pk]
            answer.save(update_fields=["met"])
    return changed


@transaction.atomic
def interview_save_draft(
    *,
    interview: IntakeInterview,
    by: Membership,
    data: dict[str, Any],
    criteria: dict[int, bool | None] | None = None,
) -> IntakeInterview:
    """Autosave: keep what the senior has typed so far; saving the same twice is harmless.

    `data` may hold "km" (the kilometres typed so far; None when the field is empty), so
    that every field of the form survives a reload, km included.
    """
    interview = IntakeInterview.objects.select_for_update().get(pk=interview.pk)
    if interview.status != InterviewStatus.BOOKED:
        raise ValidationError(_("Skjemaet er allerede levert."))
    changed = _apply_answers(interview, data, criteria or {})
    if "km" in data and interview.km != data["km"]:
        if data["km"] is not None and data["km"] < 0:
            raise ValidationError(_("Kilometer kan ikke være negativt."))
        interview.km = data["km"]
        changed.append("km")
    interview.draft_saved_at = timezone.now()
    interview.full_clean(exclude=["recipient", "senior", "booked_by", "completed_by"])
    interview.save(update_fields=[*changed, "draft_saved_at"])
    return interview


def _person_line(recipient: CareRecipient) -> str:
    return f"{recipient.name}, {recipient.age} år, {recipient.full_address}"


@transaction.atomic
def interview_complete(
    *,
    interview: IntakeInterview,
    by: Membership,
    data: dict[str, Any],
    criteria: dict[int, bool | None],
    km: Decimal | None,
    outcome: str,
    decline_reason: str = "",
    decline_note: str = "",
    recontact_on: date | None = None,
) -> IntakeInterview:
    """Complete the interview in one transaction.

    1. Save the answers; every training criterion must be answered yes or no, and the
       outcome given (a decline with its reason; "annet" with a few words).
    2. Hours for the senior, paid and never invoiced; km with purpose
       "bli kjent møte" and no customer (R7, held by `ledger.services`).
    3. The recipient's status follows the outcome (`OUTCOME_STATUS`); nothing turns
       active here: the first visit plan does that.
    4. Question 4's relative becomes the recipient's contact during visits (added, or
       an existing relative with that phone or name marked), so no leader retypes it.
    5. Admin is notified (who, by whom, when — not the content) by a row and e-mail;
       the department's leaders each get a notice on *Følg opp* and an e-mail with a
       link to the next step (`omsorg.notices.leader_notice_email`).
    6. The PDF is queued after commit.
    """
    interview = (
        IntakeInterview.objects.select_for_update()
        .select_related("recipient__department", "senior__user")
        .get(pk=interview.pk)
    )
    if interview.status == InterviewStatus.COMPLETED:
        return interview  # a second press of "Fullfør" changes nothing
    if interview.status != InterviewStatus.BOOKED:
        raise ValidationError(_("Møtet er avlyst."))
    _apply_answers(interview, data, criteria)
    unanswered = [a.wording for a in interview.criterion_answers.all() if a.met is None]
    if unanswered:
        raise ValidationError(
            _("Svar ja eller nei på alle tre kriteriene: %(list)s")
            % {"list": "; ".join(unanswered)}
        )
    if km is not None and km < 0:
        raise ValidationError(_("Kilometer kan ikke være negativt."))
    _check_outcome(outcome, decline_reason, decline_note)
    declined = outcome == Outcome.DECLINED
    interview.outcome = outcome
    interview.decline_reason = decline_reason if declined else ""
    interview.decline_note = decline_note.strip() if declined else ""
    interview.recontact_on = recontact_on if declined else None
    recipient = interview.recipient
    now = timezone.now()
    interview.q1_person = _person_line(recipient)
    interview.km = km
    interview.status = InterviewStatus.COMPLETED
    interview.completed_at = now
    interview.completed_by = by.user
    interview.pdf_status = PdfStatus.PENDING
    interview.full_clean(exclude=["recipient", "senior", "booked_by", "completed_by"])
    interview.save()

    day = timezone.localdate(interview.starts_at)
    ledger_record_intake(
        organization_id=interview.organization_id,
        senior=interview.senior,
        interview_id=interview.pk,
        day=day,
        minutes=interview.duration_minutes,
        km=km,
    )
    recipient_advance_status(
        recipient=recipient,
        by=by,
        when_in=RecipientStatus.INTAKE_BOOKED,
        to_status=OUTCOME_STATUS[outcome],
    )
    contact = parse_interview_contact(interview.q4_contact_name, interview.q4_contact_phone)
    if contact is not None:
        relative_mark_visit_contact(
            recipient=recipient,
            by=by,
            name=contact.name,
            phone=contact.phone,
            relation=contact.relation,
            source=f"interview:{interview.pk}",
        )
    notification = AdminNotification.objects.create(
        organization_id=interview.organization_id,
        interview=interview,
        department=recipient.department,
        recipient_name=recipient.name,
        senior_name=interview.senior.user.name,
        met_on=day,
    )
    leader_notices_create(interview=interview)
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="interview.completed",
        obj=interview,
        details={"outcome": outcome},
    )
    org_id = interview.organization_id
    transaction.on_commit(lambda: _after_completion(org_id, interview.pk, notification.pk))
    return interview


def _after_completion(organization_id: int, interview_id: int, notification_id: int) -> None:
    render_interview_pdf.delay(organization_id, interview_id)
    notify_admin_of_intake.delay(organization_id, notification_id)
    notify_leaders_of_intake.delay(organization_id, interview_id)


# The recipient's status after each outcome, from "Bli kjent avtalt": a good match is
# ready for its plan (the plan activates), another senior means a new meeting may be
# booked (the screening still holds), a decline is kept for the recontact.
OUTCOME_STATUS: dict[str, str] = {
    Outcome.GOOD_MATCH: RecipientStatus.READY,
    Outcome.TRY_ANOTHER: RecipientStatus.SCREENING,
    Outcome.DECLINED: RecipientStatus.DECLINED,
}


def _check_outcome(outcome: str, decline_reason: str, decline_note: str) -> None:
    if outcome not in Outcome.values:
        raise ValidationError(
            {"outcome": _("Velg utfallet av møtet: god match, prøv en annen senior, eller nei.")}
        )
    if outcome != Outcome.DECLINED:
        return
    if decline_reason not in DeclineReason.values:
        raise ValidationError({"decline_reason": _("Velg hvorfor brukeren takker nei.")})
    if decline_reason == DeclineReason.OTHER and not decline_note.strip():
        raise ValidationError(
            {"decline_note": _("Skriv kort hvorfor brukeren takker nei, når du velger «Annet».")}
        )


def leader_notices_create(*, interview: IntakeInterview) -> list[LeaderNotice]:
    """One notice per active leader of the recipient's department (once per leader)."""
    leaders = Membership.objects.for_organization(interview.organization_id).filter(
        role=Role.LEADER,
        is_active=True,
        departments=interview.recipient.department_id,
    )
    notices = []
    for leader in leaders.distinct():
        notice, _created = LeaderNotice.objects.get_or_create(
            organization_id=interview.organization_id, interview=interview, leader=leader
        )
        notices.append(notice)
    return notices


@transaction.atomic
def leader_notice_mark_seen(*, notice: LeaderNotice, by: Membership) -> None:
    if notice.seen_at is not None:
        return
    notice.seen_at = timezone.now()
    notice.save(update_fields=["seen_at"])
    audit_record(
        organization=by.organization, actor=by.user, action="leader_notice.seen", obj=notice
    )


@transaction.atomic
def recontact_mark_done(*, interview: IntakeInterview, by: Membership) -> None:
    """The leader has contacted the recipient who declined: off *Følg opp*."""
    if interview.recontact_done_at is not None or interview.recontact_on is None:
        return
    interview.recontact_done_at = timezone.now()
    interview.recontact_done_by = by.user
    interview.save(update_fields=["recontact_done_at", "recontact_done_by"])
    audit_record(
        organization=by.organization, actor=by.user, action="interview.recontacted", obj=interview
    )


def latest_completed_interview(recipient: CareRecipient) -> IntakeInterview | None:
    """The recipient's last completed Bli kjent meeting (its outcome is the one that counts,
    and its criterion answers decide R2), with its senior and answers."""
    return (
        recipient.interviews.filter(status=InterviewStatus.COMPLETED)
        .select_related("senior__user")
        .prefetch_related("criterion_answers")
        .order_by("-completed_at", "-pk")
        .first()
    )


class NotGiven:
    """The default of an argument whose None means something ("no such meeting")."""


NOT_GIVEN = NotGiven()


@transaction.atomic
def notification_mark_reviewed(*, notification: AdminNotification, by: Membership) -> None:
    if notification.reviewed_at is not None:
        return
    notification.reviewed_at = timezone.now()
    notification.reviewed_by = by.user
    notification.save(update_fields=["reviewed_at", "reviewed_by"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="notification.reviewed",
        obj=notification,
    )


def interview_pdf_retry(*, interview: IntakeInterview, by: Membership) -> bool:
    """Render a completed interview's PDF again unless it is ready or the recipient is
    anonymised; True if it was queued."""
    if (
        interview.status != InterviewStatus.COMPLETED
        or interview.pdf_status == PdfStatus.READY
        or interview.recipient.anonymised_at is not None
    ):
        return False
    IntakeInterview.objects.filter(pk=interview.pk).update(pdf_status=PdfStatus.PENDING)
    audit_record(
        organization=by.organization, actor=by.user, action="interview.pdf_retried", obj=interview
    )
    render_interview_pdf.delay(interview.organization_id, interview.pk)
    return True


# --- The organization's service areas and criteria -----------------------------------------


@transaction.atomic
def service_area_save(*, area: ServiceArea, by: Membership) -> ServiceArea:
    """Create or update one of the organization's service areas, with its audit row."""
    _organization_row_save(obj=area, by=by, action="service_area")
    return area


@transaction.atomic
def criterion_save(*, criterion: Criterion, by: Membership) -> Criterion:
    """Create or update (reword, retire) one of the organization's criteria, with its audit row."""
    _organization_row_save(obj=criterion, by=by, action="criterion")
    return criterion


def _organization_row_save(*, obj: ServiceArea | Criterion, by: Membership, action: str) -> None:
    created = obj.pk is None
    obj.organization = by.organization
    obj.save()
    audit_record(
        organization=by.organization,
        actor=by.user,
        action=f"{action}.{'created' if created else 'updated'}",
        obj=obj,
    )


# --- R2 -------------------------------------------------------------------------------


def training_visits_allowed(
    *, recipient: CareRecipient, latest: IntakeInterview | None | NotGiven = NOT_GIVEN
) -> tuple[bool, str]:
    """R2: may plans include the quality visit with training? (allowed, reason if not).
    The answer of the latest completed Bli kjent meeting counts; a caller that has already
    read that meeting (`latest_completed_interview`, None for none) passes it."""
    interview = latest_completed_interview(recipient) if isinstance(latest, NotGiven) else latest
    if interview is None:
        return False, _("Kvalitetsbesøk med trening krever et gjennomført Bli kjent-møte.")
    failed = [a.wording for a in interview.criterion_answers.all() if a.met is not True]
    if failed:
        return False, _("Ikke oppfylt i Bli kjent-møtet: %(list)s") % {"list": "; ".join(failed)}
    return True, ""


def service_areas_allowed(*, recipient: CareRecipient, areas: Sequence[ServiceArea]) -> None:
    """Raise ValidationError if `areas` include training and R2 does not allow it."""
    if any(a.is_training for a in areas):
        allowed, reason = training_visits_allowed(recipient=recipient)
        if not allowed:
            raise ValidationError(reason)


# --- PDF ----------------------------------------------------------------------------------


def blank_interview_pdf(*, organization: Organization) -> bytes:
    from seniorene.pdf import render_pdf

    criteria = [c.text for c in active_criteria(organization.pk, CriterionKind.TRAINING)]
    return render_pdf(
        "pdf/interview.html",
        {
            "interview": None,
            "criteria": criteria,
            "outcomes": [label for _v, label in Outcome.choices],
            "organization": organization,
        },
    )


# --- Funnel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    median_days_from_previous: float | None


def intake_funnel(
    *,
    organization: Organization,
    since: datetime | None = None,
    until: datetime | None = None,
    department: Department | None = None,
) -> list[FunnelStep]:
    """Inquiries and then each step of `omsorg.funnel.STEPS`, with median days between steps.

    A true funnel (the rule is written in `omsorg.funnel`): a recipient counts at a step only
    when it reached every step before it. `since`/`until`: only recipients registered in
    [since, until); `department`: only its recipients. Four queries whatever the numbers."""
    from omsorg.funnel import STEPS

    recipients = CareRecipient.objects.for_organization(organization)
    if since is not None:
        recipients = recipients.filter(created_at__gte=since)
    if until is not None:
        recipients = recipients.filter(created_at__lt=until)
    if department is not None:
        recipients = recipients.filter(department=department)
    created: dict[int, datetime] = dict(recipients.values_list("pk", "created_at"))

    def first(rows: Any) -> dict[int, datetime]:
        seen: dict[int, datetime] = {}
        for rid, at in rows:
            seen[rid] = min(at, seen.get(rid, at))
        return seen

    screened = first(
        Screening.objects.filter(
            recipient_id__in=created, outcome=ScreeningOutcome.PASSED
        ).values_list("recipient_id", "at")
    )
    completed = list(
        IntakeInterview.objects.filter(
            recipient_id__in=created, status=InterviewStatus.COMPLETED
        ).values_list("recipient_id", "completed_at", "outcome")
    )
    # A completed interview has its time.
    met = first((rid, cast(datetime, at)) for rid, at, _o in completed)
    matched = first(
        (rid, cast(datetime, at)) for rid, at, outcome in completed if outcome == Outcome.GOOD_MATCH
    )
    active = first(
        StatusChange.objects.filter(
            recipient_id__in=created, to_status=RecipientStatus.ACTIVE
        ).values_list("recipient_id", "at")
    )
    result = [FunnelStep(_("Henvendelser"), len(created), None)]
    previous = created
    for step, reached in zip(STEPS, (screened, met, matched, active), strict=True):
        through = {r: at for r, at in reached.items() if r in previous}
        gaps = [(at - previous[r]).total_seconds() / 86400 for r, at in through.items()]
        median = round(statistics.median(gaps), 1) if gaps else None
        result.append(FunnelStep(str(step.label), len(through), median))
        previous = through
    return result


def interviews_cancel_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """R11: an ended or paused recipient's booked Bli kjent meetings are cancelled (and each
    senior told)."""
    booked = IntakeInterview.objects.filter(recipient=recipient, status=InterviewStatus.BOOKED)
    ids = list(booked.values_list("pk", flat=True))
    cancelled = booked.update(status=InterviewStatus.CANCELLED, changed_at=timezone.now())
    for interview in IntakeInterview.objects.filter(pk__in=ids):
        announce_after_commit(interview, "cancelled")
    if cancelled:
        audit_record(
            organization=recipient.organization,
            actor=by,
            action="interview.cancelled",
            obj=recipient,
            details={"count": cancelled},
        )


# --- Retention and the data-access export (customers.hooks) ---------------------------------

# The interview's free-text answers; the choices (q2, q3), the criteria's yes/no, times and
# km stay for statistics and bookkeeping.
INTERVIEW_FREE_TEXT = (
    "q1_person",
    "q4_contact_name",
    "q4_contact_phone",
    "q5_likes",
    "q6_avoid",
    "q7_cognitive",
    "q8_falls",
    "q9_frequency",
    "decline_note",
)


def omsorg_anonymise_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Retention: the interview's answers and PDF, screening notes and the notice's name go."""
    label = recipient_anonymised_label(recipient)
    interviews = IntakeInterview.objects.filter(recipient=recipient)
    paths = {interview_pdf_path(i) for i in interviews} | set(
        interviews.exclude(pdf_file="").values_list("pdf_file", flat=True)
    )
    interviews.update(
        **dict.fromkeys(INTERVIEW_FREE_TEXT, ""),
        cancel_reason="",
        caution_reason="",
        pdf_status=PdfStatus.NONE,
        pdf_file="",
        pdf_error="",
    )
    # The files go once the anonymisation is committed (a rollback keeps them).
    transaction.on_commit(lambda: _delete_files(paths))
    screenings = Screening.objects.filter(recipient=recipient)
    screenings.update(note="")
    ScreeningAnswer.objects.filter(screening__recipient=recipient).update(note="")
    notifications = AdminNotification.objects.filter(interview__recipient=recipient)
    notifications.update(recipient_name=label)
    org_id = recipient.organization_id
    audit_relabel(
        organization_id=org_id,
        model=IntakeInterview,
        ids=interviews.values_list("pk", flat=True),
        label=_("Bli kjent: %(label)s") % {"label": label},
    )
    audit_relabel(
        organization_id=org_id,
        model=AdminNotification,
        ids=notifications.values_list("pk", flat=True),
        label=_("Bli kjent: %(label)s") % {"label": label},
    )


def _delete_files(paths: set[str]) -> None:
    for path in sorted(paths):
        if default_storage.exists(path):
            default_storage.delete(path)


def omsorg_export_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """The recipient's screenings and Bli kjent interviews (questions and answers)."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    def yes_no(met: bool | None) -> str:
        return _("Ja") if met else _("Nei") if met is False else _("Ikke besvart")

    screenings = recipient.screenings.select_related("screened_by").prefetch_related("answers")
    interviews = (
        recipient.interviews.select_related("senior__user")
        .prefetch_related("criterion_answers")
        .order_by("starts_at", "pk")
    )
    questions = [
        cast(models.Field, IntakeInterview._meta.get_field(f))  # the form's own fields
        for f in ("q1_person", *FORM_FIELDS)
    ]
    return {
        "screenings": [
            {
                "at": when(s.at),
                "by": str(s.screened_by),
                "outcome": s.get_outcome_display(),
                "note": s.note,
                "criteria": [
                    f"{a.wording}: {yes_no(a.met)}" + (f" ({a.note})" if a.note else "")
                    for a in s.answers.all()
                ],
            }
            for s in screenings.order_by("at", "pk")
        ],
        "interviews": [
            {
                "at": when(i.starts_at),
                "minutes": i.duration_minutes,
                "senior": str(i.senior.user),
                "status": i.get_status_display(),
                "relative_attends": i.relative_attends,
                "caution_reason": i.caution_reason,
                "completed": when(i.completed_at),
                **{
                    str(field.verbose_name): (
                        getattr(i, f"get_{field.name}_display")()
                        if field.choices
                        else getattr(i, field.name)
                    )
                    for field in questions
                },
                "criteria": [f"{a.wording}: {yes_no(a.met)}" for a in i.criterion_answers.all()],
                "outcome": i.get_outcome_display(),
                "decline_reason": i.get_decline_reason_display(),
                "decline_note": i.decline_note,
                "recontact_on": i.recontact_on.isoformat() if i.recontact_on else None,
            }
            for i in interviews
        ],
    }
