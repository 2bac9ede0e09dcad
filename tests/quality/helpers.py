"""A small world with known counts for the quality page (issue 22).

March 2026 is "this period" (the clock stands at `NOW`, Wednesday 18 March), February the
one before. Department A gets one of everything the page counts, department B one logged
visit and three hours, so that every figure can be checked against a count, and scoping
against department B's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from customers.models import CareRecipient, Relative
from evaluations.models import Evaluation
from ledger.models import EntrySource, MileageEntry, TimeEntry
from messaging.models import InboundSms, SmsAudience, SmsMessage, SmsPurpose, SmsStatus
from omsorg.models import IntakeInterview, InterviewStatus, Outcome
from seniorene.accounts.models import Membership
from tests.conftest import Cast
from tests.evaluations.helpers import an_evaluation
from tests.factories import CareRecipientFactory, IntakeInterviewFactory, RelativeFactory
from tests.factories import VisitFactory as _VisitFactory
from visits.models import CancelKind, Concern, ConcernCategory, Visit, VisitLog, VisitStatus

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=OSLO)
_keys = count(1)


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def visit(
    recipient: CareRecipient,
    senior: Membership,
    at: datetime,
    *,
    status: str = VisitStatus.PLANNED,
    logged_at: datetime | None = None,
    happened: bool = True,
    cancel_kind: str = "",
) -> Visit:
    """A one-hour visit at `at`; logged at `logged_at` when given (status follows)."""
    if logged_at is not None:
        status = VisitStatus.LOGGED if happened else VisitStatus.NOT_HAPPENED
    extra: dict = {}
    if status == VisitStatus.CANCELLED:
        extra = {"cancel_kind": cancel_kind, "cancelled_at": at - timedelta(days=1)}
    if status == VisitStatus.CLOSED:
        extra = {"closed_at": at + timedelta(days=1), "closed_reason": "Syk"}
    made = _VisitFactory(recipient=recipient, senior=senior, starts_at=at, status=status, **extra)
    if logged_at is not None:
        log = VisitLog.objects.create(
            organization_id=recipient.organization_id,
            visit=made,
            recipient=recipient,
            happened=happened,
            submission_key=uuid.uuid4(),
            logged_by=senior.user,
        )
        VisitLog.objects.filter(pk=log.pk).update(logged_at=logged_at)
    return made


def feedback_sms(relative: Relative, status: str, at: datetime, purpose: str = "") -> SmsMessage:
    sms = SmsMessage.objects.create(
        organization_id=relative.organization_id,
        to_phone=relative.phone,
        body="Takk for besøket",
        purpose=purpose or SmsPurpose.VISIT_SUMMARY_SMS,
        audience=SmsAudience.RELATIVE,
        recipient=relative.recipient,
        relative=relative,
        idempotency_key=f"quality-{next(_keys)}",
        status=status,
    )
    SmsMessage.objects.filter(pk=sms.pk).update(created_at=at)
    return sms


def concern(
    a_visit: Visit, by: Membership, raised: datetime, answered: datetime | None = None
) -> Concern:
    return Concern.objects.create(
        organization_id=a_visit.organization_id,
        visit=a_visit,
        recipient=a_visit.recipient,
        raised_by=by,
        category=ConcernCategory.HEALTH,
        text="Virket sliten",
        raised_at=raised,
        answer="Ringte datteren" if answered else "",
        answered_at=answered,
    )


def reply(recipient: CareRecipient, at: datetime, relative: Relative | None = None, **more):
    return InboundSms.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        relative=relative,
        from_phone=relative.phone if relative else "+4791111111",
        body="Takk!",
        received_at=at,
        **more,
    )


def meeting(recipient, senior, at: datetime, status: str, outcome: str = "") -> IntakeInterview:
    extra: dict = {}
    if status == InterviewStatus.COMPLETED:
        extra = {"completed_at": at + timedelta(hours=1), "outcome": outcome}
    if status == InterviewStatus.CANCELLED:
        extra = {"cancelled_at": at - timedelta(days=1)}
    return IntakeInterviewFactory(
        recipient=recipient, senior=senior, starts_at=at, status=status, **extra
    )


def hours(senior, day: date, amount: str, *, recipient=None, source=EntrySource.VISIT, sid=None):
    return TimeEntry.objects.create(
        organization_id=senior.organization_id,
        membership=senior,
        date=day,
        hours=Decimal(amount),
        recipient=recipient,
        billable=source == EntrySource.VISIT,
        source=source,
        source_id=sid if sid is not None else next(_keys) + 100000,
    )


def km(senior, day: date, amount: str, *, recipient=None, source=EntrySource.VISIT, sid=None):
    return MileageEntry.objects.create(
        organization_id=senior.organization_id,
        membership=senior,
        date=day,
        km=Decimal(amount),
        recipient=recipient,
        billable=False,
        source=source,
        purpose="bli kjent møte" if source == EntrySource.INTAKE else "Besøk",
        source_id=sid if sid is not None else next(_keys) + 100000,
    )


@dataclass
class Built:
    recipient_a: CareRecipient
    relative_a: Relative
    recipient_b: CareRecipient
    evaluation: Evaluation


def build_world(cast: Cast, *, times: int = 1) -> Built:
    """The known counts (see the tests); `times` (at most 3) repeats department A's March
    rows a week later each time, for the constant-queries check."""
    assert 1 <= times <= 3
    senior = cast.senior_a
    ra = CareRecipientFactory(department=cast.dept_a, status="active", seniors=[senior])
    rel = RelativeFactory(recipient=ra, phone="+4790011223")
    rb = CareRecipientFactory(department=cast.dept_b, status="active", seniors=[cast.senior_b])
    for n in range(times):
        shift = timedelta(days=7 * n)  # another week of March for each repetition
        # Visits in March, department A.
        v1 = visit(ra, senior, oslo(2026, 3, 2, 10) + shift, logged_at=oslo(2026, 3, 2, 11, 30))
        visit(ra, senior, oslo(2026, 3, 3, 10) + shift, logged_at=oslo(2026, 3, 4, 9))  # late
        visit(
            ra,
            senior,
            oslo(2026, 3, 4, 10) + shift,
            logged_at=oslo(2026, 3, 4, 12),
            happened=False,
        )
        visit(ra, senior, oslo(2026, 3, 5, 10) + shift, status="cancelled", cancel_kind="customer")
        visit(ra, senior, oslo(2026, 3, 6, 10) + shift, status="cancelled", cancel_kind="senior")
        visit(
            ra,
            senior,
            oslo(2026, 3, 9, 10) + shift,
            status="cancelled",
            cancel_kind=CancelKind.PLAN_CHANGED,
        )
        visit(ra, senior, oslo(2026, 3, 10, 10) + shift)  # not logged
        visit(ra, senior, oslo(2026, 3, 11, 10) + shift, status="closed")
        # SMS after visits, March.
        for status in ("delivered", "delivered", "sent", "failed", "blocked_no_consent", "queued"):
            feedback_sms(rel, status, oslo(2026, 3, 2, 12) + shift)
        feedback_sms(rel, SmsStatus.FAILED, oslo(2026, 3, 2, 12), purpose=SmsPurpose.REMINDER_SMS)
        # Concerns: answered in 6 hours, in 48 hours, not answered.
        concern(v1, senior, oslo(2026, 3, 2, 12) + shift, oslo(2026, 3, 2, 18) + shift)
        concern(v1, senior, oslo(2026, 3, 3, 12) + shift, oslo(2026, 3, 5, 12) + shift)
        concern(v1, senior, oslo(2026, 3, 10, 12) + shift)
        # Replies: two from the relative (one handled), one from the recipient.
        reply(ra, oslo(2026, 3, 2, 13) + shift, rel, handled_at=oslo(2026, 3, 3, 9))
        reply(ra, oslo(2026, 3, 3, 13) + shift, rel)
        reply(ra, oslo(2026, 3, 4, 13) + shift)
        # Bli kjent: good match, declined, booked, cancelled.
        other = CareRecipientFactory(department=cast.dept_a, status="screening")
        m1 = meeting(other, senior, oslo(2026, 3, 2, 14) + shift, "completed", Outcome.GOOD_MATCH)
        meeting(other, senior, oslo(2026, 3, 3, 14) + shift, "completed", Outcome.DECLINED)
        meeting(other, senior, oslo(2026, 3, 25, 14), "booked")
        meeting(other, senior, oslo(2026, 3, 4, 14) + shift, "cancelled")
        # Hours and km: from visits, from the meeting, by hand.
        hours(senior, date(2026, 3, 2), "1.5", recipient=ra)
        hours(senior, date(2026, 3, 3), "2", recipient=ra)
        hours(senior, date(2026, 3, 2), "1", source=EntrySource.INTAKE, sid=m1.pk)
        hours(senior, date(2026, 3, 5), "0.5", source=EntrySource.MANUAL)
        km(senior, date(2026, 3, 2), "12.5", recipient=ra)
        km(senior, date(2026, 3, 2), "8", source=EntrySource.INTAKE, sid=m1.pk)
    # March's edges, Oslo time: the last evening counts, the first night of April does not.
    visit(ra, senior, oslo(2026, 3, 31, 23, 30))
    visit(ra, senior, oslo(2026, 4, 1, 0, 30))
    # February, department A: two visits logged on time, one cancelled by the customer.
    visit(ra, senior, oslo(2026, 2, 3, 10), logged_at=oslo(2026, 2, 3, 11))
    visit(ra, senior, oslo(2026, 2, 28, 23, 0), logged_at=oslo(2026, 3, 1, 0, 30))
    visit(ra, senior, oslo(2026, 2, 10, 10), status="cancelled", cancel_kind="customer")
    feedback_sms(rel, "failed", oslo(2026, 2, 10, 12))
    hours(senior, date(2026, 2, 3), "1", recipient=ra)
    # Evaluations: one sent in March and answered 4, one in February not answered.
    evaluation = an_evaluation(
        ra,
        relative=rel,
        token=f"Q{ra.pk:031d}",
        at=oslo(2026, 3, 9, 9, 10),
        answered_at=oslo(2026, 3, 9, 20),
        satisfaction=4,
        helps="yes",
    )
    an_evaluation(ra, relative=rel, token=f"R{ra.pk:031d}", at=oslo(2026, 2, 9, 9, 10), number=2)
    # Department B: one logged visit, three hours, a concern, in March.
    vb = visit(rb, cast.senior_b, oslo(2026, 3, 2, 10), logged_at=oslo(2026, 3, 2, 11))
    concern(vb, cast.senior_b, oslo(2026, 3, 2, 12))
    hours(cast.senior_b, date(2026, 3, 2), "3", recipient=rb)
    return Built(ra, rel, rb, evaluation)
