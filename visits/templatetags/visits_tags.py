"""Small template helpers for visit pages: map links and status badges."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from omsorg.models import IntakeInterview
from seniorene.templatetags.choices import display
from seniorene.templatetags.paths import id_url
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
            href=id_url("visits:visit", visit.pk),
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


# --- The senior's agenda --------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def agenda_visit(context: template.Context, visit, *, today: bool) -> SafeString:
    """One visit in the senior's agenda (a `<li>`): time, recipient, status, and on the day
    the check-in and the log buttons; the map and call links while not cancelled.

    Built here, as the week's chips are, rather than in the template: two weeks of a
    senior's visits are forty or fifty of these on a phone page that should cost little.
    Every value is escaped with the standard library's `escape`.
    """
    pk = int(visit.pk)
    recipient = visit.recipient
    name = escape(recipient.name)
    page, log = id_url("visits:my_visit", pk), id_url("visits:visit_log", pk)
    cancelled = visit.status == "cancelled"
    parts = [
        '<li class="card agenda-visit{}" data-visit-id="{}"{}>'.format(
            " agenda-visit--cancelled" if cancelled else "",
            pk,
            f' data-offline-prefetch="{page} {log}"' if visit.is_open else "",
        ),
        f'<p class="agenda-visit__time">{_span(visit)}</p>',
        f'<p class="agenda-visit__name"><a href="{page}"><strong>{name}</strong></a>',
    ]
    if visit.status != "planned":
        parts.append(_badges([(status_badge(visit.status), display(visit, "status"))]))
    parts.append("</p>")
    if pk in (context.get("call_first_ids") or ()):
        request = getattr(context, "request", None)
        parts.append(render_to_string("visits/_call_first.html", {"recipient": recipient}, request))
    if today and visit.is_open:
        if pk not in (context.get("arrived") or ()):
            arrived = escape(gettext("Jeg er fremme hos %(name)s") % {"name": recipient.name})
            check_in = escape(id_url("visits:check_in", pk))
            parts.append(
                f'<form method="post" action="{check_in}">{_csrf_input(context)}'
                f'<button type="submit" class="button button--block">{arrived}</button></form>'
            )
        write = escape(gettext("Skriv besøksrapport for %(name)s") % {"name": recipient.name})
        parts.append(
            f'<p><a class="button button--primary button--block" href="{log}">{write}</a></p>'
        )
    if not cancelled:
        parts.append('<ul class="agenda-links">')
        address = recipient.full_address
        if address:
            parts.append(
                '<li><a class="button button--small" href="{}" rel="noopener" target="_blank">'
                "{}: {}</a></li>".format(
                    escape(_map_url(address)), escape(gettext("Kart")), escape(address)
                )
            )
        tel = recipient.phone_link
        if tel:
            parts.append(
                '<li><a class="button button--small" href="tel:{}">{} {}</a></li>'.format(
                    escape(tel.e164), escape(gettext("Ring")), escape(tel.national)
                )
            )
        parts.append("</ul>")
    parts.append("</li>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _csrf_input(context: template.Context) -> str:
    """What `{% csrf_token %}` writes."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker, not a secret
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


@register.simple_tag
def week_row(row, today_index: int | None) -> SafeString:
    """One senior's row of the leader's week (a `<tr>`): the name, a link to their
    availability, and a cell per day with the day's visit chips. Built here for the
    reason the chips are: a department's week is fifteen of these, a hundred cells."""
    name = escape(row.senior.user.name)
    head = [f'<tr><th scope="row">{name}']
    if not row.in_department:
        other = escape(gettext("fra annen avdeling"))
        head.append(f'<br><span class="muted">{other}</span>')
    head.append(
        '<br><a class="week-grid__small" href="{}">{}<span class="visually-hidden"> {}</span>'
        "</a></th>".format(
            escape(id_url("visits:availability", row.senior.pk)),
            escape(gettext("Tilgjengelighet")),
            name,
        )
    )
    cells = []
    for index, cell in enumerate(row.cells):
        today = ' class="week-grid__today"' if index == today_index else ""
        chips = (
            '<ul class="visit-list">{}</ul>'.format("".join(visit_chip(v) for v in cell))
            if cell
            else ""
        )
        cells.append(f"<td{today}>{chips}</td>")
    return mark_safe("".join(head) + "".join(cells) + "</tr>")  # noqa: S308 - escaped above


@register.simple_tag
def notebook_entry(entry) -> SafeString:
    """One logged visit in the notebook (a `<li>`): the day, who wrote it (and why on the
    senior's behalf), whether relatives may read it, what went well and what could change.
    Built here: the card shows fifty of these."""
    day = date_format(timezone.localtime(entry.visit.starts_at), "l j. F Y")
    head = [f"<p><strong>{escape(day)}</strong> · {escape(entry.logged_by.name)}"]
    if entry.on_behalf_reason:
        reason = gettext("ført for senioren: %(reason)s") % {"reason": entry.on_behalf_reason}
        head.append(f" ({escape(reason)})")
    if entry.share_with_relatives:
        shared = escape(gettext("kan deles"))
        head.append(f' · <span class="badge badge--info">{shared}</span>')
    head.append("</p>")
    for text, label in (
        (entry.went_well, gettext("Gikk bra:")),
        (entry.could_change, gettext("Kan endres:")),
    ):
        if text:
            lines = linebreaksbr(text, autoescape=True)
            head.append(f'<p><span class="muted">{escape(label)}</span> {lines}</p>')
    return mark_safe('<li class="card stack">' + "".join(head) + "</li>")  # noqa: S308 - escaped
