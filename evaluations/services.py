"""When an evaluation goes, to whom, and what happens with the answer.

**When.** A recipient who is active (not paused, ended or anonymised) is due

1. after their fourth logged visit (`AFTER_VISITS`), once: the first evaluation;
2. then every three months (`EVERY_MONTHS`, Oslo calendar days) from the last evaluation
   *sent*, provided a visit was logged since (nobody is asked about visits that did not
   happen).

**To whom.** The current customer decides: a relative who is the customer is asked; a
recipient who is their own customer is asked themself; a municipality or nursing home
customer (or no customer) means nobody is asked: the municipality's case officer is not the
one who sees the visits, and the recipient did not order the service (the leader follows
such recipients up in person). The person needs a mobile number and the visit-summary
consent (`SmsPurpose.EVALUATION_SMS` is sent under it; checked here, when queued and when
sent, R4/R5). Someone not asked today (no consent yet, no number) is asked on a later day
once that changes.

**Once.** The daily job (`evaluations.jobs`) locks the recipient's row, so two runs cannot
both decide; the evaluation is the recipient's `number`-th (unique per recipient), and its
SMS has the key ``evaluation:<recipient>:<number>`` (R8). A rerun finds the evaluation just
sent and sends nothing.

**The link** carries a random secret; only its SHA-256 is stored. It works for `LINK_DAYS`
and for one answer: `evaluation_answer` writes with a conditional update on "not answered,
not expired", so a second submission (or two at once) changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.consent import may_send
from customers.contacts import contact_person
from customers.models import CareRecipient, CustomerKind, RecipientStatus, Relative
from customers.services import current_customer
from evaluations.models import COMMENT_MAX, Evaluation, EvaluationReason, Helps
from messaging.models import SmsAudience, SmsPurpose, consent_purpose
from messaging.services import sms_queue, sms_render
from seniorene.accounts.models import Membership
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.services import audit_record
from seniorene.jobs.registry import Tally
from visits.models import Visit, VisitStatus

AFTER_VISITS = 4
EVERY_MONTHS = 3
LINK_DAYS = 30
PURPOSE = SmsPurpose.EVALUATION_SMS
TOKEN_BYTES = 24  # 32 characters in the link


def token_hash(token: str) -> str:
    """The stored form of a link's secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on (31 January + 1 month: 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class Asked:
    """Who an evaluation goes to: a relative, or (relative None) the recipient."""

    relative: Relative | None
    name: str

    @property
    def audience(self) -> str:
        return SmsAudience.RELATIVE if self.relative is not None else SmsAudience.RECIPIENT


def who_is_asked(recipient: CareRecipient) -> Asked | None:
    """The customer relative, or the recipient when they are the customer; else None."""
    customer = current_customer(recipient)
    if customer is None:
        return None
    if customer.kind == CustomerKind.RELATIVE and customer.relative is not None:
        return Asked(relative=customer.relative, name=customer.relative.name)
    if customer.kind == CustomerKind.RECIPIENT:
        return Asked(relative=None, name=recipient.name)
    return None  # a municipality or a nursing home: see the module


def logged_visits(recipient_id: int, *, since: datetime | None = None) -> int:
    """How many of the recipient's visits are logged (that began after `since`)."""
    rows = Visit.objects.filter(recipient_id=recipient_id, status=VisitStatus.LOGGED)
    if since is not None:
        rows = rows.filter(starts_at__gt=since)
    return rows.count()


def evaluation_due(recipient: CareRecipient, *, now: datetime) -> str | None:
    """Why the recipient is due an evaluation at `now` (an `EvaluationReason`), or None."""
    if recipient.status != RecipientStatus.ACTIVE or recipient.anonymised_at is not None:
        return None
    last = Evaluation.objects.filter(recipient=recipient).order_by("-number").first()
    if last is None:
        if logged_visits(recipient.pk) >= AFTER_VISITS:
            return EvaluationReason.AFTER_FOURTH_VISIT
        return None
    next_day = add_months(timezone.localtime(last.created_at).date(), EVERY_MONTHS)
    if timezone.localtime(now).date() < next_day:
        return None
    if logged_visits(recipient.pk, since=last.created_at) == 0:
        return None
    return EvaluationReason.EVERY_THREE_MONTHS


def evaluation_url(token: str) -> str:
    return settings.SITE_URL + reverse("evaluations:answer", args=[token])


def _first_name(name: str) -> str:
    return (name.split() or [name])[0]


def _sms_body(
    *, recipient: CareRecipient, asked: Asked, contact: Membership | None, url: str
) -> str:
    return sms_render(
        purpose="evaluation_sms",
        context={
            "name": _first_name(asked.name),
            "recipient_name": _first_name(recipient.name),
            "to_recipient": asked.relative is None,
            "url": url,
            "days": LINK_DAYS,
            "contact_name": contact.user.name if contact else "",
            "contact_phone": contact.user.phone.as_national
            if contact and contact.user.phone
            else "",
            "organization": recipient.organization,
        },
    )


