"""The consent gate (R4/R5): the one function every sender asks before sending."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from customers.models import CareRecipient, Consent, RecipientStatus


def consent_is_active(
    *, recipient_id: int, relative_id: int | None, purpose: str, at: datetime | None = None
) -> bool:
    """True when an unwithdrawn consent for this person and purpose exists at `at`.

    `relative_id` None means the recipient themself.
    """
    at = at or timezone.now()
    person = Q(relative__isnull=True) if relative_id is None else Q(relative_id=relative_id)
    return (
        Consent.objects.filter(person, recipient_id=recipient_id, purpose=purpose, given_at__lte=at)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
        .exists()
    )


def may_send(
    *, recipient_id: int, relative_id: int | None, purpose: str, at: datetime | None = None
) -> bool:
    """May we send `purpose` to this person now? Consent, and the recipient not ended (R11)."""
    status = (
        CareRecipient.objects.filter(pk=recipient_id, anonymised_at__isnull=True)
        .values_list("status", flat=True)
        .first()
    )
    if status is None or status == RecipientStatus.ENDED:
        return False
    return consent_is_active(
        recipient_id=recipient_id, relative_id=relative_id, purpose=purpose, at=at
    )


def consents_active(
    *, recipient_ids: Iterable[int], purposes: Iterable[str], at: datetime | None = None
) -> set[tuple[int, int | None, str]]:
    """`consent_is_active` for many people at once, in one query: the (recipient id,
    relative id or None for the recipient themself, purpose) that have an unwithdrawn
    consent at `at`. The bulk senders (reminders, the send batch) ask this once per batch."""
    at = at or timezone.now()
    return set(
        Consent.objects.filter(
            recipient_id__in=list(recipient_ids), purpose__in=list(purposes), given_at__lte=at
        )
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
        .values_list("recipient_id", "relative_id", "purpose")
        .distinct()
    )
