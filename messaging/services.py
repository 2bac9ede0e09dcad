"""The SMS gateway: queue, send at most once (R8), consent at the moment of sending (R4/R5).

Life of a message::

    sms_queue ──► queued ──(claim)──► sending ──► sent ──► delivered
                    │  ▲                 │  │        └────► failed (provider callback)
                    │  └─ transient ─────┘  ├─► failed (permanent error, or out of attempts)
                    │     error (retry)     └─► uncertain (the worker died or timed out
                    │                            after handing it over: never re-sent)
                    ├─► claimed ──► sending   (a batch, `sms_send_many`: each message is
                    │     │                    marked "sending" just before its own call;
                    │     └─► queued           a worker that died leaves the untried ones
                    │                          "claimed", and the sweeper requeues them)
                    ├─► blocked_no_consent (consent gone when it was about to go)
                    └─► cancelled (recipient ended or paused, or the number changed)

Sending is three steps with their own transactions, so that a crash at any point
can only lose a message, never send one twice:

1. Claim: ``queued → sending`` with a conditional UPDATE, check quiet hours and
   consent, count the attempt; commit. A worker that dies before this commit
   leaves the row ``queued`` (rolled back) and the broker's redelivery sends it.
2. Call the backend, outside any transaction.
3. Record the outcome. A worker that dies between 1 and 3 leaves ``sending``;
   `sms_sweep` marks such rows ``uncertain`` after `STUCK_AFTER` for a person to
   check with the provider — re-sending them could send twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.consent import consents_active, may_send
from customers.models import CareRecipient, Consent, RecipientStatus, Relative
from customers.services import consent_withdraw, recipient_anonymised_label
from messaging import lookups
from messaging.inbound import inbound_receive
from messaging.models import (
    SMS_CONSENT_PURPOSES,
    STAFF_PURPOSES,
    SmsAudience,
    SmsMessage,
    SmsPurpose,
    SmsStatus,
    StaffSmsConsent,
    consent_purpose,
)
from seniorene.accounts.models import Membership, Organization, User
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.services import audit_record, audit_record_many, audit_relabel
from seniorene.sms.backends import (
    SmsPermanentError,
    SmsTransientError,
    SmsUncertainError,
    get_backend,
)
from seniorene.sms.text import is_stop_request, normalise_body, normalise_phone, segments

if TYPE_CHECKING:
    from celery import Task

    BatchTask = Task[[int, list[int]], dict[str, int]]

__all__ = [
    "is_stop_request",
    "normalise_body",
    "segments",
    "sms_cancel_for_recipient",
    "SmsDraft",
    "sms_queue",
    "sms_queue_many",
    "sms_receive",
    "sms_record_status",
    "sms_render",
    "sms_send",
    "sms_send_many",
    "sms_sweep",
    "sms_sweep_organization",
    "status_callback_url",
    "staff_may_receive_sms",
    "staff_sms_consent_give",
    "staff_sms_consent_withdraw",
]

logger = logging.getLogger(__name__)

OSLO = ZoneInfo("Europe/Oslo")
MAX_ATTEMPTS = 5
# Longer than the send task's hard time limit (60 s): a row still "sending" after
# this has lost its worker.
STUCK_AFTER = timedelta(minutes=10)
# A queued, due message whose send task was enqueued longer ago than this has lost
# it (broker restarted, enqueue failed); the sweeper enqueues it again.
LOST_AFTER = timedelta(minutes=15)
# Waits up to this long are an ETA task; longer ones (overnight quiet hours) are left
# to the sweeper, because Redis redelivers ETA tasks older than its visibility timeout.
MAX_ETA = timedelta(minutes=30)
STOP_NOTE = "STOPP på SMS"
# The bulk path claims and sends this many messages per task. A worker killed in the
# middle of one leaves one message "sending" (later "uncertain", never re-sent): the one
# in flight, or sent and not yet recorded; the untried ones stay "claimed" and the
# sweeper puts them back in the queue.
SEND_BATCH = 50

# The Celery task that sends one message, `messaging.tasks.send_sms`. That module
# imports this one, so this one does not import it (no cycle): the app's ready()
# registers the task here.
_SEND_TASK: dict[str, Task[[int], str]] = {}


def send_task_register(task: Task[[int], str], batch: BatchTask | None = None) -> None:
    """Use `task` (called with a message id) to send queued messages, and `batch` (called
    with an organization id and up to `SEND_BATCH` message ids) to send many at once;
    see `MessagingConfig`."""
    _SEND_TASK["send"] = task
    if batch is not None:
        _BATCH_TASK["batch"] = batch


_BATCH_TASK: dict[str, BatchTask] = {}


def _send_task() -> Task[[int], str]:
    return _SEND_TASK["send"]


def _batch_task() -> BatchTask:
    return _BATCH_TASK["batch"]


# --- Quiet hours ------------------------------------------------------------------


def quiet_hours_send_after(*, organization: Organization, at: datetime) -> datetime:
    """The first moment at or after `at` inside the organization's sending hours (Oslo time).

    Civil time: 09:00 means 09:00 on the wall clock, in winter and summer alike.
    """
    start, end = organization.quiet_hours_start, organization.quiet_hours_end
    local = at.astimezone(OSLO)
    if start <= local.hour < end:
        return at
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    return datetime.combine(day, time(start), tzinfo=OSLO).astimezone(at.tzinfo)


# A message the person asked for this minute goes at once, day or night: the one-time code
# for the relative's own page (issue 21). Quiet hours keep unasked-for messages from waking
# people; a code held until the morning would have expired (it lives ten minutes).
SENT_AT_ONCE = frozenset({SmsPurpose.ACCESS_CODE_SMS})


def sending_opens(*, organization: Organization, at: datetime, purpose: str) -> datetime:
    """`quiet_hours_send_after` for a message of `purpose` (`at` itself if SENT_AT_ONCE)."""
    if purpose in SENT_AT_ONCE:
        return at
    return quiet_hours_send_after(organization=organization, at=at)


# --- Consent ------------------------------------------------------------------------


def staff_may_receive_sms(*, membership_id: int, at: datetime | None = None) -> bool:
    """May we send work SMS to this staff member? Their own unwithdrawn consent, still active."""
    at = at or timezone.now()
    if not Membership.objects.filter(pk=membership_id, is_active=True).exists():
        return False
    return (
        StaffSmsConsent.objects.filter(membership_id=membership_id, given_at__lte=at)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
        .exists()
    )


@transaction.atomic
def staff_sms_consent_give(*, membership: Membership, by: User | None) -> StaffSmsConsent:
    """Record `membership`'s consent to work SMS; giving it again changes nothing."""
    existing: StaffSmsConsent | None = StaffSmsConsent.objects.filter(
        membership=membership, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    consent = StaffSmsConsent.objects.create(
        organization_id=membership.organization_id, membership=membership, recorded_by=by
    )
    audit_record(
        organization=membership.organization,
        actor=by,
        action="sms.staff_consent_given",
        obj=membership,
    )
    return consent


@transaction.atomic
def staff_sms_consent_withdraw(*, membership: Membership, by: User | None, note: str = "") -> int:
    """Withdraw `membership`'s consent to work SMS; return how many consents it ended."""
    now = timezone.now()
    ended = StaffSmsConsent.objects.filter(membership=membership, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawal_note=note.strip()[:200]
    )
    if ended:
        audit_record(
            organization=membership.organization,
            actor=by,
            action="sms.staff_consent_withdrawn",
            obj=membership,
            details={"note": "stop" if note == STOP_NOTE else ""},
        )
    return ended


def _person_phone(message_like: dict[str, Any]) -> str:
    """The current phone number of whom the message is for, E.164 (or "" if none)."""
    audience = message_like["audience"]
    if audience == SmsAudience.RELATIVE:
        value = (
            Relative.objects.filter(pk=message_like["relative_id"])
            .values_list("phone", flat=True)
            .first()
        )
    elif audience == SmsAudience.RECIPIENT:
        value = (
            CareRecipient.objects.filter(pk=message_like["recipient_id"])
            .values_list("phone", flat=True)
            .first()
        )
    else:
        value = (
            Membership.objects.filter(pk=message_like["membership_id"])
            .values_list("user__phone", flat=True)
            .first()
        )
    try:
        return normalise_phone(value) if value else ""
    except ValidationError:
        return ""


def _refusal(
    *, audience: str, purpose: str, recipient_id: int | None, relative_id: int | None,
    membership_id: int | None, at: datetime | None = None,
) -> tuple[str, str] | None:  # fmt: skip
    """Why this may not be sent now, as (status, Norwegian reason); None when it may."""
    if audience == SmsAudience.STAFF:
        if membership_id is not None and staff_may_receive_sms(membership_id=membership_id, at=at):
            return None
        return SmsStatus.BLOCKED_NO_CONSENT, _(
            "Medarbeideren har ikke samtykket til å få SMS, eller har trukket samtykket."
        )
    status = None
    if recipient_id is not None:
        status = (
            CareRecipient.objects.filter(pk=recipient_id, anonymised_at__isnull=True)
            .values_list("status", flat=True)
            .first()
        )
    if recipient_id is None or status is None or status == RecipientStatus.ENDED:
        return SmsStatus.CANCELLED, _("Brukeren er avsluttet. Det sendes ingen SMS.")
    consent_relative = relative_id if audience == SmsAudience.RELATIVE else None
    if may_send(
        recipient_id=recipient_id,
        relative_id=consent_relative,
        purpose=consent_purpose(purpose),
        at=at,
    ):
        return None
    if audience == SmsAudience.RELATIVE:
        reason = _("Pårørende har ikke samtykket til denne typen SMS, eller har trukket samtykket.")
    else:
        reason = _("Brukeren har ikke samtykket til denne typen SMS, eller har trukket samtykket.")
    return SmsStatus.BLOCKED_NO_CONSENT, reason


# --- Queue ------------------------------------------------------------------------


def _schedule(message_id: int, when: datetime) -> datetime | None:
    """Enqueue the send task for `when` after commit; return the time it was enqueued for."""
    send_sms = _send_task()
    now = timezone.now()
    if when <= now:
        transaction.on_commit(lambda: send_sms.delay(message_id), robust=True)
        return now
    if when - now <= MAX_ETA and not send_sms.app.conf.task_always_eager:
        transaction.on_commit(
            lambda: send_sms.apply_async(args=(message_id,), eta=when), robust=True
        )
        return when
    return None  # the sweeper enqueues it when it is due


def _check_people(
    *, organization_id: int, audience: str, purpose: str, recipient_id: int | None,
    relative_id: int | None, membership_id: int | None,
) -> int | None:  # fmt: skip
    """Validate who the message is for; return the recipient id (taken from the relative)."""
    if audience not in SmsAudience.values:
        raise ValidationError(_("Ukjent mottakertype."), code="invalid")
    if purpose not in SmsPurpose.values:
        raise ValidationError(_("Ukjent formål."), code="invalid")
    if audience == SmsAudience.STAFF:
        if purpose not in STAFF_PURPOSES or membership_id is None:
            raise ValidationError(_("SMS til medarbeidere gjelder bare jobbformål."))
        if recipient_id is not None or relative_id is not None:
            raise ValidationError(_("SMS til medarbeidere kan ikke gjelde en bruker."))
        if not Membership.objects.for_organization(organization_id).filter(pk=membership_id):
            raise ValidationError(_("Fant ikke medarbeideren."))
        return None
    if purpose in STAFF_PURPOSES or membership_id is not None:
        raise ValidationError(_("Dette formålet gjelder bare medarbeidere."))
    if audience == SmsAudience.RELATIVE:
        relative: int | None = (
            Relative.objects.for_organization(organization_id)
            .filter(pk=relative_id or 0)
            .values_list("recipient_id", flat=True)
            .first()
        )
        if relative is None or (recipient_id is not None and recipient_id != relative):
            raise ValidationError(_("Fant ikke den pårørende."))
        return relative
    if relative_id is not None:
        raise ValidationError(_("En SMS til brukeren kan ikke ha en pårørende som mottaker."))
    if recipient_id is None or not (
        CareRecipient.objects.for_organization(organization_id).filter(pk=recipient_id)
    ):
        raise ValidationError(_("Fant ikke brukeren."))
    return recipient_id


def sms_queue(
    *,
    organization_id: int,
    to_phone: Any,
    body: str,
    purpose: str,
    audience: str,
    idempotency_key: str,
    recipient_id: int | None = None,
    relative_id: int | None = None,
    membership_id: int | None = None,
    visit_id: int | None = None,
    created_by: User | None = None,
    not_before: datetime | None = None,
) -> tuple[SmsMessage, bool]:
    """Queue one logical SMS; return (message, created).

    The same `idempotency_key` (or, for a visit, the same visit, purpose and phone)
    returns the existing row and sends nothing new (R8). Without consent at queue
    time this raises ValidationError (code "no_consent") and stores nothing; consent
    is checked again when it is sent (R4/R5). The message waits for the
    organization's sending hours (Oslo time) and `not_before`.
    """
    idempotency_key = idempotency_key.strip()
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValidationError(_("Meldingen mangler en gyldig nøkkel."), code="invalid")
    body = normalise_body(body)
    if not body:
        raise ValidationError(_("Meldingen er tom."), code="empty")
    if segments(body)[1] > 10:
        raise ValidationError(_("Meldingen er for lang (over ti SMS-er)."), code="too_long")
    phone = normalise_phone(to_phone)
    with transaction.atomic():
        rows = SmsMessage.objects.for_organization(organization_id)
        existing = rows.filter(idempotency_key=idempotency_key).first()
        if existing is None and visit_id is not None:
            existing = rows.filter(visit_id=visit_id, purpose=purpose, to_phone=phone).first()
        if existing is not None:
            return existing, False
        recipient_id = _check_people(
            organization_id=organization_id,
            audience=audience,
            purpose=purpose,
            recipient_id=recipient_id,
            relative_id=relative_id,
            membership_id=membership_id,
        )
        people: dict[str, Any] = {
            "audience": audience,
            "recipient_id": recipient_id,
            "relative_id": relative_id,
            "membership_id": membership_id,
        }
        refusal = _refusal(purpose=purpose, **people)
        if refusal is not None:
            status, reason = refusal
            code = "no_consent" if status == SmsStatus.BLOCKED_NO_CONSENT else "recipient_ended"
            raise ValidationError(reason, code=code)
        if _person_phone(people) != phone:
            raise ValidationError(
                _("Telefonnummeret er ikke mottakerens registrerte mobilnummer."),
                code="wrong_phone",
            )
        organization = Organization.objects.get(pk=organization_id)
        now = timezone.now()
        send_after = sending_opens(
            organization=organization, at=max(now, not_before or now), purpose=purpose
        )
        try:
            with transaction.atomic():
                message = SmsMessage.objects.create(
                    organization=organization,
                    to_phone=phone,
                    body=body,
                    purpose=purpose,
                    idempotency_key=idempotency_key,
                    visit_id=visit_id,
                    send_after=send_after,
                    created_by=created_by,
                    updated_at=now,
                    **people,
                )
        except IntegrityError:
            # Someone queued the same message a moment ago: theirs is the one.
            existing = rows.filter(
                Q(idempotency_key=idempotency_key)
                | Q(visit_id=visit_id, purpose=purpose, to_phone=phone, visit_id__isnull=False)
            ).first()
            if existing is None:
                raise
            return existing, False
        enqueued_for = _schedule(message.pk, send_after)
        if enqueued_for is not None:
            SmsMessage.objects.filter(pk=message.pk).update(enqueued_for=enqueued_for)
        audit_record(
            organization=organization,
            actor=created_by,
            action="sms.queued",
            obj=message,
            details={"purpose": purpose, "audience": audience, "visit": visit_id},
        )
    return message, True


# --- Queue many at once ------------------------------------------------------------------


@dataclass(frozen=True)
class SmsDraft:
    """One message for `sms_queue_many`: the arguments `sms_queue` takes for it."""

    to_phone: str
    body: str
    purpose: str
    audience: str
    idempotency_key: str
    recipient_id: int | None = None
    relative_id: int | None = None
    membership_id: int | None = None
    visit_id: int | None = None


@dataclass(frozen=True)
class Queued:
    """What `sms_queue_many` did with one draft: the message (new or found) and whether
    it is new, or the ValidationError `sms_queue` would have raised (nothing stored)."""

    message: SmsMessage | None
    created: bool
    error: ValidationError | None = None


def _enqueue_time(when: datetime, now: datetime) -> datetime | None:
    """What `_schedule` records as `enqueued_for` for a message due at `when`."""
    if when <= now:
        return now
    if when - now <= MAX_ETA and not _send_task().app.conf.task_always_eager:
        return when
    return None


def _schedule_many(organization_id: int, ids: list[int], when: datetime, now: datetime) -> None:
    """`_schedule` for many messages: one batch task per `SEND_BATCH` ids, after commit
    (`_enqueue_time(when, now)` is what the rows record)."""
    batch = _batch_task()
    enqueued_for = _enqueue_time(when, now)
    for start in range(0, len(ids) if enqueued_for is not None else 0, SEND_BATCH):
        chunk = ids[start : start + SEND_BATCH]
        if when > now:
            send = partial(batch.apply_async, args=(organization_id, chunk), eta=when)
        else:
            send = partial(batch.delay, organization_id, chunk)
        transaction.on_commit(send, robust=True)


def _prepare(draft: SmsDraft) -> tuple[str, str, str]:
    """`sms_queue`'s checks of the text and key: (key, body, phone), or ValidationError."""
    key = draft.idempotency_key.strip()
    if not key or len(key) > 200:
        raise ValidationError(_("Meldingen mangler en gyldig nøkkel."), code="invalid")
    body = normalise_body(draft.body)
    if not body:
        raise ValidationError(_("Meldingen er tom."), code="empty")
    if segments(body)[1] > 10:
        raise ValidationError(_("Meldingen er for lang (over ti SMS-er)."), code="too_long")
    return key, body, normalise_phone(draft.to_phone)


def sms_queue_many(
    *, organization_id: int, drafts: list[SmsDraft], created_by: User | None = None
) -> list[Queued]:
    """`sms_queue` for many messages, with the same outcome for each draft, in a few
    statements for the whole list: one read of the existing messages, one of the people,
    one of the consents (R5), one insert, one insert of the audit events.

    Recipients and relatives are checked in bulk; a draft for staff (rare in bulk)
    is checked as `sms_queue` checks it. Call it in a transaction (the caller's
    ``tenant_context``): the send tasks go out after that commits. If an insert
    collides with a message queued a moment ago, the whole list goes through
    `sms_queue` one by one instead, which sorts out whose message it is.
    """
    results: list[Queued | None] = [None] * len(drafts)
    prepared: dict[int, tuple[str, str, str]] = {}
    for n, draft in enumerate(drafts):
        try:
            prepared[n] = _prepare(draft)
        except ValidationError as exc:
            results[n] = Queued(None, False, exc)
    rows = SmsMessage.objects.for_organization(organization_id)
    keys = [p[0] for p in prepared.values()]
    visit_ids = {drafts[n].visit_id for n in prepared if drafts[n].visit_id is not None}
    found = list(
        rows.filter(Q(idempotency_key__in=keys) | Q(visit_id__in=visit_ids)) if prepared else []
    )
    by_key = {m.idempotency_key: m for m in found}
    by_visit: dict[tuple[int | None, str, str], SmsMessage] = {
        (m.visit_id, m.purpose, m.to_phone): m for m in found if m.visit_id is not None
    }
    recipient_ids = {d.recipient_id for d in drafts if d.recipient_id is not None}
    relatives = {
        pk: (recipient_id, phone)
        for pk, recipient_id, phone in Relative.objects.for_organization(organization_id)
        .filter(pk__in={d.relative_id for d in drafts if d.relative_id is not None})
        .values_list("pk", "recipient_id", "phone")
    }
    recipient_ids |= {r for r, _phone in relatives.values()}
    people = _People.load(organization_id, recipient_ids, {d.purpose for d in drafts})
    now = timezone.now()
    new: list[tuple[int, SmsMessage]] = []
    in_list: dict[str, int] = {}
    organization = Organization.objects.get(pk=organization_id)
    send_after = quiet_hours_send_after(organization=organization, at=now)
    enqueued_for = _enqueue_time(send_after, now)
    for n, (key, body, phone) in prepared.items():
        draft = drafts[n]
        existing = by_key.get(key) or (
            by_visit.get((draft.visit_id, draft.purpose, phone)) if draft.visit_id else None
        )
        if existing is not None:
            results[n] = Queued(existing, False)
            continue
        if key in in_list:  # the same key twice in the list: the first one is the message
            results[n] = Queued(None, False)  # filled in below, once it has its id
            continue
        try:
            recipient_id = people.check(draft, relatives, phone)
        except ValidationError as exc:
            results[n] = Queued(None, False, exc)
            continue
        message = SmsMessage(
            organization=organization,
            to_phone=phone,
            body=body,
            purpose=draft.purpose,
            idempotency_key=key,
            visit_id=draft.visit_id,
            send_after=send_after,
            created_by=created_by,
            updated_at=now,
            enqueued_for=enqueued_for,
            audience=draft.audience,
            recipient_id=recipient_id,
            relative_id=draft.relative_id,
            membership_id=draft.membership_id,
        )
        in_list[key] = n
        by_visit[(draft.visit_id, draft.purpose, phone)] = message
        new.append((n, message))
    if new:
        try:
            with transaction.atomic():
                SmsMessage.objects.bulk_create([m for _n, m in new])
        except IntegrityError:
            # Someone queued one of these a moment ago: let `sms_queue` find whose it is.
            return [_queue_one(organization_id, d, created_by) for d in drafts]
        for n, message in new:
            results[n] = Queued(message, True)
        _schedule_many(organization_id, [m.pk for _n, m in new], send_after, now)
        audit_record_many(
            organization=organization,
            actor=created_by,
            action="sms.queued",
            entries=[
                (m, {"purpose": m.purpose, "audience": m.audience, "visit": m.visit_id})
                for _n, m in new
            ],
        )
    for n, draft in enumerate(drafts):  # repeated keys: the message the first one made
        result = results[n]
        if result is not None and result.message is None and result.error is None:
            first = results[in_list[draft.idempotency_key.strip()]]
            results[n] = Queued(first.message if first else None, False)
    return [r if r is not None else Queued(None, False) for r in results]


def _queue_one(organization_id: int, draft: SmsDraft, created_by: User | None) -> Queued:
    try:
        message, created = sms_queue(
            organization_id=organization_id,
            to_phone=draft.to_phone,
            body=draft.body,
            purpose=draft.purpose,
            audience=draft.audience,
            idempotency_key=draft.idempotency_key,
            recipient_id=draft.recipient_id,
            relative_id=draft.relative_id,
            membership_id=draft.membership_id,
            visit_id=draft.visit_id,
            created_by=created_by,
        )
    except ValidationError as exc:
        return Queued(None, False, exc)
    return Queued(message, created)


@lru_cache(maxsize=4096)
def _normalised(value: str) -> str:
    """`_person_phone`'s reading of a stored number: E.164, or "" (none, or not valid)."""
    try:
        return normalise_phone(value) if value else ""
    except ValidationError:
        return ""


@dataclass
class _People:
    """The recipients and consents that a batch of messages is about, read once (R5)."""

    organization_id: int
    # recipient id → (status, phone), for recipients of the organization not anonymised
    recipients: dict[int, tuple[str, str]]
    # recipient ids of the organization, anonymised or not (`_check_people` finds these)
    known: set[int]
    consents: set[tuple[int, int | None, str]]
    at: datetime

    @classmethod
    def load(
        cls, organization_id: int, recipient_ids: Iterable[int], purposes: Iterable[str],
        at: datetime | None = None,
    ) -> _People:  # fmt: skip
        at = at or timezone.now()
        recipient_ids = set(recipient_ids)
        rows = list(
            CareRecipient.objects.for_organization(organization_id)
            .filter(pk__in=recipient_ids)
            .values_list("pk", "status", "phone", "anonymised_at")
        )
        return cls(
            organization_id=organization_id,
            recipients={pk: (status, phone) for pk, status, phone, gone in rows if gone is None},
            known={pk for pk, *_rest in rows},
            consents=consents_active(
                recipient_ids=recipient_ids, purposes={consent_purpose(p) for p in purposes}, at=at
            )
            if recipient_ids
            else set(),
            at=at,
        )

    def refusal(
        self, *, audience: str, purpose: str, recipient_id: int | None, relative_id: int | None,
        membership_id: int | None,
    ) -> tuple[str, str] | None:  # fmt: skip
        """`_refusal`, from what was read once."""
        if audience == SmsAudience.STAFF:
            return _refusal(
                audience=audience, purpose=purpose, recipient_id=recipient_id,
                relative_id=relative_id, membership_id=membership_id, at=self.at,
            )  # fmt: skip
        found = self.recipients.get(recipient_id) if recipient_id is not None else None
        if found is None or found[0] == RecipientStatus.ENDED:
            return SmsStatus.CANCELLED, _("Brukeren er avsluttet. Det sendes ingen SMS.")
        consent_relative = relative_id if audience == SmsAudience.RELATIVE else None
        if (recipient_id, consent_relative, consent_purpose(purpose)) in self.consents:
            return None
        if audience == SmsAudience.RELATIVE:
            reason = _(
                "Pårørende har ikke samtykket til denne typen SMS, eller har trukket samtykket."
            )
        else:
            reason = _(
                "Brukeren har ikke samtykket til denne typen SMS, eller har trukket samtykket."
            )
        return SmsStatus.BLOCKED_NO_CONSENT, reason

    def phone(self, message_like: dict[str, Any], relatives: dict[int, tuple[int, str]]) -> str:
        """`_person_phone`, from what was read once."""
        audience = message_like["audience"]
        if audience == SmsAudience.STAFF:
            return _person_phone(message_like)
        if audience == SmsAudience.RELATIVE:
            value = relatives.get(message_like["relative_id"], (0, ""))[1]
        else:
            value = self.recipients.get(message_like["recipient_id"], ("", ""))[1]
        return _normalised(value)

    def check(
        self, draft: SmsDraft, relatives: dict[int, tuple[int, str]], phone: str
    ) -> int | None:
        """`sms_queue`'s checks of whom `draft` is for: the recipient id, or ValidationError."""
        recipient_id = draft.recipient_id
        if draft.audience == SmsAudience.STAFF or draft.audience not in SmsAudience.values:
            recipient_id = _check_people(
                organization_id=self.organization_id, audience=draft.audience,
                purpose=draft.purpose, recipient_id=draft.recipient_id,
                relative_id=draft.relative_id, membership_id=draft.membership_id,
            )  # fmt: skip
        else:
            if draft.purpose not in SmsPurpose.values:
                raise ValidationError(_("Ukjent formål."), code="invalid")
            if draft.purpose in STAFF_PURPOSES or draft.membership_id is not None:
                raise ValidationError(_("Dette formålet gjelder bare medarbeidere."))
            if draft.audience == SmsAudience.RELATIVE:
                relative = relatives.get(draft.relative_id or 0)
                if relative is None or (recipient_id is not None and recipient_id != relative[0]):
                    raise ValidationError(_("Fant ikke den pårørende."))
                recipient_id = relative[0]
            elif draft.relative_id is not None:
                raise ValidationError(
                    _("En SMS til brukeren kan ikke ha en pårørende som mottaker.")
                )
            elif recipient_id is None or recipient_id not in self.known:
                raise ValidationError(_("Fant ikke brukeren."))
        who: dict[str, Any] = {
            "audience": draft.audience,
            "recipient_id": recipient_id,
            "relative_id": draft.relative_id,
            "membership_id": draft.membership_id,
        }
        refusal = self.refusal(purpose=draft.purpose, **who)
        if refusal is not None:
            status, reason = refusal
            code = "no_consent" if status == SmsStatus.BLOCKED_NO_CONSENT else "recipient_ended"
            raise ValidationError(reason, code=code)
        if self.phone(who, relatives) != phone:
            raise ValidationError(
                _("Telefonnummeret er ikke mottakerens registrerte mobilnummer."),
                code="wrong_phone",
            )
        return recipient_id


def sms_render(*, purpose: str, context: dict[str, Any]) -> str:
    """The body for `purpose` from ``templates/sms/<purpose>.txt``, in Bokmål, cleaned."""
    with translation.override(settings.LANGUAGE_CODE):
        return normalise_body(render_to_string(f"sms/{purpose}.txt", context))


# --- Send ---------------------------------------------------------------------------


def _finish(
    message_id: int, *, status: str, from_status: str = SmsStatus.SENDING, **fields: Any
) -> int:
    now = timezone.now()
    return SmsMessage.objects.filter(pk=message_id, status=from_status).update(
        status=status, updated_at=now, **fields
    )


def _audit(message: SmsMessage, action: str, **details: Any) -> None:
    audit_record(
        organization=message.organization,
        actor=None,
        action=action,
        obj=message,
        details={"purpose": message.purpose, **details},
    )


def sms_send(*, message_id: int) -> str:
    """Send queued message `message_id` at most once; return what happened.

    Call it from the send task, outside any transaction: it commits its claim
    before it calls the provider (see the module docstring). Raises
    SmsTransientError, after putting the message back in the queue, when the
    provider should be tried again later (the task retries with backoff).
    """
    organization_id = lookups.message_organization_id(message_id)
    if organization_id is None:
        return "missing"
    now = timezone.now()
    with tenant_context(organization_id):
        # 1. Claim. Zero rows: sent, cancelled, or another worker has it.
        claimed = (
            SmsMessage.objects.for_organization(organization_id)
            .filter(pk=message_id, status=SmsStatus.QUEUED)
            .update(status=SmsStatus.SENDING, claimed_at=now, updated_at=now)
        )
        if not claimed:
            return "not_claimed"
        message = SmsMessage.objects.select_related("organization").get(pk=message_id)
        due = max(
            message.send_after,
            sending_opens(organization=message.organization, at=now, purpose=message.purpose),
        )
        if due > now:
            enqueued_for = _schedule(message_id, due)
            _finish(
                message_id,
                status=SmsStatus.QUEUED,
                send_after=due,
                claimed_at=None,
                enqueued_for=enqueued_for,
            )
            return "deferred"
        refusal = _refusal(
            audience=message.audience,
            purpose=message.purpose,
            recipient_id=message.recipient_id,
            relative_id=message.relative_id,
            membership_id=message.membership_id,
        )
        people: dict[str, Any] = {
            "audience": message.audience,
            "recipient_id": message.recipient_id,
            "relative_id": message.relative_id,
            "membership_id": message.membership_id,
        }
        if refusal is None and _person_phone(people) != message.to_phone:
            # The number may belong to someone else now.
            refusal = SmsStatus.CANCELLED, _("Mottakerens mobilnummer er endret etter køsetting.")
        if refusal is not None:
            status, reason = refusal
            _finish(message_id, status=status, error_code=status, error_message=reason[:300])
            _audit(message, f"sms.{status}")
            return status
        SmsMessage.objects.filter(pk=message_id).update(attempts=F("attempts") + 1)
        message.attempts += 1
    # 2. The claim is committed: from here on the message may be out of our hands.
    try:
        sid = get_backend().send(
            to=message.to_phone,
            body=message.body,
            status_callback=status_callback_url(message_id),
            reference=str(message_id),
        )
    except SmsPermanentError as exc:
        return _record_failure(message, exc.code, exc.message)
    except SmsTransientError as exc:
        if message.attempts >= MAX_ATTEMPTS:
            return _record_failure(message, exc.code, exc.message)
        with tenant_context(organization_id):
            _finish(
                message_id,
                status=SmsStatus.QUEUED,
                claimed_at=None,
                enqueued_for=timezone.now(),
                error_code=exc.code,
                error_message=exc.message[:300],
            )
        raise
    except SmsUncertainError as exc:
        return _record_uncertain(message, exc.code, exc.message)
    except Exception as exc:
        # An unexpected error (or the task's soft time limit) during the call: it may
        # have gone out, so it must not be retried.
        logger.exception("SMS %s: unexpected error from the backend", message_id)
        _record_uncertain(message, "error", f"{type(exc).__name__}: {exc}")
        raise
    # 3. Record the provider's id.
    with tenant_context(organization_id):
        now = timezone.now()
        sent: dict[str, Any] = {
            "provider_sid": sid,
            "sent_at": now,
            "error_code": "",
            "error_message": "",
        }
        if not (
            _finish(message_id, status=SmsStatus.SENT, **sent)
            or _finish(message_id, status=SmsStatus.SENT, from_status=SmsStatus.UNCERTAIN, **sent)
        ):
            # A delivery callback got here first; keep its (later) status.
            SmsMessage.objects.filter(pk=message_id, provider_sid="").update(provider_sid=sid)
            SmsMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=now)
        _audit(message, "sms.sent", attempts=message.attempts)
    return SmsStatus.SENT


