"""Jobs around visits (issue 9): reminders, the senior's digest, nudges, late starts.

Each job is ``job(*, organization_id, day, now, tally)``, run by
`seniorene.jobs.services.job_execute` for one organization. Each item goes out at most
once by construction: an SMS through its idempotency key in the outbox (R8), an e-mail
through a claim row (`seniorene.jobs.services.notice_send`). Texts name no recipient:
an e-mail or SMS to staff carries a time and a link, the page behind it checks access.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.models import RecipientStatus
from messaging.models import SmsAudience, SmsMessage, SmsPurpose, SmsStatus
from messaging.services import (
    SmsDraft,
    sms_queue,
    sms_queue_many,
    sms_render,
    staff_may_receive_sms,
)
from omsorg.models import IntakeInterview, InterviewStatus
from seniorene.accounts.models import Membership, MembershipDepartment, Role
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.registry import Tally
from seniorene.jobs.services import late_start_minutes, notice_send
from seniorene.mail import mail_send
from visits.civil_time import local_day_bounds
from visits.models import ACTIVE_STATUSES, Visit, VisitLogDraft

# The senior is nudged this long after a visit ended without a log …
NUDGE_AFTER = timedelta(hours=2)
# … for visits that started within this window (no nudges for old visits after downtime).
NUDGE_WINDOW = timedelta(hours=36)
# Late-start alerts look back this far: a worker down for hours does not alert on the past.
LATE_WINDOW = timedelta(hours=6)


def _email(*, to: str, subject: str, template: str, ctx: dict) -> None:
    mail_send(to=[to], subject=subject, template=template, context=ctx)


def _open_visits(organization_id: int):
    """Visits still planned or moved: not logged, not cancelled (so not started, see below)."""
    return Visit.objects.for_organization(organization_id).filter(
        status__in=ACTIVE_STATUSES, log__isnull=True
    )


# --- The day-before reminder to the recipient (SMS, R5) ---------------------------------


def reminder_when(starts_at: datetime) -> str:
    """The visit's time as the reminder says it: "onsdag 11. mars kl. 11.00" (Oslo, Bokmål)."""
    with translation.override(settings.LANGUAGE_CODE):
        return date_format(timezone.localtime(starts_at), r"l j. F \k\l. H.i")


# The reminder job queues this many visits' reminders per transaction (`reminders_queue`).
REMINDER_BATCH = 500


