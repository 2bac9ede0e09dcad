"""The card's SMS conversation: a message we sent, built in Python (a card shows up to a
hundred of them; the replies, with their forms, stay in the template)."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from seniorene.templatetags.choices import display

register = template.Library()

_BADGES = {"delivered": " badge--ok", "sent": " badge--ok", "failed": " badge--danger"}
_BADGES["uncertain"] = _BADGES["failed"]


@register.simple_tag
def sent_entry(entry: Any) -> SafeString:
    """One message we sent, in its thread (a `<li>`): when, its status, the text."""
    at = timezone.localtime(entry.at)
    badge = _BADGES.get(entry.sent.status, " badge--muted")
    label = escape(str(display(entry.sent, "status")))
    return mark_safe(  # noqa: S308 - every value is escaped
        '<li class="card"><p><strong>{}</strong> · <time datetime="{}">{}.{}.{} {:%H.%M}</time>'
        ' · <span class="badge{}">{}</span></p><p>{}</p></li>'.format(
            escape(gettext("Sendt fra oss")),
            at.isoformat(),
            at.day,
            at.month,
            at.year,
            at,
            badge,
            label,
            linebreaksbr(entry.body, autoescape=True),
        )
    )