def sms_send_many(*, organization_id: int, message_ids: list[int]) -> dict[str, int]:
    """`sms_send` for up to `SEND_BATCH` messages of one organization: what it guarantees,
    with the claim, the consent check and the records made once for the batch.

    1. Claim: lock the batch's queued, due rows; check consent for all of them in one
       read (R5) and stop the refused ones; mark the rest "claimed" and count the
       attempt; commit. Messages not due yet (sending hours) are put off as one by one.
    2. Hand them to the backend one after the other, outside any transaction. Before
       each call one small transaction records the message sent just before (its
       provider id and `sms.sent` event, as step 3 of `sms_send`) and marks this one
       "sending" (claimed → sending, only if it is still this task's claim: one
       cancelled or put back in the queue meanwhile is skipped). Only a message marked
       "sending" may have reached the provider, and at most one is "sending" at a time.
    3. Record the last one the same way.

    A worker that dies during the batch leaves that one message "sending", which the
    sweeper marks "uncertain" and never re-sends (R8), and the untried ones "claimed",
    which the sweeper puts back in the queue after `STUCK_AFTER`, to be claimed, checked
    for consent (R5) and sent again. A transient error stops the batch: that message and
    the untried ones go back to the queue (the sweeper enqueues them again within a
    minute).
    """
    counts = {
        "sent": 0, "refused": 0, "failed": 0, "uncertain": 0, "requeued": 0, "later": 0,
        "skipped": 0,
    }  # fmt: skip
    now = timezone.now()
    with tenant_context(organization_id):
        organization = Organization.objects.get(pk=organization_id)
        rows = SmsMessage.objects.for_organization(organization_id)
        waiting = list(
            rows.filter(pk__in=message_ids, status=SmsStatus.QUEUED)
            .select_for_update()
            .order_by("pk")
        )
        opens = quiet_hours_send_after(organization=organization, at=now)

        def due_at(message: SmsMessage) -> datetime:
            return max(message.send_after, now if message.purpose in SENT_AT_ONCE else opens)

        later = [m for m in waiting if due_at(m) > now]
        for message in later:
            due = due_at(message)
            enqueued_for = _schedule(message.pk, due)
            rows.filter(pk=message.pk).update(
                send_after=due, claimed_at=None, enqueued_for=enqueued_for, updated_at=now
            )
        counts["later"] = len(later)
        due_now = [m for m in waiting if due_at(m) <= now]
        people = _People.load(
            organization_id,
            {m.recipient_id for m in due_now if m.recipient_id is not None},
            {m.purpose for m in due_now},
            at=now,
        )
        relatives = {
            pk: (recipient_id, phone)
            for pk, recipient_id, phone in Relative.objects.for_organization(organization_id)
            .filter(pk__in={m.relative_id for m in due_now if m.relative_id is not None})
            .values_list("pk", "recipient_id", "phone")
        }
        refused: dict[tuple[str, str], list[SmsMessage]] = {}
        to_send: list[SmsMessage] = []
        for message in due_now:
            who: dict[str, Any] = {
                "audience": message.audience,
                "recipient_id": message.recipient_id,
                "relative_id": message.relative_id,
                "membership_id": message.membership_id,
            }
            refusal = people.refusal(purpose=message.purpose, **who)
            if refusal is None and people.phone(who, relatives) != message.to_phone:
                refusal = (
                    SmsStatus.CANCELLED,
                    _("Mottakerens mobilnummer er endret etter køsetting."),
                )
            if refusal is None:
                to_send.append(message)
            else:
                refused.setdefault(refusal, []).append(message)
        for (status, reason), messages in refused.items():
            for message in messages:
                message.status = SmsStatus.SENDING  # as `sms_send` audits it: claimed
            rows.filter(pk__in=[m.pk for m in messages]).update(
                status=status, claimed_at=now, updated_at=now, error_code=status,
                error_message=reason[:300],
            )  # fmt: skip
            audit_record_many(
                organization=organization,
                actor=None,
                action=f"sms.{status}",
                entries=[(m, {"purpose": m.purpose}) for m in messages],
            )
            counts["refused"] += len(messages)
        rows.filter(pk__in=[m.pk for m in to_send]).update(
            status=SmsStatus.CLAIMED, claimed_at=now, updated_at=now, attempts=F("attempts") + 1
        )
        for message in to_send:
            message.status = SmsStatus.CLAIMED
            message.attempts += 1
            message.organization = organization
    # 2. The claims are committed; each message is out of our hands from its mark on.
    backend = get_backend()
    callback = status_callback_url(0).removesuffix("0")  # the URL map read once per batch
    done: tuple[SmsMessage, str] | None = None  # sent, its provider id not yet recorded
    untried = list(to_send)
    unexpected: Exception | None = None
    try:
        while untried:
            message = untried.pop(0)
            marked = _record_and_mark(organization, done, message, claimed_at=now)
            done = None
            if not marked:
                counts["skipped"] += 1  # cancelled, or requeued by the sweeper: not ours now
                continue
            try:
                sid = backend.send(
                    to=message.to_phone,
                    body=message.body,
                    status_callback=f"{callback}{message.pk}",
                    reference=str(message.pk),
                )
            except SmsPermanentError as exc:
                counts["failed"] += 1
                _record_failure(message, exc.code, exc.message)
            except SmsTransientError as exc:
                if message.attempts >= MAX_ATTEMPTS:
                    counts["failed"] += 1
                    _record_failure(message, exc.code, exc.message)
                    continue
                _requeue(organization_id, [message], untried, exc.code, exc.message)
                counts["requeued"] += 1 + len(untried)
                untried = []
            except SmsUncertainError as exc:
                counts["uncertain"] += 1
                _record_uncertain(message, exc.code, exc.message)
            except Exception as exc:
                # As in `sms_send`: it may have gone out, so it is never retried; the ones
                # not tried yet certainly did not.
                logger.exception("SMS %s: unexpected error from the backend", message.pk)
                counts["uncertain"] += 1
                _record_uncertain(message, "error", f"{type(exc).__name__}: {exc}")
                _requeue(organization_id, [], untried, "", "")
                counts["requeued"] += len(untried)
                untried = []
                unexpected = exc
            else:
                done = (message, sid)
                counts["sent"] += 1
    finally:
        # 3. Record the last one (also when the soft time limit cut the loop short).
        if done is not None:
            _record_and_mark(organization, done, None, claimed_at=now)
    if unexpected is not None:
        raise unexpected
    return counts


