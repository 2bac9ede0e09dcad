"""The senior's calendar feed (ICS): secret tokens, reset and rotation, the feed itself."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from omsorg.models import IntakeInterview, InterviewStatus
from seniorene.accounts.models import Membership, Role
from seniorene.audit.services import audit_record
from visits.models import (
    OCCUPYING_STATUSES,
    CalendarFeed,
    Visit,
)

if TYPE_CHECKING:
    import icalendar

CALENDAR_SALT = "visits.calendar-feed"
_TOKEN = re.compile(r"^([0-9a-f]{24})-([0-9a-f]{40})$")


def _mac(key: str) -> str:
    return salted_hmac(CALENDAR_SALT, key, algorithm="sha256").hexdigest()[:40]


def calendar_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's URL: the key and its HMAC under SECRET_KEY."""
    return f"{feed.key}-{_mac(feed.key)}"


def calendar_feed_for(*, membership: Membership) -> CalendarFeed:
    """The senior's calendar feed, made on first use."""
    feed = CalendarFeed.objects.filter(membership=membership).first()
    if feed is None:
        feed = CalendarFeed.objects.create(
            organization_id=membership.organization_id,
            membership=membership,
            key=secrets.token_hex(12),
        )
    return feed


@transaction.atomic
def calendar_feed_reset(
    *, membership: Membership, by: Membership | None = None, reason: str = ""
) -> CalendarFeed:
    """Give the senior a new calendar address; the old one stops working at once.

    `by` is who asked: the senior (None or their own membership), their leader or an
    admin (a lost phone); `reason` goes in the audit row (e.g. "password_changed").
    """
    feed = calendar_feed_for(membership=membership)
    feed.key = secrets.token_hex(12)
    feed.created_at = timezone.now()
    feed.last_fetched_at = None
    feed.save(update_fields=["key", "created_at", "last_fetched_at"])
    audit_record(
        organization=membership.organization,
        actor=by.user if by is not None else membership.user,
        action="calendar.reset",
        obj=membership,
        details={"reason": reason} if reason else None,
    )
    return feed


def calendar_feeds_rotate_for_user(*, user_id: int, reason: str) -> int:
    """New calendar addresses for every feed of `user_id`'s memberships, in each of their
    organizations (the password changed: whoever had it may have copied the address).
    Returns how many feeds changed."""
    from seniorene.accounts.tenancy import db_set_tenant

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT current_setting('seniorene.organization_id', true),"
                " current_setting('seniorene.user_id', true)"
            )
            org_before, user_before = cursor.fetchone()
        else:
            org_before, user_before = None, None
    memberships = list(
        Membership.objects.filter(user_id=user_id).select_related("organization", "user")
    )
    rotated = 0
    with transaction.atomic():
        try:
            for membership in memberships:
                db_set_tenant(membership.organization_id, user_id, local=True)
                if CalendarFeed.objects.filter(membership=membership).exists():
                    calendar_feed_reset(membership=membership, reason=reason)
                    rotated += 1
        finally:
            db_set_tenant(
                int(org_before) if org_before else None,
                int(user_before) if user_before else None,
                local=True,
            )
    return rotated


def calendar_organization_for_token(token: str) -> int | None:
    """The organization id of the feed with `token`'s key, found across tenants."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    key = match.group(1)
    if connection.vendor != "postgresql":
        return (
            CalendarFeed.objects.filter(key=key).values_list("organization_id", flat=True).first()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT seniorene_calendar_feed_organization(%s)", [key])
        row = cursor.fetchone()
    return row[0] if row else None


def calendar_feed_check(*, organization_id: int, token: str) -> CalendarFeed | None:
    """The feed `token` opens (compared in constant time), or None."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    key, mac = match.groups()
    feed = (
        CalendarFeed.objects.for_organization(organization_id)
        .select_related("membership__user")
        .filter(key=key)
        .first()
    )
    if feed is None or not hmac.compare_digest(_mac(feed.key), mac):
        return None
    if not feed.membership.is_active or feed.membership.role != Role.SENIOR:
        return None
    return feed


def calendar_visits(*, membership: Membership, now: datetime | None = None) -> QuerySet[Visit]:
    """What the feed shows: the senior's visits from 30 days back, cancelled ones left out."""
    now = now or timezone.now()
    return (
        Visit.objects.for_organization(membership.organization_id)
        .filter(
            senior=membership,
            status__in=OCCUPYING_STATUSES,
            starts_at__gte=now - timedelta(days=30),
        )
        .select_related("recipient")
        .order_by("starts_at", "pk")
    )


def calendar_meetings(
    *, membership: Membership, now: datetime | None = None
) -> QuerySet[IntakeInterview]:
    """The senior's booked Bli kjent meetings from 30 days back; cancelled ones left out,
    as cancelled visits are."""
    now = now or timezone.now()
    return (
        IntakeInterview.objects.for_organization(membership.organization_id)
        .filter(
            senior=membership,
            status__in=[InterviewStatus.BOOKED, InterviewStatus.COMPLETED],
            starts_at__gte=now - timedelta(days=30),
        )
        .select_related("recipient")
        .order_by("starts_at", "pk")
    )


def _meeting_event(meeting: IntakeInterview, *, host: str, now: datetime) -> icalendar.Event:
    """One meeting as an event: the same UID however often it moves; SEQUENCE counts moves."""
    import icalendar

    event = icalendar.Event()
    event.add("uid", f"bli-kjent-{meeting.pk}@{host}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", _("Bli kjent-møte: %(name)s") % {"name": meeting.recipient.name})
    if meeting.recipient.full_address:
        event.add("location", meeting.recipient.full_address)
    page = "omsorg:fill" if meeting.status == InterviewStatus.BOOKED else "omsorg:interview"
    event.add("url", settings.SITE_URL + reverse(page, args=[meeting.pk]))
    event.add("last-modified", meeting.changed_at or meeting.booked_at)
    event.add("status", "CONFIRMED")
    return event


def calendar_ics(*, feed: CalendarFeed, now: datetime | None = None) -> bytes:
    """The senior's visits as an iCalendar document (times in UTC).

    Name and address only: key notes and phone numbers stay in the app, since
    calendars are often synced to other services.
    """
    import icalendar

    now = now or timezone.now()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "seniorene"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Seniorene Omsorg//Besok//NO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Seniorene: mine besøk"))
    cal.add("x-wr-timezone", "Europe/Oslo")
    cal.add("x-published-ttl", "PT1H")
    for visit in calendar_visits(membership=feed.membership, now=now):
        event = icalendar.Event()
        event.add("uid", f"visit-{visit.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", visit.starts_at)
        event.add("dtend", visit.ends_at)
        event.add("summary", _("Besøk: %(name)s") % {"name": visit.recipient.name})
        if visit.recipient.full_address:
            event.add("location", visit.recipient.full_address)
        event.add("url", settings.SITE_URL + reverse("visits:my_visit", args=[visit.pk]))
        event.add("last-modified", visit.updated_at)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    for meeting in calendar_meetings(membership=feed.membership, now=now):
        cal.add_component(_meeting_event(meeting, host=host, now=now))
    ics: bytes = cal.to_ical()
    return ics


def calendar_mark_fetched(feed: CalendarFeed, now: datetime | None = None) -> None:
    """Note that a calendar app fetched the feed (at most once an hour, to spare writes)."""
    now = now or timezone.now()
    if feed.last_fetched_at is None or now - feed.last_fetched_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
