"""Question 3 of the Bli kjent interview drives a task before the first visit (issue 19).

Question 3 (`q3_prepared_by`) says who prepares the recipient for the visits:

* **The relative calls**: the relative gets an SMS the day before the first visit
  ("I morgen … kommer Kari fra Seniorene på første besøk hos Åse. Husk å ringe …"), with
  no health content, gated by that relative's consent to reminders on SMS (R5: checked
  when it is queued and again when it is sent, `messaging.services`), in the sending
  hours, once per plan (the outbox key ``prepare-call:<plan>``). It names the visit, so
  `reminders.reminders_recheck` withdraws it while it waits if the visit is moved or
  cancelled.
* **The senior calls**: the senior sees "Ring før første besøk" with the recipient's
  phone as a call button on that visit (agenda card and visit page) until it starts.

"The first visit" is the earliest visit, not cancelled, of the recipient's first plan
(the plan made first). Q3 is read from the recipient's newest completed interview.

Which relative (in this order, the first with a mobile number): the interview's
question 4 contact (completion marks that relative "contact during visits"), the
relative who is the customer, a relative who ordered the service, any relative marked
"contact during visits". A relative without a phone gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import CareRecipient, CustomerKind, PhoneLink, RecipientStatus, Relative
from customers.services import current_customer
from messaging.models import SmsAudience, SmsPurpose
from messaging.services import sms_queue, sms_render
from omsorg.models import IntakeInterview, InterviewStatus, Preparer
from omsorg.selectors import parse_interview_contact
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.registry import Tally
from visits.civil_time import local_day_bounds
from visits.models import ACTIVE_STATUSES, Visit, VisitPlan, VisitStatus


def _preparers(recipient_ids: Iterable[int]) -> dict[int, IntakeInterview]:
    """Each recipient's newest completed interview (Q3 and Q4 are read from it)."""
    found: dict[int, IntakeInterview] = {}
    rows = IntakeInterview.objects.filter(
        recipient_id__in=list(recipient_ids), status=InterviewStatus.COMPLETED
    ).order_by("recipient_id", "-completed_at", "-pk")
    for interview in rows.only("pk", "recipient_id", "q3_prepared_by", "q4_contact_name",
                               "q4_contact_phone", "completed_at"):  # fmt: skip
        found.setdefault(interview.recipient_id, interview)
    return found


def first_visit_ids(recipient_ids: Iterable[int]) -> dict[int, int]:
    """recipient id → the id of its first visit (of its first plan), where there is one.

    Two queries whatever the number of recipients."""
    ids = list(recipient_ids)
    if not ids:
        return {}
    first_plan: dict[int, int] = {}
    for recipient_id, plan_id in (
        VisitPlan.objects.filter(recipient_id__in=ids)
        .order_by("recipient_id", "created_at", "pk")
        .values_list("recipient_id", "pk")
    ):
        first_plan.setdefault(recipient_id, plan_id)
    plan_to_recipient = {plan: recipient for recipient, plan in first_plan.items()}
    found: dict[int, int] = {}
    for plan_id, visit_id in (
        Visit.objects.filter(plan_id__in=list(plan_to_recipient))
        .exclude(status=VisitStatus.CANCELLED)
        .order_by("plan_id", "starts_at", "pk")
        .values_list("plan_id", "pk")
    ):
        found.setdefault(plan_to_recipient[plan_id], visit_id)
    return found


def calls_before_first_visit(
    *, senior_id: int, visits: Iterable[Visit], now: datetime | None = None
) -> dict[int, PhoneLink | None]:
    """visit id → the recipient's phone (None: no number) for each of `visits` on which
    the senior is to call before the first visit: the senior's own, open, not started yet,
    the first visit of the first plan, and Q3 says the senior calls.

    A constant number of queries (none when no visit can qualify)."""
    now = now or timezone.now()
    candidates = [
        v
        for v in visits
        if v.senior_id == senior_id
        and v.plan_id is not None
        and v.status in ACTIVE_STATUSES
        and v.starts_at > now
    ]
    if not candidates:
        return {}
    interviews = _preparers({v.recipient_id for v in candidates})
    senior_calls = {r for r, i in interviews.items() if i.q3_prepared_by == Preparer.SENIOR}
    if not senior_calls:
        return {}
    first = first_visit_ids(senior_calls)
    return {
        v.pk: v.recipient.phone_link
        for v in candidates
        if v.recipient_id in senior_calls and first.get(v.recipient_id) == v.pk
    }


