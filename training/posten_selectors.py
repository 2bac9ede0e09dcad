"""Seniorposten, reading: the month's name and default title, the text made safe (escaped,
http(s) addresses as links), the month's team meeting, who it goes to, and the lists of the
leader and of the senior. See `training.posten_services` for the letter's life."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from seniorene.accounts.models import Membership, Role
from seniorene.accounts.scope import DepartmentScope
from seniorene.jobs.models import ClaimStatus, JobClaim
from training.models import PostenStatus, Seniorposten, TeamMeeting, TextBlock, text_blocks

KEY_PREFIX = "seniorposten"


def posten_key(issue_id: int, senior_id: int, channel: str) -> str:
    """The claim (e-mail) or outbox (SMS) key of one issue to one senior on one channel."""
    return f"{KEY_PREFIX}:{issue_id}:{senior_id}:{channel}"


def month_name(year: int, month: int) -> str:
    """ "mars 2026", in the site's language (Bokmål)."""
    with translation.override(settings.LANGUAGE_CODE):
        return date_format(date(year, month, 1), "F Y")


def posten_default_title(year: int, month: int) -> str:
    return _("Seniorposten %(month)s") % {"month": month_name(year, month)}


# --- Showing the text: escaped, with http(s) addresses as links ----------------------------

# An http(s) address up to the next space or character that cannot end one in running text.
URL_RE = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}»"


def linkify(text: str) -> SafeString:
    """`text` escaped, with each http(s) address as a link that opens safely; nothing else
    of the text can become markup."""
    parts: list[str] = []
    last = 0
    for match in URL_RE.finditer(text):
        url = match.group(0)
        stripped = url.rstrip(TRAILING)
        # Keep a closing parenthesis that belongs to the address ("…/Bergen_(by)").
        while stripped.count("(") > stripped.count(")") and len(stripped) < len(url):
            stripped = url[: len(stripped) + 1]
        parts.append(escape(text[last : match.start()]))
        parts.append(
            format_html('<a href="{}" rel="noopener noreferrer">{}</a>', stripped, stripped)
        )
        last = match.start() + len(stripped)
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def posten_blocks(body: str) -> list[TextBlock]:
    """The letter's blocks (headings, paragraphs, bullet lists), their text made safe by
    `linkify`."""
    return [
        replace(b, text=linkify(b.text), items=tuple(linkify(i) for i in b.items))
        for b in text_blocks(body)
    ]


# --- The month's team meeting --------------------------------------------------------------


# How long a team meeting lasts, for telling whether it has been held.
MEETING_LENGTH = timedelta(hours=2)


@dataclass(frozen=True)
class PostenMeeting:
    starts_at: datetime
    link: str

    @property
    def over(self) -> bool:
        """Held by now (two hours after its start): the page says so instead of a join
        button that leads to a meeting nobody is in."""
        return self.starts_at + MEETING_LENGTH < timezone.now()


def posten_meeting(issue: Seniorposten) -> PostenMeeting | None:
    """The team meeting the letter names: as sent, or the month's `TeamMeeting` for a draft."""
    if issue.is_sent:
        if issue.meeting_starts_at is None:
            return None
        return PostenMeeting(issue.meeting_starts_at, issue.meeting_link)
    meeting = (
        TeamMeeting.objects.for_organization(issue.organization_id)
        .filter(year=issue.year, month=issue.month)
        .first()
    )
    return PostenMeeting(meeting.starts_at, meeting.link) if meeting else None


def posten_audience(issue: Seniorposten) -> list[Membership]:
    """The department's active seniors, with their users."""
    return list(
        Membership.objects.for_organization(issue.organization_id)
        .filter(
            role=Role.SENIOR,
            is_active=True,
            membershipdepartment__department_id=issue.department_id,
        )
        .select_related("user")
        .order_by("pk")
    )


# --- Reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PostenRow:
    """A letter on the leader's list, with how many got it by e-mail and by SMS."""

    issue: Seniorposten
    emailed: int = 0
    failed: int = 0
    sms: int = 0


def posten_list(*, viewer: Membership) -> Sequence[PostenRow]:
    """The letters of the departments `viewer` writes for, newest month first, with the
    e-mails sent and failed and the SMS queued (three queries)."""
    from messaging.models import SmsMessage

    issues = list(
        DepartmentScope.of(viewer)
        .filter(Seniorposten.objects.for_organization(viewer.organization_id), "department_id")
        .select_related("department")
        .order_by("-year", "-month", "department__name", "pk")
    )
    sent_ids = [i.pk for i in issues if i.is_sent]
    if not sent_ids:
        return [PostenRow(i) for i in issues]
    starts = Q()
    for pk in sent_ids:
        starts |= Q(key__startswith=f"{KEY_PREFIX}:{pk}:")
    emailed: Counter[tuple[int, str]] = Counter()
    for key, status in (
        JobClaim.objects.for_organization(viewer.organization_id)
        .filter(starts)
        .values_list("key", "status")
    ):
        emailed[(int(key.split(":")[1]), status)] += 1
    sms_starts = Q()
    for pk in sent_ids:
        sms_starts |= Q(idempotency_key__startswith=f"{KEY_PREFIX}:{pk}:")
    sms: Counter[int] = Counter(
        int(key.split(":")[1])
        for key in SmsMessage.objects.for_organization(viewer.organization_id)
        .filter(sms_starts)
        .values_list("idempotency_key", flat=True)
    )
    return [
        PostenRow(
            i,
            emailed[(i.pk, ClaimStatus.SENT)],
            emailed[(i.pk, ClaimStatus.FAILED)],
            sms[i.pk],
        )
        for i in issues
    ]


def posten_for_senior(*, senior: Membership) -> list[Seniorposten]:
    """The sent letters of the senior's departments, newest first."""
    return list(
        Seniorposten.objects.for_organization(senior.organization_id)
        .filter(status=PostenStatus.SENT, department_id__in=list(senior.department_ids))
        .select_related("department")
        .order_by("-year", "-month", "-sent_at", "pk")
    )


def posten_latest_for_senior(*, senior: Membership) -> Seniorposten | None:
    """The newest sent letter of the senior's departments (one query), or None."""
    return (
        Seniorposten.objects.for_organization(senior.organization_id)
        .filter(status=PostenStatus.SENT, department_id__in=list(senior.department_ids))
        .order_by("-year", "-month", "-sent_at", "pk")
        .first()
    )