def evaluation_send(*, organization_id: int, recipient_id: int, now: datetime) -> str:
    """Ask the recipient's customer (see the module) if due: "sent", or "skipped" (not due,
    nobody to ask, no number or consent, or already sent)."""
    with tenant_context(organization_id):
        recipient = (
            CareRecipient.objects.for_organization(organization_id)
            .select_for_update()
            .select_related("organization")
            .filter(pk=recipient_id)
            .first()
        )
        if recipient is None:
            return "skipped"
        reason = evaluation_due(recipient, now=now)
        asked = who_is_asked(recipient) if reason else None
        if reason is None or asked is None:
            return "skipped"
        phone = asked.relative.phone if asked.relative is not None else recipient.phone
        relative_id = asked.relative.pk if asked.relative is not None else None
        if not phone or not may_send(
            recipient_id=recipient.pk,
            relative_id=relative_id,
            purpose=consent_purpose(PURPOSE),
            at=now,
        ):
            return "skipped"
        last = Evaluation.objects.filter(recipient=recipient).order_by("-number").first()
        number = (last.number if last else 0) + 1
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    organization_id=organization_id,
                    recipient=recipient,
                    relative=asked.relative,
                    asked_recipient=asked.relative is None,
                    department_id=recipient.department_id,
                    reason=reason,
                    number=number,
                    token_hash=token_hash(token),
                    created_at=now,
                    expires_at=now + timedelta(days=LINK_DAYS),
                )
                message, created = sms_queue(
                    organization_id=organization_id,
                    to_phone=phone,
                    body=_sms_body(
                        recipient=recipient,
                        asked=asked,
                        contact=contact_person(recipient),
                        url=evaluation_url(token),
                    ),
                    purpose=PURPOSE,
                    audience=asked.audience,
                    idempotency_key=f"evaluation:{recipient.pk}:{number}",
                    recipient_id=recipient.pk,
                    relative_id=relative_id,
                )
                if not created:  # its link is another's: keep that one (R8)
                    raise ValidationError("already", code="already")
                evaluation.sms = message
                evaluation.save(update_fields=["sms"])
        except ValidationError:
            return "skipped"
        audit_record(
            organization=recipient.organization,
            actor=None,
            action="evaluation.sent",
            obj=evaluation,
            details={"reason": reason, "number": number, "audience": asked.audience},
        )
    return "sent"


def evaluations_send_run(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """The daily job: every active recipient with at least `AFTER_VISITS` logged visits
    whose customer is a relative or themself is looked at; the due are asked."""
    with tenant_context(organization_id):
        ids = list(
            CareRecipient.objects.for_organization(organization_id)
            .filter(
                status=RecipientStatus.ACTIVE,
                anonymised_at__isnull=True,
                customers__is_current=True,
                customers__kind__in=[CustomerKind.RELATIVE, CustomerKind.RECIPIENT],
            )
            .annotate(logged=Count("visits", filter=Q(visits__status=VisitStatus.LOGGED)))
            .filter(logged__gte=AFTER_VISITS)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for recipient_id in ids:
        tally.add(
            evaluation_send(organization_id=organization_id, recipient_id=recipient_id, now=now)
        )


# --- The answer --------------------------------------------------------------------------


def evaluation_for_token(*, organization_id: int, token: str) -> Evaluation | None:
    """The evaluation whose link carries `token`, in `organization_id`, or None."""
    return (
        Evaluation.objects.for_organization(organization_id)
        .select_related("recipient", "organization")
        .filter(token_hash=token_hash(token))
        .first()
    )


def evaluation_is_open(evaluation: Evaluation, *, now: datetime) -> bool:
    """Whether the link still takes an answer (not answered, not expired, recipient kept)."""
    return (
        evaluation.answered_at is None
        and evaluation.expires_at > now
        and evaluation.recipient.anonymised_at is None
    )


def evaluation_answer(
    *, evaluation: Evaluation, satisfaction: int, helps: str, comment: str, now: datetime
) -> Evaluation:
    """Store the one answer of this link. A link answered already, expired or whose
    recipient was anonymised raises ValidationError (code "answered" or "closed") and
    changes nothing."""
    if satisfaction not in range(1, 6) or helps not in Helps.values:
        raise ValidationError(_("Svaret er ikke gyldig."), code="invalid")
    comment = comment.strip()[:COMMENT_MAX]
    rows = Evaluation.objects.filter(
        pk=evaluation.pk,
        answered_at__isnull=True,
        expires_at__gt=now,
        recipient__anonymised_at__isnull=True,
    ).update(answered_at=now, satisfaction=satisfaction, helps=helps, comment=comment)
    evaluation.refresh_from_db()
    if rows == 0:
        code = "answered" if evaluation.answered_at is not None else "closed"
        raise ValidationError(_("Denne lenken tar ikke imot flere svar."), code=code)
    audit_record(
        organization=evaluation.organization,
        actor=None,
        action="evaluation.answered",
        obj=evaluation,
        details={"satisfaction": satisfaction, "helps": helps, "comment": bool(comment)},
    )
    return evaluation


def evaluation_mark_read(*, evaluation: Evaluation, by: Membership) -> bool:
    """The leader has read the answer: it leaves *Følg opp*. False if read already."""
    rows = Evaluation.objects.filter(
        pk=evaluation.pk, answered_at__isnull=False, read_at__isnull=True
    ).update(read_at=timezone.now(), read_by=by.user)
    if rows:
        audit_record(
            organization=by.organization, actor=by.user, action="evaluation.read", obj=evaluation
        )
    return bool(rows)
