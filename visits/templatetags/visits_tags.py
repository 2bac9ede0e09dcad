"""Small template helpers for visit pages: map links and status badges."""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from omsorg.models import IntakeInterview
from seniorene.templatetags.choices import display
from visits.selectors import map_url as _map_url

register = template.Library()

_BADGES = {
    "planned": "info",
    "moved": "warn",
    "cancelled": "muted",
    "logged": "ok",
    "not_happened": "danger",
    "closed": "muted",
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
    "claimed": "info",
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


def _span(item) -> str:
    """Start–end as the week shows it: "10.00–11.00"."""
    tz = timezone.get_current_timezone()  # looked up once: a context-local read each time
    start = timezone.localtime(item.starts_at, tz)
    end = timezone.localtime(item.ends_at, tz)
    return f"{start:%H.%M}–{end:%H.%M}"


def _badges(badges: list[tuple[str, object]]) -> str:
    return " ".join(
        f'<span class="badge badge--{escape(kind)}">{escape(str(text))}</span>'
        for kind, text in badges
    )


@register.simple_tag
def visit_chip(visit) -> SafeString:
    """One visit (or Bli kjent meeting) in the leader's week grid: start–end, recipient,
    status, conflicts.

    Built here rather than in the template, with the standard library's escaping:
    a department's week is a few hundred of these, and this is about ten times
    quicker than the same markup through the template engine.
    """
    if isinstance(visit, IntakeInterview):
        return _meeting_chip(visit)
    badges = [(status_badge(visit.status), display(visit, "status"))]
    if not visit.plan_id:
        badges.append(("muted", gettext("Enkeltbesøk")))
    badges += [("danger", c.text) for c in visit.conflicts]
    return mark_safe(  # noqa: S308 - every value below is escaped
        '<li class="visit-chip visit-chip--{status}{conflict}"><a href="{href}">'
        "<strong>{time}</strong> {name}</a> {badges}</li>".format(
            status=escape(visit.status),
            conflict=" visit-chip--conflict" if visit.conflicts else "",
            href=_visit_path(get_script_prefix()).format(visit.pk),
            time=_span(visit),
            name=escape(visit.recipient_name),
            badges=_badges(badges),
        )
    )


_MEETING_BADGES = {"booked": "info", "completed": "ok", "cancelled": "muted"}


def _meeting_chip(meeting: Any) -> SafeString:
    """A Bli kjent meeting in the week: marked as such; a cancelled one struck and labelled."""
    badges: list[tuple[str, object]] = [("meeting", gettext("Bli kjent"))]
    if meeting.status != "booked":
        badges.append((_MEETING_BADGES.get(meeting.status, "info"), display(meeting, "status")))
    badges += [("danger", c.text) for c in meeting.conflicts]
    return mark_safe(  # noqa: S308 - every value below is escaped
        '<li class="visit-chip visit-chip--meeting visit-chip--{status}{conflict}">'
        '<a href="{href}"><strong>{time}</strong> {name}</a> {badges}</li>'.format(
            status=escape(meeting.status),
            conflict=" visit-chip--conflict" if meeting.conflicts else "",
            href=escape(reverse("omsorg:interview", args=[meeting.pk])),
            time=_span(meeting),
            name=escape(meeting.recipient_name),
            badges=_badges(badges),
        )
    )


@cache
def _visit_path(script_prefix: str) -> str:
    """The visit page's path with `{}` for the id (one `reverse` instead of hundreds)."""
    return reverse("visits:visit", args=[987654321]).replace("987654321", "{}")