def _record_and_mark(
    organization: Organization,
    done: tuple[SmsMessage, str] | None,
    message: SmsMessage | None,
    *,
    claimed_at: datetime,
) -> bool:
    """One small transaction between two provider calls of a batch: record the one just
    sent (`done`, its provider id and `sms.sent` event, as step 3 of `sms_send`), then
    mark the next (`message`) claimed → sending, only if it is still this task's claim.
    Return whether `message` was marked (False: cancelled, or put back in the queue by
    the sweeper and perhaps claimed again). A worker killed at any point leaves at most
    one message handed over and unrecorded: the one "sending"."""
    with tenant_context(organization.pk):
        now = timezone.now()
        rows = SmsMessage.objects.for_organization(organization.pk)
        if done is not None:
            sent, sid = done
            _store_sent(rows, sent, sid, now)
            audit_record_many(
                organization=organization,
                actor=None,
                action="sms.sent",
                entries=[(sent, {"purpose": sent.purpose, "attempts": sent.attempts})],
            )
        if message is None:
            return False
        ours = rows.filter(pk=message.pk, status=SmsStatus.CLAIMED, claimed_at=claimed_at)
        marked = ours.update(status=SmsStatus.SENDING, updated_at=now)
    if marked:
        message.status = SmsStatus.SENDING
    return bool(marked)


