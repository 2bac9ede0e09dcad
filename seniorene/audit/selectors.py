"""Reads for the log pages: events in plain words, and looks grouped per person, object, day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from seniorene.accounts.models import Membership, Organization
from seniorene.audit import sentences
from seniorene.audit.models import AuditEvent, ViewRecord


@dataclass(frozen=True)
class EventLine:
    at: datetime
    sentence: str


def oslo_day_start(day: date) -> datetime:
    """The first moment of `day` in Oslo, as an aware time."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def between(
    rows: models.QuerySet[Any], *, since: date | None, until: date | None
) -> models.QuerySet[Any]:
    """`rows` whose `at` falls on the Oslo days `since`..`until` (both included)."""
    if since is not None:
        rows = rows.filter(at__gte=oslo_day_start(since))
    if until is not None:
        rows = rows.filter(at__lt=oslo_day_start(until + timedelta(days=1)))
    return rows


def events(
    *,
    organization: Organization,
    actor_id: int | None = None,
    actions: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    query: str = "",
) -> models.QuerySet[AuditEvent]:
    """The organization's events, newest first, narrowed by who, which actions and when."""
    rows = AuditEvent.objects.for_organization(organization).select_related("actor")
    if actor_id is not None:
        rows = rows.filter(actor_id=actor_id)
    if actions is not None:
        rows = rows.filter(action__in=list(actions))
    if query:
        rows = rows.filter(object_repr__icontains=query)
    narrowed: models.QuerySet[AuditEvent] = between(rows, since=since, until=until)
    return narrowed


def event_lines(*, organization: Organization, rows: Iterable[AuditEvent]) -> list[EventLine]:
    """Each of `rows` as a sentence; the colleagues they name are fetched in one query."""
    rows = list(rows)
    wanted: set[int] = set()
    for row in rows:
        for key in sentences.member_keys(row.action):
            value = row.details.get(key) if isinstance(row.details, dict) else None
            if isinstance(value, int) or (isinstance(value, str) and value.isdecimal()):
                wanted.add(int(value))
    names: dict[int, str] = {}
    if wanted:
        names = {
            m.pk: str(m.user)
            for m in Membership.objects.for_organization(organization)
            .filter(pk__in=wanted)
            .select_related("user")
        }
    nobody = _("Systemet")
    return [
        EventLine(
            at=row.at,
            sentence=sentences.sentence(
                sentences.Facts(
                    action=row.action,
                    who=str(row.actor) if row.actor is not None else nobody,
                    obj=row.object_repr,
                    details=row.details if isinstance(row.details, dict) else {},
                    at=row.at,
                    names=names,
                )
            ),
        )
        for row in rows
    ]


def looks(
    *,
    organization: Organization,
    obj: models.Model | None = None,
    viewer_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    query: str = "",
) -> models.QuerySet[Any]:
    """Who looked at what: one row per person, object and Oslo day, with how many times and
    the first and last time, newest first (counted in the database)."""
    rows = ViewRecord.objects.for_organization(organization)
    if obj is not None:
        rows = rows.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if viewer_id is not None:
        rows = rows.filter(viewer_id=viewer_id)
    if query:
        rows = rows.filter(object_repr__icontains=query)
    grouped: models.QuerySet[Any] = (
        between(rows, since=since, until=until)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_default_timezone()))
        .values("viewer_id", "viewer__name", "viewer__email", "object_type", "object_id", "day")
        .annotate(
            times=Count("id"),
            first=Min("at"),
            last=Max("at"),
            label=Max("object_repr"),
            what_first=Min("what"),
            what_last=Max("what"),
            whats=Count("what", distinct=True),
        )
        .order_by("-last", "viewer_id", "object_type", "object_id")
    )
    return grouped


def look_line(row: dict[str, Any]) -> dict[str, Any]:
    """One grouped row in words: "Kari Nilsen, 14 ganger 2. des" and "kl. 09.03–15.40"."""
    name = row["viewer__name"] or row["viewer__email"]
    day = ""
    if row["day"]:
        this_year = row["day"].year == timezone.localdate().year
        day = dateformat.format(row["day"], "j. b" if this_year else "j. b Y")
    first, last = timezone.localtime(row["first"]), timezone.localtime(row["last"])
    times = row["times"]
    said = ngettext("%(name)s, %(n)s gang %(day)s", "%(name)s, %(n)s ganger %(day)s", times) % {
        "name": name,
        "n": times,
        "day": day,
    }
    if times == 1 or first == last:
        when = _("kl. %(time)s") % {"time": f"{first:%H.%M}"}
    else:
        when = _("kl. %(first)s–%(last)s") % {"first": f"{first:%H.%M}", "last": f"{last:%H.%M}"}
    what = row["what_first"]
    if row["whats"] == 2:
        what = f"{row['what_first']}, {row['what_last']}"
    elif row["whats"] > 2:
        what = _("%(first)s, %(last)s m.fl.") % {
            "first": row["what_first"],
            "last": row["what_last"],
        }
    return {**row, "said": said, "when": when, "what": what}
