"""The SMS conversation on the recipient's card (issue 21): per phone number, the replies
kept by `messaging.inbound` and the messages the outbox sent to that number, newest last.

Registered through `customers.hooks.page_section` for the leader's card only (the senior's
page never shows relatives' replies). Opening the card marks the replies on it read for
that leader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from messaging.inbound import replies_mark_read, with_unread
from messaging.models import InboundSms, SmsAudience, SmsMessage, SmsPurpose
from seniorene.accounts.policy import Perm, has_perm
from seniorene.sms.text import normalise_phone

if TYPE_CHECKING:
    from django.http import HttpRequest

    from customers.hooks import Page
    from customers.models import CareRecipient, Relative

SHOWN = 100  # the newest replies and the newest sent messages on one card
# What a thread reads of a message we sent (`sent_entry`, `_who`); a card holds up to a
# hundred, and the rest of an outbox row (its keys, attempts, errors) is not shown.
_SENT_SHOWN = (
    *("organization_id", "to_phone", "body", "status", "audience"),
    *("created_at", "sent_at", "relative__name", "relative__relation"),
)
_UNSHOWN_RELATIVE = ("relative__phone", "relative__email", "relative__created_at")
_UNSHOWN_USER = ("handled_by__password", "handled_by__last_login", "handled_by__phone")


@dataclass
class Entry:
    """One message in a thread: a reply (`reply`) or a message we sent (`sent`)."""

    at: datetime
    body: str
    reply: InboundSms | None = None
    sent: SmsMessage | None = None
    unread: bool = False


@dataclass
class Thread:
    phone: str
    who: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def national(self) -> str:
        return national(self.phone)

    @property
    def unread(self) -> int:
        return sum(1 for e in self.entries if e.unread)

    @property
    def unhandled(self) -> int:
        return sum(1 for e in self.entries if e.reply and not e.reply.handled_at)

    @property
    def last_at(self) -> datetime:
        return self.entries[-1].at


def national(phone: str) -> str:
    """+4790011223 → "900 11 223"; anything unreadable as it is."""
    try:
        number = phonenumbers.parse(phone, "NO")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def e164(phone: str) -> str:
    """The number as the outbox and the webhook store it (E.164), to group by."""
    try:
        return normalise_phone(phone)
    except ValidationError:
        return phone


def _who(recipient: CareRecipient, relative: Relative | None) -> str:
    if relative is None:
        return _("%(name)s (brukeren selv)") % {"name": recipient.name}
    return f"{relative.name} ({relative.get_relation_display()})"


def recipient_conversation(
    *, recipient: CareRecipient, membership: Any
) -> tuple[list[Thread], list[InboundSms]]:
    """The card's threads, the one with the newest message first, and the replies shown."""
    replies = list(
        with_unread(
            InboundSms.objects.for_organization(recipient.organization_id).filter(
                recipient_id=recipient.pk
            ),
            membership,
        )
        .exclude(from_phone="")
        .select_related("relative", "handled_by")
        # Of the relative and the handler only what the card shows: a relative's own
        # phone would be parsed again (phonenumbers) for every message.
        .defer(*_UNSHOWN_RELATIVE, *_UNSHOWN_USER)
        .order_by("-received_at", "-id")[:SHOWN]
    )
    sent = list(
        SmsMessage.objects.for_organization(recipient.organization_id)
        .filter(recipient_id=recipient.pk)
        .exclude(to_phone="")
        # A one-time code is no part of a conversation, and staff need not read it.
        .exclude(purpose=SmsPurpose.ACCESS_CODE_SMS)
        .select_related("relative")
        .only(*_SENT_SHOWN)
        .order_by("-created_at", "-id")[:SHOWN]
    )
    threads: dict[str, Thread] = {}
    numbers: dict[str, str] = {}  # a few numbers, many messages: parse each number once

    def thread(raw: str, relative: Relative | None) -> Thread:
        phone = numbers.get(raw) or numbers.setdefault(raw, e164(raw))
        if phone not in threads:
            threads[phone] = Thread(phone=phone, who=_who(recipient, relative))
        return threads[phone]

    # Newest first: the thread is named after the person who last used the number.
    for reply in replies:
        thread(reply.from_phone, reply.relative).entries.append(
            Entry(
                at=reply.received_at,
                body=reply.body,
                reply=reply,
                unread=reply.is_unread,  # type: ignore[attr-defined]
            )
        )
    for message in sent:
        relative = message.relative if message.audience == SmsAudience.RELATIVE else None
        thread(message.to_phone, relative).entries.append(
            Entry(at=message.sent_at or message.created_at, body=message.body, sent=message)
        )
    for t in threads.values():
        t.entries.sort(key=lambda e: e.at)
    ordered = sorted(threads.values(), key=lambda t: t.last_at, reverse=True)
    return ordered, replies


def card_section(request: HttpRequest, recipient: CareRecipient, *, page: Page) -> dict[str, Any]:
    """On the leader's card: the conversations; the replies shown are read from now on."""
    membership = getattr(request, "membership", None)
    if page != "card" or membership is None or not has_perm(membership, Perm.VIEW_RECIPIENTS):
        return {}
    threads, replies = recipient_conversation(recipient=recipient, membership=membership)
    replies_mark_read(membership=membership, messages=replies)
    return {
        "sms_conversation_template": "sms/_conversation.html",
        "sms_threads": threads,
        "sms_unread": sum(t.unread for t in threads),
        "sms_unhandled": sum(t.unhandled for t in threads),
    }