def _store_sent(rows: Any, message: SmsMessage, sid: str, now: datetime) -> None:
    """Step 3 of `sms_send` in one statement: "sent" with the provider's id, or, when a
    delivery callback got here first, its (later) status kept and only the id and the
    time filled in where they are missing."""
    mine = Q(status__in=[SmsStatus.SENDING, SmsStatus.UNCERTAIN])

    def unless_mine(field: str, value: Any, missing: Q | None = None) -> Case:
        when = mine if missing is None else mine | missing
        return Case(When(when, then=Value(value)), default=F(field))

    rows.filter(pk=message.pk).update(
        status=unless_mine("status", SmsStatus.SENT),
        provider_sid=unless_mine("provider_sid", sid, Q(provider_sid="")),
        sent_at=unless_mine("sent_at", now, Q(sent_at__isnull=True)),
        updated_at=unless_mine("updated_at", now),
        error_code=unless_mine("error_code", ""),
        error_message=unless_mine("error_message", ""),
    )


def _requeue(
    organization_id: int, tried: list[SmsMessage], untried: list[SmsMessage], code: str,
    reason: str,
) -> None:  # fmt: skip
    """Put messages of a batch back in the queue for the sweeper: `tried` ("sending")
    after a transient error, `untried` ("claimed", never handed to the backend: their
    attempt not counted)."""
    now = timezone.now()
    with tenant_context(organization_id):
        rows = SmsMessage.objects.for_organization(organization_id)
        for messages, status, fields in (
            (tried, SmsStatus.SENDING, {"error_code": code[:20], "error_message": reason[:300]}),
            (untried, SmsStatus.CLAIMED, {"attempts": F("attempts") - 1}),
        ):
            if messages:
                rows.filter(pk__in=[m.pk for m in messages], status=status).update(
                    status=SmsStatus.QUEUED, claimed_at=None, enqueued_for=None, updated_at=now,
                    **fields,
                )  # fmt: skip


