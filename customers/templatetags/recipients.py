"""The recipient list's rows, built in Python: fifty to a page, each a dozen values."""

from __future__ import annotations

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from seniorene.templatetags.choices import display
from seniorene.templatetags.paths import id_url

register = template.Library()

_STATUS_BADGES = {"active": "ok", "ended": "muted", "paused": "warn"}


@register.simple_tag
def recipient_row(recipient) -> SafeString:
    """One recipient in the leader's list (a `<tr>`): name (to the card), age, department,
    status, the seniors who visit, the contact person. `recipient.assignments` is the
    prefetched list of their seniors (customers.views._with_seniors)."""
    seniors = ", ".join(escape(a.senior.user.name) for a in recipient.assignments)
    contact = recipient.contact_person
    cells = (
        '<td><a href="{}">{}</a></td>'.format(
            escape(id_url("customers:card", recipient.pk)), escape(recipient.name)
        ),
        f"<td>{recipient.age_on(timezone.localdate())}</td>",
        f"<td>{escape(recipient.department.name)}</td>",
        '<td><span class="badge badge--{}">{}</span></td>'.format(
            _STATUS_BADGES.get(recipient.status, "info"), escape(str(display(recipient, "status")))
        ),
        "<td>{}</td>".format(
            seniors or '<span class="muted">{}</span>'.format(escape(gettext("Ingen")))
        ),
        "<td>{}</td>".format(escape(contact.user.name) if contact and contact.user.name else "–"),
    )
    return mark_safe("<tr>" + "".join(cells) + "</tr>")  # noqa: S308 - every value is escaped