def relative_to_prepare(recipient: CareRecipient, interview: IntakeInterview) -> Relative | None:
    """The relative who is to call the recipient before the first visit (see the module)."""
    relatives = [r for r in recipient.relatives.order_by("pk") if r.phone]
    if not relatives:
        return None
    contact = parse_interview_contact(interview.q4_contact_name, interview.q4_contact_phone)
    if contact is not None:
        for r in relatives:
            if contact.phone and r.phone.as_e164 == contact.phone:
                return r
        for r in relatives:
            if r.name.strip().casefold() == contact.name.strip().casefold():
                return r
    customer = current_customer(recipient)
    if customer is not None and customer.kind == CustomerKind.RELATIVE:
        for r in relatives:
            if r.pk == customer.relative_id:
                return r
    for r in relatives:
        if r.ordered_service:
            return r
    for r in relatives:
        if r.contact_during_visits:
            return r
    return None


def _first_name(name: str) -> str:
    return (name.split() or [name])[0]


def prepare_sms_send(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """The day before: queue the SMS to the relative for every first visit on `day` whose
    recipient's relative is to call (Q3)."""
    lo, hi = local_day_bounds(day, day)
    with tenant_context(organization_id):
        visits = list(
            Visit.objects.for_organization(organization_id)
            .filter(
                status__in=ACTIVE_STATUSES,
                plan__isnull=False,
                starts_at__gte=max(lo, now),
                starts_at__lt=hi,
                recipient__status=RecipientStatus.ACTIVE,
            )
            .order_by("starts_at", "pk")
            .values_list("pk", "recipient_id")
        )
        first = first_visit_ids({r for _pk, r in visits})
    for visit_id, recipient_id in visits:
        if first.get(recipient_id) == visit_id:
            tally.add(prepare_sms_queue(organization_id=organization_id, visit_id=visit_id))


def prepare_sms_queue(*, organization_id: int, visit_id: int) -> str:
    """Queue one first visit's SMS to the relative: "sent", "already" or "skipped"."""
    from visits.reminders import reminder_when

    with tenant_context(organization_id):
        visit = (
            Visit.objects.for_organization(organization_id)
            .select_for_update(of=("self",))
            .select_related("recipient", "senior__user", "organization")
            .filter(pk=visit_id, status__in=ACTIVE_STATUSES, plan__isnull=False)
            .first()
        )
        if visit is None or first_visit_ids([visit.recipient_id]).get(visit.recipient_id) != (
            visit.pk
        ):
            return "skipped"
        recipient = visit.recipient
        if recipient.status != RecipientStatus.ACTIVE or recipient.anonymised_at is not None:
            return "skipped"
        interview = _preparers([recipient.pk]).get(recipient.pk)
        if interview is None or interview.q3_prepared_by != Preparer.RELATIVE:
            return "skipped"
        relative = relative_to_prepare(recipient, interview)
        if relative is None:
            return "skipped"
        body = sms_render(
            purpose="prepare_first_visit",
            context={
                "when": reminder_when(visit.starts_at),
                "senior_name": _first_name(visit.senior.user.get_short_name()),
                "recipient_name": _first_name(recipient.name),
                "organization": visit.organization,
            },
        )
        try:
            _message, created = sms_queue(
                organization_id=organization_id,
                to_phone=relative.phone,
                body=body,
                purpose=SmsPurpose.REMINDER_SMS,
                audience=SmsAudience.RELATIVE,
                recipient_id=recipient.pk,
                relative_id=relative.pk,
                visit_id=visit.pk,
                idempotency_key=f"prepare-call:{visit.plan_id}",
            )
        except ValidationError:
            return "skipped"  # no consent (nothing is stored), or the number is not theirs
    return "sent" if created else "already"