def status_callback_url(message_id: int) -> str:
    """Where the provider reports delivery of `message_id`: the public address, with the id."""
    return f"{settings.SITE_URL}{reverse('sms:twilio_status')}?m={message_id}"


def _record_failure(message: SmsMessage, code: str, reason: str) -> str:
    with tenant_context(message.organization_id):
        _finish(
            message.pk, status=SmsStatus.FAILED, claimed_at=None, error_code=code[:20],
            error_message=reason[:300],
        )  # fmt: skip
        _audit(message, "sms.failed", code=code)
    return SmsStatus.FAILED


def _record_uncertain(message: SmsMessage, code: str, reason: str) -> str:
    with tenant_context(message.organization_id):
        _finish(
            message.pk, status=SmsStatus.UNCERTAIN, error_code=code[:20],
            error_message=reason[:300],
        )  # fmt: skip
        _audit(message, "sms.uncertain", code=code)
    return SmsStatus.UNCERTAIN


# --- Provider callbacks ---------------------------------------------------------------

# What each provider status may follow: a status never moves backwards, so a late
# "sent" cannot undo "delivered", and final states stay final.
_PROVIDER_STATUS = {
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.FAILED,
    "failed": SmsStatus.FAILED,
}
_MAY_FOLLOW = {
    SmsStatus.SENT: {SmsStatus.SENDING, SmsStatus.UNCERTAIN},
    SmsStatus.DELIVERED: {SmsStatus.SENDING, SmsStatus.UNCERTAIN, SmsStatus.SENT},
    SmsStatus.FAILED: {SmsStatus.SENDING, SmsStatus.UNCERTAIN, SmsStatus.SENT},
}


