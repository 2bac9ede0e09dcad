"""Replies are kept (issue 21): every inbound SMS that is not a STOPP is stored.

Twilio's webhook knows a phone number, not an organization. `inbound_receive` asks the
one cross-tenant question (`lookups.inbound_senders`, ids only) and then, inside
`tenant_context` for each organization that knows the number, stores one row:

- a relative's or recipient's number: a reply on that recipient's card (the
  conversation), unread for each leader until they open the card, and on *Følg opp*
  until someone marks it handled;
- a number only the outbox knows (the organization texted it once, e.g. a relative's
  old number): admin's list *Ukjente avsendere*, without a recipient;
- a number no organization knows: `UnmatchedInboundSms`, for platform staff only.

Several people with the number in one organization (a sibling who is the relative of both
parents, a relative who shares the recipient's phone): the reply goes to the conversation
the organization last texted that number in (the outbox's newest message to it about one
of them); with no such message, to each recipient's card (nothing is dropped; the
recipient's own number is preferred over a relative's on the same card).

A retried webhook (the same MessageSid) stores nothing twice: a unique constraint per
organization and recipient, checked before the insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import CareRecipient
from messaging import lookups
from messaging.models import (
    InboundSms,
    InboundSmsRead,
    SmsAudience,
    SmsMessage,
    UnmatchedInboundSms,
)
from seniorene.accounts.models import Membership, Organization, User
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.services import audit_record, audit_relabel
from seniorene.forms import plain_text
from seniorene.sms.text import normalise_phone

if TYPE_CHECKING:
    from collections.abc import Collection

BODY_MAX = 2000  # Twilio caps a message at 1,600 characters
NOTE_MAX = 500

__all__ = [
    "inbound_receive",
    "replies_mark_read",
    "replies_unhandled",
    "reply_handle",
    "unknown_senders",
]

Person = tuple[int, int | None]  # (recipient id, relative id or None: the recipient themself)


@dataclass(frozen=True)
class Received:
    """What one inbound SMS became: rows stored per organization, or the platform's row."""

    stored: int
    organizations: tuple[int, ...]
    unmatched: bool


def _choose(organization_id: int, phone: str, people: list[Person]) -> list[Person]:
    """Whose conversation a reply from `phone` belongs to, among `people` with that number."""
    people = sorted(set(people), key=lambda p: (p[0], p[1] is not None, p[1] or 0))
    if len(people) == 1:
        return people
    last = (
        SmsMessage.objects.for_organization(organization_id)
        .filter(to_phone=phone, recipient_id__in={p[0] for p in people})
        .order_by("-created_at", "-id")
        .values_list("recipient_id", "relative_id", "audience")
        .first()
    )
    if last is not None:
        recipient_id, relative_id, audience = last
        exact = (recipient_id, relative_id if audience == SmsAudience.RELATIVE else None)
        if exact in people:
            return [exact]
        return [next(p for p in people if p[0] == recipient_id)]
    # Never texted about any of them: each card gets it, the recipient's own number first.
    chosen: dict[int, Person] = {}
    for person in people:
        chosen.setdefault(person[0], person)
    return list(chosen.values())


def _store(organization_id: int, fields: dict[str, Any]) -> InboundSms | None:
    """Insert one row, or None when a retried webhook stored it already."""
    sid = fields["provider_sid"]
    if sid:
        same = InboundSms.objects.for_organization(organization_id).filter(
            provider_sid=sid, recipient_id=fields["recipient_id"]
        )
        if same.exists():
            return None
    try:
        with transaction.atomic():
            return InboundSms.objects.create(organization_id=organization_id, **fields)
    except IntegrityError:  # the same retry, at the same moment
        return None


def _receive_in(
    organization_id: int, phone: str, senders: list[lookups.InboundSender], base: dict[str, Any]
) -> int:
    people = [(s.recipient_id, s.relative_id) for s in senders if s.recipient_id is not None]
    targets: list[Person | None] = list(_choose(organization_id, phone, people)) if people else []
    if not targets:
        targets = [None]  # only the outbox knows the number: admin's list
    stored = 0
    organization = Organization.objects.get(pk=organization_id)
    for target in targets:
        recipient_id, relative_id = target if target else (None, None)
        row = _store(
            organization_id, {**base, "recipient_id": recipient_id, "relative_id": relative_id}
        )
        if row is None:
            continue
        stored += 1
        audit_record(
            organization=organization,
            actor=None,
            action="sms.reply_received",
            obj=row,
            details={"known": target is not None},
        )
    return stored