def reminders_send(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Queue the reminder SMS for every open visit on `day` (Oslo date) to its recipient,
    in batches of `REMINDER_BATCH` visits, in the visits' order."""
    lo, hi = local_day_bounds(day, day)
    with tenant_context(organization_id):
        ids = list(
            _open_visits(organization_id)
            .filter(starts_at__gte=max(lo, now), starts_at__lt=hi)
            .order_by("starts_at", "pk")
            .values_list("pk", flat=True)
        )
    while ids:
        outcomes, done = reminders_queue(organization_id=organization_id, visit_ids=ids)
        for outcome in outcomes:
            tally.add(outcome)
        ids = ids[done:]


def reminders_queue(*, organization_id: int, visit_ids: list[int]) -> tuple[list[str], int]:
    """Queue the reminders of the first visits of `visit_ids` (up to `REMINDER_BATCH`) in
    one transaction; return their outcomes ("sent", "already", "skipped", as
    `reminder_queue`) and how many visits that was.

    The same as `reminder_queue` for each visit in turn, in a few statements for the
    batch: the visits are locked together (R11), consent is read once for all of them
    (R5, in `sms_queue_many`), the messages and their audit events are inserted
    together. A visit that someone else holds locked (being cancelled or moved right
    now) ends the batch before it: that visit goes through `reminder_queue`, which waits
    for it, and the batch after it starts behind it. The order stays the visits' order.
    """
    batch = visit_ids[:REMINDER_BATCH]
    with tenant_context(organization_id):
        locked = {
            v.pk: v
            for v in Visit.objects.for_organization(organization_id)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("recipient", "senior__user", "organization")
            .filter(pk__in=batch)
        }
        ready = next((n for n, pk in enumerate(batch) if pk not in locked), len(batch))
        if ready == 0:  # held by someone else (or gone): wait for it, as one by one
            return [reminder_queue(organization_id=organization_id, visit_id=batch[0])], 1
        outcomes: list[str | None] = []
        drafts: list[SmsDraft] = []
        for visit_id in batch[:ready]:
            visit = locked[visit_id]
            recipient = visit.recipient
            if (
                visit.status not in ACTIVE_STATUSES
                or recipient.status != RecipientStatus.ACTIVE
                or recipient.anonymised_at is not None
                or not recipient.phone
            ):
                outcomes.append("skipped")
                continue
            outcomes.append(None)
            drafts.append(_reminder_draft(visit))
        queued = iter(sms_queue_many(organization_id=organization_id, drafts=drafts))
        for n, outcome in enumerate(outcomes):
            if outcome is None:
                result = next(queued)
                outcomes[n] = (
                    "skipped"
                    if result.error is not None
                    else "sent"
                    if result.created
                    else "already"
                )
    return [o or "skipped" for o in outcomes], ready


def _reminder_draft(visit: Visit) -> SmsDraft:
    """The reminder of `visit` (recipient loaded), as `reminder_queue` queues it."""
    body = sms_render(
        purpose="reminder_sms",
        context={
            "when": reminder_when(visit.starts_at),
            "senior_name": visit.senior.user.get_short_name(),
            "organization": visit.organization,
        },
    )
    return SmsDraft(
        to_phone=visit.recipient.phone,
        body=body,
        purpose=SmsPurpose.REMINDER_SMS,
        audience=SmsAudience.RECIPIENT,
        recipient_id=visit.recipient.pk,
        visit_id=visit.pk,
        idempotency_key=f"reminder:{visit.pk}",
    )


def reminder_queue(*, organization_id: int, visit_id: int) -> str:
    """Queue one visit's reminder: "sent" (queued now), "already", or "skipped".

    The visit row is locked while the message is queued, so a cancellation waits and
    then cancels the queued SMS with it (R11). The key ``reminder:<visit>`` makes a
    second run, or a run redelivered after a crash, find the message and add nothing.
    Consent (R5) and sending hours are `sms_queue`'s: without consent nothing is stored.
    """
    with tenant_context(organization_id):
        visit = (
            Visit.objects.for_organization(organization_id)
            .select_for_update(of=("self",))
            .select_related("recipient", "senior__user", "organization")
            .filter(pk=visit_id, status__in=ACTIVE_STATUSES)
            .first()
        )
        if visit is None:
            return "skipped"
        recipient = visit.recipient
        if (
            recipient.status != RecipientStatus.ACTIVE
            or recipient.anonymised_at is not None
            or not recipient.phone
        ):
            return "skipped"
        draft = _reminder_draft(visit)
        try:
            _message, created = sms_queue(
                organization_id=organization_id,
                to_phone=draft.to_phone,
                body=draft.body,
                purpose=draft.purpose,
                audience=draft.audience,
                recipient_id=draft.recipient_id,
                visit_id=draft.visit_id,
                idempotency_key=draft.idempotency_key,
            )
        except ValidationError:
            return "skipped"  # no consent, or the number is not the recipient's
    return "sent" if created else "already"


def reminders_recheck(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Cancel reminders still waiting (for the sending hours) whose visit was cancelled,
    logged or moved since: the recipient must not be told a time that no longer holds.

    A conditional update (queued → cancelled), like every other claim on a message: one
    that a worker has already taken is left to it. A moved visit gets no new reminder
    (one reminder per visit and phone, R8).
    """
    with tenant_context(organization_id):
        waiting = SmsMessage.objects.for_organization(organization_id).filter(
            purpose=SmsPurpose.REMINDER_SMS, status=SmsStatus.QUEUED, visit_id__isnull=False
        )
        visits = {
            v.pk: v
            for v in Visit.objects.for_organization(organization_id).filter(
                pk__in=list(waiting.values_list("visit_id", flat=True))
            )
        }
        stale = [
            m.pk
            for m in waiting.only("pk", "visit_id", "body")
            if (visit := visits.get(cast(int, m.visit_id))) is None  # visit_id is set (above)
            or visit.status not in ACTIVE_STATUSES
            or reminder_when(visit.starts_at) not in m.body
        ]
        cancelled = waiting.filter(pk__in=stale).update(
            status=SmsStatus.CANCELLED,
            updated_at=now,
            error_code="visit_changed",
            error_message=_("Besøket er avlyst eller flyttet etter at påminnelsen ble lagt i kø."),
        )
    tally.handled += cancelled


# --- The senior's digest of tomorrow (e-mail, or SMS with their own consent) --------------


def senior_digests_send(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Tell each senior with open visits on `day` when they are (times only, and a link)."""
    lo, hi = local_day_bounds(day, day)
    with tenant_context(organization_id):
        rows = list(
            _open_visits(organization_id)
            .filter(starts_at__gte=lo, starts_at__lt=hi, senior__is_active=True)
            .order_by("senior_id", "starts_at")
            .values_list("senior_id", "starts_at")
        )
        meeting_rows = list(
            IntakeInterview.objects.for_organization(organization_id)
            .filter(
                status=InterviewStatus.BOOKED,
                starts_at__gte=lo,
                starts_at__lt=hi,
                senior__is_active=True,
            )
            .order_by("senior_id", "starts_at")
            .values_list("senior_id", "starts_at")
        )
    times: dict[int, list[datetime]] = defaultdict(list)
    for senior_id, starts_at in rows:
        times[senior_id].append(starts_at)
    meetings: dict[int, list[datetime]] = defaultdict(list)
    for senior_id, starts_at in meeting_rows:
        meetings[senior_id].append(starts_at)
    for senior_id in sorted(times.keys() | meetings.keys()):
        tally.add(
            senior_digest_send(
                organization_id=organization_id,
                membership_id=senior_id,
                day=day,
                times=times.get(senior_id, []),
                meetings=meetings.get(senior_id, []),
            )
        )


def senior_digest_send(
    *,
    organization_id: int,
    membership_id: int,
    day: date,
    times: list[datetime],
    meetings: list[datetime] | None = None,
) -> str:
    """One senior's digest for `day`, once (one claim, whichever channel it takes): the
    visits' times and the Bli kjent meetings' times."""
    with tenant_context(organization_id):
        senior = Membership.objects.select_related("user", "organization").get(pk=membership_id)
        by_sms = bool(senior.user.phone) and staff_may_receive_sms(membership_id=membership_id)
    ctx = {
        "name": senior.user.get_short_name(),
        "day": day,
        "times": [timezone.localtime(t) for t in times],
        "count": len(times),
        "meetings": [timezone.localtime(t) for t in meetings or []],
        "organization": senior.organization,
        "url": settings.SITE_URL + reverse("visits:agenda"),
    }
    key = f"digest:{membership_id}:{day.isoformat()}"

    def send() -> None:
        if by_sms:
            with tenant_context(organization_id):
                sms_queue(
                    organization_id=organization_id,
                    to_phone=senior.user.phone,
                    body=sms_render(purpose="staff_digest", context=ctx),
                    purpose=SmsPurpose.STAFF_DIGEST,
                    audience=SmsAudience.STAFF,
                    membership_id=membership_id,
                    idempotency_key=key,
                )
            return
        _email(
            to=senior.user.email,
            subject=_("Besøkene dine i morgen"),
            template="visits/email/senior_digest.txt",
            ctx=ctx,
        )

    return notice_send(organization_id=organization_id, key=key, send=send)


# --- Unlogged visits: the senior after two hours, the leader the next morning ------------


def unlogged_senior_nudges(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Remind the senior of each visit that ended over two hours ago and has no log."""
    with tenant_context(organization_id):
        visits = list(
            _open_visits(organization_id)
            .filter(starts_at__gte=now - NUDGE_WINDOW, starts_at__lt=now - NUDGE_AFTER)
            .select_related("senior__user")
            .order_by("starts_at", "pk")
        )
    for visit in visits:
        if visit.ends_at + NUDGE_AFTER > now or not visit.senior.is_active:
            continue
        ctx = {
            "name": visit.senior.user.get_short_name(),
            "when": timezone.localtime(visit.starts_at),
            "url": settings.SITE_URL + reverse("visits:visit_log", args=[visit.pk]),
        }

        def send(to: str = visit.senior.user.email, ctx: dict = ctx) -> None:
            _email(
                to=to,
                subject=_("Husk å føre besøket"),
                template="visits/email/unlogged_senior.txt",
                ctx=ctx,
            )

        tally.add(
            notice_send(organization_id=organization_id, key=f"nudge:senior:{visit.pk}", send=send)
        )


def _leaders_by_department(organization_id: int) -> dict[int, list[Membership]]:
    leaders = Membership.objects.for_organization(organization_id).filter(
        role=Role.LEADER, is_active=True
    )
    by_id = {m.pk: m for m in leaders.select_related("user")}
    found: dict[int, list[Membership]] = defaultdict(list)
    for membership_id, department_id in MembershipDepartment.objects.for_organization(
        organization_id
    ).values_list("membership_id", "department_id"):
        if membership_id in by_id:
            found[department_id].append(by_id[membership_id])
    return found


def unlogged_leader_digests(
    *, organization_id: int, day: date, now: datetime, tally: Tally
) -> None:
    """Tell each leader how many visits of `day` (yesterday) in their departments lack a log."""
    lo, hi = local_day_bounds(day, day)
    with tenant_context(organization_id):
        departments = list(
            _open_visits(organization_id)
            .filter(starts_at__gte=lo, starts_at__lt=hi)
            .values_list("recipient__department_id", flat=True)
        )
        leaders = _leaders_by_department(organization_id)
    counts: dict[int, int] = defaultdict(int)
    people: dict[int, Membership] = {}
    for department_id in departments:
        for leader in leaders.get(department_id, []):
            counts[leader.pk] += 1
            people[leader.pk] = leader
    for leader_id, count in counts.items():
        leader = people[leader_id]
        ctx = {
            "name": leader.user.get_short_name(),
            "day": day,
            "count": count,
            "url": settings.SITE_URL + reverse("visits:week") + f"?uke={day.isoformat()}&vis=open",
        }

        def send(to: str = leader.user.email, ctx: dict = ctx) -> None:
            _email(
                to=to,
                subject=_("Besøk som ikke er ført (%(count)s)") % {"count": ctx["count"]},
                template="visits/email/unlogged_leader.txt",
                ctx=ctx,
            )

        key = f"nudge:leader:{leader_id}:{day.isoformat()}"
        tally.add(notice_send(organization_id=organization_id, key=key, send=send))


# --- Late start: the leader, when a visit has not started N minutes after its time -----


def late_start_alerts(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Alert the department's leaders of each open visit not started `late_start_minutes`
    after its time.

    "Started": the visit's senior checked in ("Jeg er fremme"), began typing the log (a
    draft), or logged it. A visit still planned or moved without any of these has not
    started. Only the current senior's draft counts: a draft left by the senior the visit
    was taken from says nothing about whether the new senior has arrived.
    """
    minutes = late_start_minutes(organization_id)
    started = VisitLogDraft.objects.filter(visit=OuterRef("pk"), membership=OuterRef("senior"))
    with tenant_context(organization_id):
        visits = list(
            _open_visits(organization_id)
            .filter(
                starts_at__lte=now - timedelta(minutes=minutes),
                starts_at__gte=now - LATE_WINDOW,
            )
            .exclude(Exists(started))
            .select_related("senior__user", "recipient")
            .order_by("starts_at", "pk")
        )
        leaders = _leaders_by_department(organization_id)
    for visit in visits:
        for leader in leaders.get(visit.recipient.department_id, []):
            ctx = {
                "name": leader.user.get_short_name(),
                "senior": visit.senior.user.get_full_name(),
                "when": timezone.localtime(visit.starts_at),
                "minutes": minutes,
                "url": settings.SITE_URL + reverse("visits:visit", args=[visit.pk]),
            }

            def send(to: str = leader.user.email, ctx: dict = ctx) -> None:
                _email(
                    to=to,
                    subject=_("Besøket har ikke startet"),
                    template="visits/email/late_start.txt",
                    ctx=ctx,
                )

            key = f"late:{visit.pk}:{leader.pk}"
            tally.add(notice_send(organization_id=organization_id, key=key, send=send))