def sms_record_status(
    *, message_id: int, provider_sid: str, provider_status: str, error_code: str = ""
) -> bool:
    """Apply a provider's delivery report to `message_id`; True when the status changed."""
    new = _PROVIDER_STATUS.get(provider_status)
    organization_id = lookups.message_organization_id(message_id)
    if new is None or organization_id is None or not provider_sid:
        return False
    with tenant_context(organization_id):
        now = timezone.now()
        fields: dict[str, Any] = {"status": new, "provider_sid": provider_sid, "updated_at": now}
        if new == SmsStatus.DELIVERED:
            fields["delivered_at"] = now
        if new == SmsStatus.FAILED:
            fields["error_code"] = (error_code or provider_status)[:20]
            fields["error_message"] = _("Leverandøren kunne ikke levere meldingen.")
        changed = (
            SmsMessage.objects.for_organization(organization_id)
            .filter(pk=message_id, status__in=_MAY_FOLLOW[new])
            .filter(Q(provider_sid="") | Q(provider_sid=provider_sid))
            .update(**fields)
        )
        if changed and new == SmsStatus.FAILED:
            message = SmsMessage.objects.select_related("organization").get(pk=message_id)
            _audit(message, "sms.undelivered", code=fields["error_code"])
    return bool(changed)


def sms_receive(*, from_phone: str, body: str, provider_sid: str = "") -> int:
    """Handle an incoming SMS; a STOPP withdraws every SMS consent of that number.

    Returns how many consents were withdrawn, across every organization that has
    the number (each in its own tenant context, each audited). Anything else is a
    reply, kept by `messaging.inbound.inbound_receive` (issue 21); a STOPP is not kept.
    """
    if not is_stop_request(body):
        inbound_receive(from_phone=from_phone, body=body, provider_sid=provider_sid)
        return 0
    try:
        phone = normalise_phone(from_phone)
    except ValidationError:
        return 0
    targets = lookups.stop_targets(phone, SMS_CONSENT_PURPOSES)
    withdrawn = 0
    for organization_id in sorted({t.organization_id for t in targets}):
        mine = [t for t in targets if t.organization_id == organization_id]
        with tenant_context(organization_id):
            organization = Organization.objects.get(pk=organization_id)
            consent_ids = [t.row_id for t in mine if t.kind == "consent"]
            for consent in Consent.objects.for_organization(organization_id).filter(
                pk__in=consent_ids
            ):
                consent_withdraw(consent=consent, by=None, note=STOP_NOTE)
                withdrawn += 1
            staff_ids = [t.row_id for t in mine if t.kind == "staff"]
            for staff in (
                StaffSmsConsent.objects.for_organization(organization_id)
                .filter(pk__in=staff_ids)
                .select_related("membership__organization")
            ):
                withdrawn += staff_sms_consent_withdraw(
                    membership=staff.membership, by=None, note=STOP_NOTE
                )
            audit_record(
                organization=organization,
                actor=None,
                action="sms.stop_received",
                details={"consents": len(consent_ids), "staff": len(staff_ids)},
            )
    return withdrawn


