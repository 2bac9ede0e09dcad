"""Relatives told when a visit's plan changes: cancelled, moved, or it did not happen.

Every service that cancels (`visits.changes.visit_cancel`, the relative's own cancel),
moves (`visit_move`) or marks a visit as not happened (`visits.logging`, the senior's report
or the leader's on their behalf) calls `visit_change_notify` inside its transaction. The SMS
rows are written in that same transaction, so they exist exactly when the change does (a
change rolled back leaves none; a crash after the commit cannot lose them), and their send
tasks are enqueued after the commit by `messaging.services.sms_queue`.

Who hears (issue 21):

- the relative who is the customer, and every other relative of the recipient with their
  own visit-summary consent (`VISIT_CHANGE_SMS` is sent under that consent);
- the recipient, when the recipient is the customer and has consented to the SMS after
  visits (they are the one who plans with us, as for the thank-you after a visit).

Each person is told once per visit and change (R8): the key is
``change:<visit>:<kind>:<when>:<audience>:<person>``, where ``<when>`` is the new start and
the time of the move (moved twice: two notices; the same change rerun: none), the time it
was cancelled, or nothing for "did not happen" (once per visit). A number shared by two
people gets one notice. The notices carry no `visit_id`: the outbox's one-per-visit-and-phone
rule is for the feedback SMS, and a visit moved twice must give two notices; the visit page
finds them by their key.

Consent is checked when the notice is queued and again when it is sent (R4/R5), and quiet
hours hold (a change at 23:00 goes out when the sending hours begin, even when that is after
the visit: the relative still learns why nobody came). Not told: changes to visits that
started more than `STALE_AFTER` ago (records tidied after the fact), a leader closing a
visit without a report, and the plan-level cancellations (a plan ended or changed, the
recipient paused or ended) — those are agreed with the customer, and one SMS per visit
would be a flood.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from customers.contacts import contact_line, contact_person
from customers.models import CareRecipient, Consent, CustomerKind, Relative
from customers.services import current_customer
from messaging.models import SmsAudience, SmsMessage, SmsPurpose, consent_purpose
from messaging.services import sms_queue
from seniorene.accounts.models import User
from visits.models import Visit

logger = logging.getLogger(__name__)

PURPOSE = SmsPurpose.VISIT_CHANGE_SMS
# A change to a visit that started longer ago than this is not news to anyone.
STALE_AFTER = timedelta(days=2)


class VisitChange(StrEnum):
    CANCELLED = "cancelled"
    MOVED = "moved"
    NOT_HAPPENED = "not_happened"


@dataclass(frozen=True)
class _Person:
    audience: str
    name: str
    phone: Any  # PhoneNumber
    relative: Relative | None


def _when(at: datetime) -> str:
    """ "torsdag 27. november kl. 11.00" in Oslo time (call under translation "nb")."""
    local = timezone.localtime(at)
    day = formats.date_format(local, "l j. F")
    return _("%(day)s kl. %(time)s") % {"day": day, "time": local.strftime("%H.%M")}


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0]


def _people(recipient: CareRecipient) -> list[_Person]:
    """Who hears of a change: the customer (a relative, or the recipient themself) first,
    then every other relative with an active visit-summary consent; one per phone."""
    customer = current_customer(recipient)
    customer_relative = (
        customer.relative_id
        if customer is not None and customer.kind == CustomerKind.RELATIVE
        else None
    )
    now = timezone.now()
    consenting = set(
        Consent.objects.for_organization(recipient.organization_id)
        .filter(
            recipient=recipient,
            relative__isnull=False,
            purpose=consent_purpose(PURPOSE),
            given_at__lte=now,
        )
        .exclude(withdrawn_at__lte=now)
        .values_list("relative_id", flat=True)
    )
    relatives = (
        Relative.objects.for_organization(recipient.organization_id)
        .filter(recipient=recipient)
        .order_by("name", "pk")
    )
    people: list[_Person] = []
    if customer is not None and customer.kind == CustomerKind.RECIPIENT and recipient.phone:
        people.append(_Person(SmsAudience.RECIPIENT, recipient.name, recipient.phone, None))
    ordered = sorted(relatives, key=lambda r: r.pk != customer_relative)
    for relative in ordered:
        if relative.phone and (relative.pk == customer_relative or relative.pk in consenting):
            people.append(_Person(SmsAudience.RELATIVE, relative.name, relative.phone, relative))
    seen: set[str] = set()
    unique = []
    for person in people:
        if str(person.phone) not in seen:
            seen.add(str(person.phone))
            unique.append(person)
    return unique


def _stamp(visit: Visit, change: VisitChange) -> str:
    if change == VisitChange.MOVED:
        moved_at = visit.updated_at or timezone.now()
        return f"{int(visit.starts_at.timestamp())}-{int(moved_at.timestamp() * 1_000_000)}"
    if change == VisitChange.CANCELLED:
        cancelled_at = visit.cancelled_at or visit.updated_at or timezone.now()
        return str(int(cancelled_at.timestamp() * 1_000_000))
    return "once"


def change_notice_text(
    *, visit: Visit, change: VisitChange, person: _Person, moved_from: datetime | None,
    contact: str, link: str,
) -> str:  # fmt: skip
    """The notice in Bokmål: what changed, the signature, the contact person, the link."""
    with translation.override("nb"):
        recipient = _first_name(visit.recipient.name)
        if person.audience == SmsAudience.RECIPIENT:
            whose = _("Besøket ditt")
        else:
            whose = _("Besøket hos %(name)s") % {"name": recipient}
        if change == VisitChange.MOVED:
            ends = timezone.localtime(visit.ends_at).strftime("%H.%M")
            new = _("%(when)s-%(end)s") % {"when": _when(visit.starts_at), "end": ends}
            if moved_from is not None:
                what = _("%(whose)s %(old)s er flyttet til %(new)s.") % {
                    "whose": whose,
                    "old": _when(moved_from),
                    "new": new,
                }
            else:
                what = _("%(whose)s er flyttet til %(new)s.") % {"whose": whose, "new": new}
        elif change == VisitChange.CANCELLED:
            what = _("%(whose)s %(when)s er avlyst.") % {
                "whose": whose,
                "when": _when(visit.starts_at),
            }
        else:
            what = _("%(whose)s %(when)s ble ikke noe av.") % {
                "whose": whose,
                "when": _when(visit.starts_at),
            }
        greeting = _("Hei %(name)s!") % {"name": _first_name(person.name)}
        signature = _("Hilsen %(organization)s") % {"organization": visit.organization.name}
        lines = [f"{greeting} {what} {signature}", contact, link]
        return "\n".join(line for line in lines if line)


def visit_change_notify(
    *, visit: Visit, change: VisitChange, moved_from: datetime | None = None,
    by: User | None = None,
) -> None:  # fmt: skip
    """Queue one SMS per person who should hear of `change` to `visit` (call it inside
    the transaction that makes the change; they are sent after it commits).

    `moved_from` (a move) lets the text say which visit moved. Never raises for a
    person who cannot be told (no consent, the recipient ended): that person is left out.
    """
    from visits.feedback import page_link

    now = timezone.now()
    if visit.starts_at < now - STALE_AFTER:
        return
    recipient = visit.recipient
    stamp = _stamp(visit, change)
    people = _people(recipient)
    if not people:
        return
    with translation.override("nb"):
        contact = contact_line(contact_person(recipient))
    for person in people:
        who = person.relative.pk if person.relative else recipient.pk
        key = f"change:{visit.pk}:{change.value}:{stamp}:{person.audience}:{who}"
        try:
            with transaction.atomic():  # a failure here never undoes the change itself
                sms_queue(
                    organization_id=visit.organization_id,
                    to_phone=person.phone,
                    body=change_notice_text(
                        visit=visit,
                        change=change,
                        person=person,
                        moved_from=moved_from,
                        contact=contact,
                        link=page_link(person.relative, now),
                    ),
                    purpose=PURPOSE,
                    audience=person.audience,
                    idempotency_key=key,
                    recipient_id=recipient.pk,
                    relative_id=person.relative.pk if person.relative else None,
                    created_by=by,
                )
        except ValidationError as exc:  # no consent, the recipient ended, a bad number
            logger.info("change notice %s not queued: %s", key, exc.code)
        except Exception:
            logger.exception("change notice %s not queued", key)


def change_notices(*, visit: Visit, change: VisitChange) -> list[SmsMessage]:
    """The notices queued for `visit`'s latest `change` (what the leader is told after it)."""
    prefix = f"change:{visit.pk}:{change.value}:{_stamp(visit, change)}:"
    return list(
        SmsMessage.objects.for_organization(visit.organization_id)
        .filter(purpose=PURPOSE, idempotency_key__startswith=prefix)
        .select_related("relative", "recipient")
        .order_by("pk")
    )


def change_notices_said(*, visit: Visit, change: VisitChange) -> str:
    """ "SMS om endringen går til Ingrid Ødegård, Bjørn Ødegård." or that nobody gets one."""
    names = [
        (m.relative or m.recipient or visit.recipient).name
        for m in change_notices(visit=visit, change=change)
    ]
    if not names:
        return _("Ingen får SMS om endringen. Gi beskjed på annen måte om det trengs.")
    return _("SMS om endringen går til %(names)s.") % {"names": ", ".join(names)}
