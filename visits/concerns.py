"""Noe lederen bør vite: a concern raised with the visit log, read and answered by a leader.

1. The senior (or a leader logging on the senior's behalf) fills in "Noe lederen bør vite"
   in the visit log: `concern_raise` stores a `Concern` in the log's own transaction, so a
   log stored once (its submission key) raises its concern once.
2. After the commit the department's leaders hear of it at once, each the way they chose
   (`ConcernAlertChoice`: only in the app, e-mail — the default — or SMS with their own SMS
   consent), once per leader (the claim ``concern:<concern>:<leader>``). The concern stands
   at the top of *Følg opp* until it is answered.
3. A leader of the department (or the lead) opens it: the first such opening marks it read
   (`concern_mark_read`); a leader, the lead or admin writes what was done
   (`concern_answer`, an answer is required) and it leaves *Følg opp*.
4. Unanswered 24 hours after it was raised, the organization's lead(s) get an e-mail, once
   (`visits.concern_notices.concerns_escalate`, a job every 15 minutes; claims
   ``concern-lead:<concern>:<lead>`` and `Concern.escalated_at`).
5. The senior who raised it sees on "Mine meldinger" when it was read and answered, and
   the answer.

What the messages say: "Ny melding fra <senior> – åpne appen" and a link. Never the text,
the category or the recipient's name: an e-mail or SMS leaves our system (a mail provider,
a phone's lock screen) and the concern may be about health ("falt i gangen"); even a name
beside "melding til leder" says something about that person. The senior's name tells the
leader whom to call if the app is out of reach. The audit rows carry no text either; the
category is kept out of them too (a fall is health information), and `Concern.__str__`
(the audit rows' label) names no category.
"""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.models import Membership, Role
from seniorene.accounts.policy import can_see_department
from seniorene.audit.services import audit_record
from visits.models import (
    Concern,
    ConcernCategory,
    Visit,
)

TEXT_MAX = 2000


# --- Raising -------------------------------------------------------------------------


def concern_check(*, category: str, text: str) -> bool:
    """True when a concern is filled in; a half-filled one is a Norwegian refusal."""
    text = text.strip()
    if not category and not text:
        return False
    if category not in ConcernCategory.values:
        raise ValidationError(
            {"concern_category": _("Velg hva meldingen til lederen gjelder.")}, code="category"
        )
    if not text:
        raise ValidationError({"concern_text": _("Skriv kort hva lederen bør vite.")}, code="text")
    return True


def concern_raise(*, visit: Visit, by: Membership, category: str, text: str) -> Concern | None:
    """Store the visit's concern, if one was filled in (call inside the log's transaction);
    the department's leaders are told once the log is committed."""
    if not concern_check(category=category, text=text):
        return None
    concern = Concern.objects.create(
        organization_id=visit.organization_id,
        visit=visit,
        recipient_id=visit.recipient_id,
        raised_by=by,
        category=category,
        text=text.strip()[:TEXT_MAX],
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="concern.raised",
        obj=concern,
        details={"visit": visit.pk},
    )
    organization_id, concern_id = visit.organization_id, concern.pk

    def tell_leaders() -> None:
        from visits.tasks import concern_notify

        concern_notify.delay(organization_id, concern_id)

    transaction.on_commit(tell_leaders, robust=True)
    return concern


# --- Who sees what ---------------------------------------------------------------------


def concerns_visible(membership: Membership) -> QuerySet[Concern]:
    """The concerns `membership` may read: admin and the lead all of the organization, a
    leader those of their departments' recipients, a senior those they raised."""
    rows = Concern.objects.for_organization(membership.organization_id)
    if membership.role in (Role.ADMIN, Role.LEAD):
        return rows
    if membership.role == Role.LEADER:
        return rows.filter(recipient__department_id__in=list(membership.department_ids))
    return rows.filter(raised_by=membership)


def concerns_open(
    *, organization_id: int, department_ids: Collection[int] | None = None
) -> list[Concern]:
    """Unanswered concerns, oldest first (the top of *Følg opp*); `department_ids` None is
    every department."""
    rows = (
        Concern.objects.for_organization(organization_id)
        .filter(answered_at__isnull=True)
        .select_related("recipient__department", "raised_by__user", "visit", "read_by__user")
        .order_by("raised_at", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return list(rows)


def may_answer(membership: Membership, concern: Concern) -> bool:
    """A leader of the recipient's department, the lead or admin."""
    if membership.organization_id != concern.organization_id:
        return False
    if membership.role not in (Role.ADMIN, Role.LEAD, Role.LEADER):
        return False
    return can_see_department(membership, concern.recipient.department_id)


# --- Read and answered -----------------------------------------------------------------


def concern_mark_read(*, concern: Concern, by: Membership) -> Concern:
    """The first opening by a leader of the department (or the lead) marks it read; admin's
    reading (quality assurance) does not tell the senior that it was taken up."""
    if by.role not in (Role.LEADER, Role.LEAD) or not may_answer(by, concern):
        return concern
    now = timezone.now()
    marked = Concern.objects.filter(pk=concern.pk, read_at__isnull=True).update(
        read_at=now, read_by=by
    )
    if marked:
        concern.refresh_from_db()
    return concern


@transaction.atomic
def concern_answer(*, concern: Concern, by: Membership, answer: str) -> Concern:
    """Write what was done; the concern leaves *Følg opp*. Answered once: a second answer
    is refused (the first stands, with who wrote it)."""
    if not may_answer(by, concern):
        raise ValidationError(_("Bare lederen for avdelingen kan svare på meldingen."))
    answer = answer.strip()[:TEXT_MAX]
    if not answer:
        raise ValidationError({"answer": _("Skriv hva som ble gjort.")}, code="required")
    now = timezone.now()
    answered = Concern.objects.filter(pk=concern.pk, answered_at__isnull=True).update(
        answer=answer, answered_at=now, answered_by=by
    )
    if not answered:
        raise ValidationError(_("Meldingen er allerede besvart."), code="answered")
    Concern.objects.filter(pk=concern.pk, read_at__isnull=True).update(read_at=now, read_by=by)
    concern.refresh_from_db()
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="concern.answered",
        obj=concern,
        details={
            "visit": concern.visit_id,
            "minutes": int((now - concern.raised_at).total_seconds() // 60),
        },
    )
    return concern