# --- Recipient ends, pauses, is anonymised ------------------------------------------------


def sms_cancel_for_recipient(*, recipient: CareRecipient, by: User | None) -> int:
    """Cancel the recipient's queued messages (to them and their relatives), and those a
    batch task has claimed but not yet handed to the provider; return how many."""
    cancelled = (
        SmsMessage.objects.for_organization(recipient.organization_id)
        .filter(recipient_id=recipient.pk, status__in=[SmsStatus.QUEUED, SmsStatus.CLAIMED])
        .update(
            status=SmsStatus.CANCELLED,
            updated_at=timezone.now(),
            error_code="recipient_stopped",
            error_message=_("Brukeren er avsluttet eller satt på pause."),
        )
    )
    if cancelled:
        audit_record(
            organization=recipient.organization,
            actor=by,
            action="sms.cancelled",
            obj=recipient,
            details={"count": cancelled, "status": recipient.status},
        )
    return cancelled


def cancel_on_recipient_stop(recipient: CareRecipient, by: User | None) -> None:
    """The hook for `customers.hooks.on_recipient_end` and `on_recipient_pause` (R11)."""
    sms_cancel_for_recipient(recipient=recipient, by=by)


def anonymise_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Remove numbers and texts of the recipient's messages; keep dates and statuses."""
    sms_cancel_for_recipient(recipient=recipient, by=by)
    rows = SmsMessage.objects.for_organization(recipient.organization_id).filter(
        recipient_id=recipient.pk
    )
    rows.update(to_phone="", body="", error_message="")
    # The messages' log labels go too (every queued SMS has its "sms.queued" event).
    audit_relabel(
        organization_id=recipient.organization_id,
        model=SmsMessage,
        ids=rows.values_list("pk", flat=True),
        label=_("SMS: %(label)s") % {"label": recipient_anonymised_label(recipient)},
    )


