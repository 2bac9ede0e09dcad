"""Small template helpers for visit pages: map links and status badges."""

from __future__ import annotations

from django import template

from visits.services import map_url as _map_url

register = template.Library()

_BADGES = {
    "planned": "info",
    "moved": "warn",
    "cancelled": "muted",
    "logged": "ok",
    "not_happened": "danger",
}


@register.filter
def map_url(address: str) -> str:
    """`{{ recipient.full_address|map_url }}`: opens the address in a map app."""
    return _map_url(address) if address else ""


@register.filter
def status_badge(status: str) -> str:
    """The badge modifier for a visit status (`badge--{{ v.status|status_badge }}`)."""
    return _BADGES.get(status, "info")


_SMS_BADGES = {
    "queued": "info",
    "sending": "info",
    "sent": "info",
    "delivered": "ok",
    "failed": "danger",
    "cancelled": "muted",
    "blocked_no_consent": "danger",
    "uncertain": "warn",
}


@register.filter
def sms_badge(status: str) -> str:
    """The badge modifier for an SMS status (`badge--{{ m.status|sms_badge }}`)."""
    return _SMS_BADGES.get(status, "info")