def inbound_receive(
    *, from_phone: str, body: str, provider_sid: str = "", at: datetime | None = None
) -> Received:
    """Store an inbound SMS (not a STOPP) in every organization that knows the number."""
    base = {
        "from_phone": plain_text(from_phone, 32),
        "body": plain_text(body, BODY_MAX),
        "provider_sid": plain_text(provider_sid, 64),
        "received_at": at or timezone.now(),
    }
    try:
        phone = normalise_phone(from_phone)
    except ValidationError:
        phone = ""  # a short code or a name: nobody's, but kept
    senders = lookups.inbound_senders(phone) if phone else []
    organizations = tuple(sorted({s.organization_id for s in senders}))
    if not organizations:
        if phone:
            base["from_phone"] = phone
        sid = base["provider_sid"]
        if not (sid and UnmatchedInboundSms.objects.filter(provider_sid=sid).exists()):
            try:
                with transaction.atomic():
                    UnmatchedInboundSms.objects.create(**base)
            except IntegrityError:
                pass
        return Received(stored=0, organizations=(), unmatched=True)
    base["from_phone"] = phone
    stored = 0
    for organization_id in organizations:
        mine = [s for s in senders if s.organization_id == organization_id]
        with tenant_context(organization_id):
            stored += _receive_in(organization_id, phone, mine, base)
    return Received(stored=stored, organizations=organizations, unmatched=False)


# --- Reading and handling -----------------------------------------------------------------


def replies_unhandled(
    *, organization_id: int, department_ids: Collection[int] | None
) -> QuerySet[InboundSms]:
    """Replies on recipients' cards nobody has marked handled, in the departments (None:
    all), oldest first."""
    rows = (
        InboundSms.objects.for_organization(organization_id)
        .filter(recipient__isnull=False, handled_at__isnull=True)
        .select_related("recipient", "recipient__department", "relative")
        .order_by("received_at", "id")
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return rows


def with_unread(rows: QuerySet[InboundSms], membership: Membership) -> QuerySet[InboundSms]:
    """`rows` with `is_unread`: not yet read by `membership`."""
    read = InboundSmsRead.objects.filter(message=OuterRef("pk"), membership=membership)
    return rows.annotate(is_unread=~Exists(read))


def replies_mark_read(*, membership: Membership, messages: list[InboundSms]) -> int:
    """`membership` has seen `messages` (opened the card): returns how many were unread."""
    if not messages:
        return 0
    done = set(
        InboundSmsRead.objects.filter(
            membership=membership, message_id__in=[m.pk for m in messages]
        ).values_list("message_id", flat=True)
    )
    new = [
        InboundSmsRead(organization_id=m.organization_id, message=m, membership=membership)
        for m in messages
        if m.pk not in done
    ]
    InboundSmsRead.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def reply_handle(*, message: InboundSms, by: Membership, note: str = "") -> bool:
    """Mark a reply (or an unknown sender's SMS) handled; False when it was already."""
    note = note.replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Merknaden kan være høyst %(n)s tegn.") % {"n": NOTE_MAX}})
    with transaction.atomic():
        updated = (
            InboundSms.objects.for_organization(by.organization_id)
            .filter(pk=message.pk, handled_at__isnull=True)
            .update(handled_at=timezone.now(), handled_by=by.user, handled_note=note)
        )
        if updated:
            audit_record(
                organization=by.organization,
                actor=by.user,
                action="sms.reply_handled",
                obj=message,
                # The note stays out of the append-only log (it may name the person).
                details={"with_note": bool(note), "known": message.recipient_id is not None},
            )
    message.refresh_from_db()
    return bool(updated)


def unknown_senders(*, organization_id: int) -> QuerySet[InboundSms]:
    """Admin's list: SMS from numbers only the outbox knows, unhandled first, newest first."""
    return (
        InboundSms.objects.for_organization(organization_id)
        .filter(recipient__isnull=True)
        .select_related("handled_by")
        .order_by("handled_at", "-received_at", "-id")
    )


# --- The recipient's life cycle (customers.hooks) -----------------------------------------


def anonymise_replies_for_recipient(recipient: CareRecipient, by: User | None) -> None:
    """Retention: the replies' numbers, texts and notes go; when and who handled stay."""
    from customers.services import recipient_anonymised_label

    rows = InboundSms.objects.for_organization(recipient.organization_id).filter(
        recipient_id=recipient.pk
    )
    ids = list(rows.values_list("pk", flat=True))
    rows.update(from_phone="", body="", handled_note="")
    audit_relabel(
        organization_id=recipient.organization_id,
        model=InboundSms,
        ids=ids,
        label=_("SMS-svar: %(label)s") % {"label": recipient_anonymised_label(recipient)},
    )


def export_replies_for_recipient(recipient: CareRecipient) -> dict[str, Any]:
    """The replies from the recipient and their relatives, for innsyn."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    rows = (
        InboundSms.objects.for_organization(recipient.organization_id)
        .filter(recipient_id=recipient.pk)
        .select_related("relative", "handled_by")
        .order_by("received_at", "id")
    )
    return {
        "sms_replies": [
            {
                "received": when(m.received_at),
                "from": m.relative.name if m.relative else recipient.name,
                "phone": m.from_phone,
                "text": m.body,
                "handled_at": when(m.handled_at),
                "handled_by": m.handled_by.name if m.handled_by else None,
                "handled_note": m.handled_note,
            }
            for m in rows
        ]
    }