def export_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """The recipient's messages (to them and their relatives) for a data-access export."""
    rows = SmsMessage.objects.for_organization(recipient.organization_id).filter(
        recipient_id=recipient.pk
    )
    return {
        "sms": [
            {
                "queued": timezone.localtime(m.created_at).isoformat(),
                "sent": timezone.localtime(m.sent_at).isoformat() if m.sent_at else None,
                "to": m.get_audience_display(),
                "phone": m.to_phone,
                "purpose": m.get_purpose_display(),
                "status": m.get_status_display(),
                "text": m.body,
            }
            for m in rows.order_by("created_at", "id")
        ]
    }


# --- Sweeper -------------------------------------------------------------------------------


def sms_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Every minute: enqueue due messages that wait for no task; flag stuck sends.

    A row "sending" for longer than `STUCK_AFTER` lost its worker after the claim
    was committed, so the provider may have the message: it becomes "uncertain"
    and is never re-sent automatically (R8). A row "claimed" for that long lost its
    batch task before it was handed to the provider: it goes back in the queue (its
    attempt not counted) and is enqueued in the same sweep.
    """
    now = now or timezone.now()
    counts = {"enqueued": 0, "uncertain": 0}
    # Organizations are not tenant rows: the list is readable without a tenant.
    for organization_id in Organization.objects.values_list("pk", flat=True):
        found = sms_sweep_organization(organization_id=organization_id, now=now)
        counts["enqueued"] += found["enqueued"]
        counts["uncertain"] += found["uncertain"]
    return counts


def sms_sweep_organization(*, organization_id: int, now: datetime) -> dict[str, int]:
    """`sms_sweep` for one organization (the job "sms_sweep", see `messaging.jobs`): due
    messages go out in batch tasks of `SEND_BATCH` (`sms_send_many`)."""
    send_batch = _batch_task()
    counts = {"enqueued": 0, "uncertain": 0}
    with tenant_context(organization_id):
        rows = SmsMessage.objects.for_organization(organization_id)
        for message in rows.filter(status=SmsStatus.SENDING, claimed_at__lt=now - STUCK_AFTER):
            if _finish(
                message.pk,
                status=SmsStatus.UNCERTAIN,
                error_code="worker_lost",
                error_message=_(
                    "Sendingen ble avbrutt. Sjekk hos leverandøren om den gikk ut "
                    "før du sender på nytt."
                ),
            ):
                counts["uncertain"] += 1
                _audit(message, "sms.uncertain", code="worker_lost")
        # Never handed to the provider (`sms_send_many` marks each one "sending" first).
        requeued = rows.filter(
            status=SmsStatus.CLAIMED, claimed_at__lt=now - STUCK_AFTER
        ).update(
            status=SmsStatus.QUEUED, claimed_at=None, enqueued_for=None,
            updated_at=timezone.now(), attempts=F("attempts") - 1,
        )  # fmt: skip
        if requeued:
            logger.warning("SMS sweep: %s claimed message(s) of a lost batch requeued", requeued)
        due = list(
            rows.filter(status=SmsStatus.QUEUED, send_after__lte=now)
            .filter(Q(enqueued_for__isnull=True) | Q(enqueued_for__lt=now - LOST_AFTER))
            .values_list("pk", flat=True)[:500]
        )
        if due:
            rows.filter(pk__in=due).update(enqueued_for=now)
            for start in range(0, len(due), SEND_BATCH):
                chunk = due[start : start + SEND_BATCH]
                transaction.on_commit(
                    partial(send_batch.delay, organization_id, chunk), robust=True
                )
            counts["enqueued"] += len(due)
    return counts
