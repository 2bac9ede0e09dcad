"""The relative's own page: signed, expiring, revocable links bound to one relative.

Messages to relatives (visits.feedback, visits.change_notices) put the link from
`relative_page_url` in their text; sending a new SMS renews the link's 30 days.

A link is a random 256-bit token in the URL; only its SHA-256 hash is stored
(`customers.RelativeLink`), so neither a database dump nor the audit log can open a page.
Every SMS issues a new link and renews the relative's links that still work, so the latest
SMS always holds a link valid for `RELATIVE_LINK_DAYS`. A browser that has not been used
with the relative's page before must first enter a one-time code sent by SMS to the
relative's number on file (`RelativeAccessCode`, 6 digits, `CODE_MINUTES`, at most
`CODE_ATTEMPTS` tries); it is then trusted through a long random cookie
(`RelativeDevice`, hash stored). A leader revokes the links and devices from the card.

The public page knows no organization: `link_organization_id` finds it from the token's
hash through a narrow SECURITY DEFINER function (migration customers.0007) that answers
with an id only, and the page then works inside that tenant.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from customers.consent import consent_is_active
from customers.models import (
    CareRecipient,
    ConsentPurpose,
    RecipientStatus,
    Relative,
    RelativeAccessCode,
    RelativeDevice,
    RelativeLink,
)
from seniorene.accounts.models import User
from seniorene.audit.services import audit_record

RELATIVE_LINK_DAYS = 30
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODE_DIGITS = 6
# The cookie that marks a trusted browser: only sent to the relative's pages.
DEVICE_COOKIE = "seniorene_parorende"
DEVICE_COOKIE_PATH = "/p/"
DEVICE_COOKIE_DAYS = 365
# The consent that lets a relative have a page (the SMS that carry its link go under it).
PAGE_CONSENT = ConsentPurpose.VISIT_SUMMARY_SMS


def token_hash(token: str) -> str:
    """The SHA-256 hash (hex) under which a link's or a device's token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def relative_page_allowed(*, relative: Relative, now: datetime) -> bool:
    """May `relative` have a page now: a mobile number, the recipient neither ended nor
    anonymised, and an active consent to the visit summary SMS (under which the page's
    SMS are sent)."""
    recipient = relative.recipient
    if not relative.phone or recipient.anonymised_at is not None:
        return False
    if recipient.status == RecipientStatus.ENDED:
        return False
    return consent_is_active(
        recipient_id=recipient.pk, relative_id=relative.pk, purpose=PAGE_CONSENT, at=now
    )


def relative_page_url(*, relative: Relative, now: datetime) -> str | None:
    """The absolute URL (SITE_URL) of `relative`'s own page, for an SMS to them.

    None when the relative may not have a page (no active visit-summary consent, no
    mobile number, or the recipient has ended). Issuing renews the link for 30 days.
    """
    if not relative_page_allowed(relative=relative, now=now):
        return None
    token = link_issue(relative=relative, now=now)
    return settings.SITE_URL + reverse("family:page", args=[token])


def link_issue(*, relative: Relative, now: datetime) -> str:
    """A new link for `relative` (its token, to put in an SMS); the relative's links that
    still work are renewed to the same expiry."""
    expires = now + timedelta(days=RELATIVE_LINK_DAYS)
    RelativeLink.objects.filter(
        relative=relative, revoked_at__isnull=True, expires_at__gt=now
    ).update(expires_at=expires)
    token = _new_token()
    RelativeLink.objects.create(
        organization_id=relative.organization_id,
        relative=relative,
        token_hash=token_hash(token),
        issued_at=now,
        expires_at=expires,
    )
    return token


def link_organization_id(token: str) -> int | None:
    """The organization of the link with `token`, found across tenants (None: no such link)."""
    digest = token_hash(token)
    if connection.vendor != "postgresql":
        return (
            RelativeLink.objects.filter(token_hash=digest)
            .values_list("organization_id", flat=True)
            .first()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT seniorene_relative_link_organization(%s)", [digest])
        row = cursor.fetchone()
    return row[0] if row else None


def relatives_for_phone(phone: str) -> list[tuple[int, int]]:
    """(organization id, relative id) of every relative with mobile `phone` (E.164), in any
    organization: for "send me a new link", which texts only the number on file."""
    if connection.vendor != "postgresql":
        return list(Relative.objects.filter(phone=phone).values_list("organization_id", "pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM seniorene_relative_page_phone(%s)", [phone])
        return [(row[0], row[1]) for row in cursor.fetchall()]


class LinkState(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"  # no such link: mistyped, tampered with, or never issued
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNAVAILABLE = "unavailable"  # the relative may no longer have a page (consent, ended)


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    link: RelativeLink | None = None

    @property
    def relative(self) -> Relative | None:
        return self.link.relative if self.link is not None else None


def link_check(*, token: str, now: datetime) -> LinkCheck:
    """What the link with `token` opens now (inside its organization's tenant)."""
    link = (
        RelativeLink.objects.filter(token_hash=token_hash(token))
        .select_related("relative__recipient", "organization")
        .first()
    )
    if link is None:
        return LinkCheck(LinkState.UNKNOWN)
    if link.revoked_at is not None:
        return LinkCheck(LinkState.REVOKED, link)
    if not relative_page_allowed(relative=link.relative, now=now):
        return LinkCheck(LinkState.UNAVAILABLE, link)
    if now >= link.expires_at:
        return LinkCheck(LinkState.EXPIRED, link)
    return LinkCheck(LinkState.OK, link)


# --- Trusted devices ------------------------------------------------------------------


def device_for(*, relative: Relative, cookie: str | None) -> RelativeDevice | None:
    """The trusted device of `relative` whose cookie is `cookie`, or None."""
    if not cookie or len(cookie) > 200:
        return None
    return RelativeDevice.objects.filter(
        relative=relative, token_hash=token_hash(cookie), revoked_at__isnull=True
    ).first()


def device_seen(device: RelativeDevice, *, now: datetime) -> None:
    RelativeDevice.objects.filter(pk=device.pk).update(last_seen_at=now)


# --- One-time codes -------------------------------------------------------------------


def _code_digest(code_row_salt: str, code: str) -> str:
    return salted_hmac("customers.relative_access.code", f"{code_row_salt}:{code}").hexdigest()


def code_issue(*, link: RelativeLink, now: datetime) -> tuple[RelativeAccessCode, str]:
    """A new one-time code for the link's relative (the code in clear, for the SMS). Older
    unused codes of the relative stop working."""
    relative = link.relative
    RelativeAccessCode.objects.filter(relative=relative, used_at__isnull=True).update(
        expires_at=now
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = RelativeAccessCode.objects.create(
        organization_id=relative.organization_id,
        relative=relative,
        link=link,
        code_hash="",
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    row.code_hash = _code_digest(str(row.pk), code)
    row.save(update_fields=["code_hash"])
    return row, code


class CodeResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"  # none asked for, or the last one is too old or used
    TOO_MANY = "too_many"


def code_check(
    *, link: RelativeLink, code: str, now: datetime
) -> tuple[CodeResult, RelativeDevice | None, str]:
    """Check `code` against the relative's latest code. On success: the code is used up and
    a trusted device is made; returns (OK, device, the device's cookie value)."""
    relative = link.relative
    row = (
        RelativeAccessCode.objects.select_for_update()
        .filter(relative=relative, used_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None or now >= row.expires_at:
        return CodeResult.EXPIRED, None, ""
    if row.attempts >= CODE_ATTEMPTS:
        return CodeResult.TOO_MANY, None, ""
    row.attempts += 1
    cleaned = "".join(ch for ch in code if ch.isdigit())[: CODE_DIGITS + 1]
    if not hmac.compare_digest(row.code_hash, _code_digest(str(row.pk), cleaned)):
        row.save(update_fields=["attempts"])
        if row.attempts >= CODE_ATTEMPTS:
            return CodeResult.TOO_MANY, None, ""
        return CodeResult.WRONG, None, ""
    row.used_at = now
    row.save(update_fields=["attempts", "used_at"])
    cookie = _new_token()
    device = RelativeDevice.objects.create(
        organization_id=relative.organization_id,
        relative=relative,
        token_hash=token_hash(cookie),
        created_at=now,
        last_seen_at=now,
    )
    audit_record(
        organization=link.organization,
        actor=None,
        action="relative_page.device_trusted",
        obj=relative,
        details={"link": link.pk, "device": device.pk},
    )
    return CodeResult.OK, device, cookie


# --- Revocation -----------------------------------------------------------------------


def relative_links_revoke(*, relative: Relative, by: User | None, now: datetime) -> int:
    """Revoke every link and trusted device of `relative`; return how many links were
    still working. Audited."""
    revoked = RelativeLink.objects.filter(relative=relative, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    )
    RelativeDevice.objects.filter(relative=relative, revoked_at__isnull=True).update(revoked_at=now)
    RelativeAccessCode.objects.filter(relative=relative, used_at__isnull=True).update(
        expires_at=now
    )
    audit_record(
        organization=relative.organization,
        actor=by,
        action="relative_page.revoked",
        obj=relative,
        details={"links": revoked},
    )
    return revoked


def relative_page_statuses(*, relatives: Sequence[Relative], now: datetime) -> dict[int, str]:
    """For the card, per relative: "active" (a link works now), "revoked" (the last one
    was revoked), "none" (no link sent, or all expired). One query for them all."""
    statuses = dict.fromkeys((relative.pk for relative in relatives), "none")
    links = RelativeLink.objects.filter(relative__in=list(statuses)).order_by(
        "relative_id", "-issued_at", "-pk"
    )
    last_seen: set[int] = set()
    for link in links.only("relative_id", "issued_at", "expires_at", "revoked_at"):
        if link.revoked_at is None and link.expires_at > now:
            statuses[link.relative_id] = "active"
        elif link.relative_id not in last_seen and link.revoked_at is not None:
            statuses[link.relative_id] = "revoked"
        last_seen.add(link.relative_id)
    return statuses


# --- Data protection (registered in customers.apps through customers.hooks) ------------


def relative_page_anonymise(recipient: CareRecipient, by: User | None) -> None:
    """Anonymisation: the relatives' links, devices and codes are deleted (hashes only, but
    nothing is left that could open a page or tell when one was used)."""
    relatives = Relative.objects.filter(recipient=recipient)
    RelativeAccessCode.objects.filter(relative__in=relatives).delete()
    RelativeDevice.objects.filter(relative__in=relatives).delete()
    RelativeLink.objects.filter(relative__in=relatives).delete()


def relative_page_export(recipient: CareRecipient) -> dict[str, Any]:
    """For innsyn: each relative's page links, trusted devices and one-time codes (when,
    never the tokens or codes, which are not stored)."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    links = RelativeLink.objects.filter(relative__recipient=recipient).select_related(
        "relative", "revoked_by"
    )
    devices = RelativeDevice.objects.filter(relative__recipient=recipient).select_related(
        "relative"
    )
    codes = RelativeAccessCode.objects.filter(relative__recipient=recipient).select_related(
        "relative"
    )
    return {
        "relative_page_links": [
            {
                "relative": link.relative.name,
                "issued": when(link.issued_at),
                "expires": when(link.expires_at),
                "revoked": when(link.revoked_at),
                "by": str(link.revoked_by) if link.revoked_by else None,
            }
            for link in links.order_by("issued_at", "pk")
        ],
        "relative_page_devices": [
            {
                "relative": device.relative.name,
                "trusted": when(device.created_at),
                "last_seen": when(device.last_seen_at),
                "revoked": when(device.revoked_at),
            }
            for device in devices.order_by("created_at", "pk")
        ],
        "relative_page_codes": [
            {
                "relative": code.relative.name,
                "sent": when(code.created_at),
                "used": when(code.used_at),
                "attempts": code.attempts,
            }
            for code in codes.order_by("created_at", "pk")
        ],
    }
