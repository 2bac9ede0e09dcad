"""Telling the leaders of a new concern, each the way they chose, and the lead when it is
unanswered for 24 hours — each once (`seniorene.jobs.services.notice_send` claims).

See `visits.concerns` for the whole flow and why no message carries the concern's text,
its category or the recipient's name. This module is what the task and the job run; it
imports nothing of `visits.concerns` (which enqueues the task)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging.models import SmsAudience, SmsPurpose
from messaging.services import sms_queue, sms_render, staff_may_receive_sms
from seniorene.accounts.models import Membership, MembershipDepartment, Role
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.services import audit_record
from seniorene.jobs.registry import Tally
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send
from visits.models import (
    CONCERN_ALERT_DEFAULT,
    Concern,
    ConcernAlert,
    ConcernAlertChoice,
)

# Unanswered this long after it was raised, a concern goes to the lead.
ESCALATE_AFTER = timedelta(hours=24)
# The job also sends the leaders' notices a lost task did not send, for concerns this young.
NOTICE_CATCH_UP = timedelta(hours=24)


# --- The leader's choice ----------------------------------------------------------------


def concern_alert_of(membership: Membership) -> str:
    """How `membership` hears of a new concern (the default: e-mail)."""
    chosen = (
        ConcernAlertChoice.objects.filter(membership=membership)
        .values_list("channel", flat=True)
        .first()
    )
    return chosen or CONCERN_ALERT_DEFAULT


@transaction.atomic
def concern_alert_choose(*, membership: Membership, channel: str) -> ConcernAlertChoice:
    """Store the leader's choice: in the app only, e-mail or SMS."""
    if channel not in ConcernAlert.values:
        raise ValidationError({"channel": _("Velg hvordan du vil bli varslet.")})
    choice, _created = ConcernAlertChoice.objects.update_or_create(
        membership=membership,
        defaults={
            "organization_id": membership.organization_id,
            "channel": channel,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        organization=membership.organization,
        actor=membership.user,
        action="concern.alert_chosen",
        obj=membership,
        details={"channel": channel},
    )
    return choice


# --- Telling the leaders, then the lead ---------------------------------------------------


def _department_leaders(organization_id: int, department_id: int) -> list[Membership]:
    ids = MembershipDepartment.objects.for_organization(organization_id).filter(
        department_id=department_id
    )
    return list(
        Membership.objects.for_organization(organization_id)
        .filter(
            role=Role.LEADER, is_active=True, pk__in=ids.values_list("membership_id", flat=True)
        )
        .select_related("user")
        .order_by("pk")
    )


def _context(concern: Concern, reader: Membership) -> dict[str, Any]:
    return {
        "name": reader.user.get_short_name(),
        "senior": concern.raised_by.user.get_full_name(),
        "raised_at": timezone.localtime(concern.raised_at),
        "url": settings.SITE_URL + reverse("visits:concern", args=[concern.pk]),
    }


def _leader_send(organization_id: int, concern: Concern, leader: Membership, key: str) -> str:
    """Tell one leader the way they chose; "nobody" when they chose the app only. SMS only
    with their own SMS consent and a phone; otherwise the e-mail (they chose to be told)."""
    channel = concern_alert_of(leader)
    if channel == ConcernAlert.APP:
        return "nobody"
    ctx = _context(concern, leader)
    by_sms = (
        channel == ConcernAlert.SMS
        and bool(leader.user.phone)
        and staff_may_receive_sms(membership_id=leader.pk)
    )
    if not by_sms and not leader.user.email:
        return "nobody"
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Ny melding fra %(senior)s – åpne appen") % {"senior": ctx["senior"]}

    def send() -> None:
        if by_sms:
            with tenant_context(organization_id):
                sms_queue(
                    organization_id=organization_id,
                    to_phone=leader.user.phone,
                    body=sms_render(purpose="concern_notice", context=ctx),
                    purpose=SmsPurpose.STAFF_DIGEST,
                    audience=SmsAudience.STAFF,
                    membership_id=leader.pk,
                    idempotency_key=key,
                )
            return
        mail_send(
            to=[leader.user.email],
            subject=subject,
            template="visits/email/concern_raised.txt",
            context=ctx,
        )

    return notice_send(organization_id=organization_id, key=key, send=send)


def concern_notify(*, organization_id: int, concern_id: int) -> dict[int, str]:
    """Tell the recipient's department's leaders of a new concern, each once (the claim
    ``concern:<concern>:<leader>``); the leader who raised it (on a senior's behalf) is not
    told. Returns what was said per leader; {} when it is already answered."""
    with tenant_context(organization_id):
        concern = (
            Concern.objects.for_organization(organization_id)
            .select_related("raised_by__user", "recipient")
            .filter(pk=concern_id, answered_at__isnull=True)
            .first()
        )
        if concern is None:
            return {}
        leaders = _department_leaders(organization_id, concern.recipient.department_id)
    outcomes: dict[int, str] = {}
    for leader in leaders:
        if leader.pk == concern.raised_by_id:
            continue
        key = f"concern:{concern.pk}:{leader.pk}"
        with tenant_context(organization_id):
            outcomes[leader.pk] = _leader_send(organization_id, concern, leader, key)
    return outcomes


def _escalate_one(organization_id: int, concern: Concern, leads: list[Membership]) -> list[str]:
    """E-mail each lead about `concern` once; mark it escalated when none is left to retry."""
    outcomes = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Ubesvart i 24 timer: melding fra %(senior)s") % {
            "senior": concern.raised_by.user.get_full_name()
        }
    for lead in leads:
        if not lead.user.email:
            outcomes.append("nobody")
            continue
        ctx = {**_context(concern, lead), "hours": int(ESCALATE_AFTER.total_seconds() // 3600)}

        def send(to: str = lead.user.email, ctx: dict[str, Any] = ctx) -> None:
            mail_send(
                to=[to],
                subject=subject,
                template="visits/email/concern_escalated.txt",
                context=ctx,
            )

        key = f"concern-lead:{concern.pk}:{lead.pk}"
        outcomes.append(notice_send(organization_id=organization_id, key=key, send=send))
    if "retry" in outcomes:
        return outcomes  # the next run tries again; the leads already told are not told twice
    with tenant_context(organization_id):
        marked = Concern.objects.filter(pk=concern.pk, escalated_at__isnull=True).update(
            escalated_at=timezone.now()
        )
        if marked:
            audit_record(
                organization=concern.raised_by.organization,
                actor=None,
                action="concern.escalated",
                obj=concern,
                details={"visit": concern.visit_id, "leads": len(leads)},
            )
    return outcomes


def concerns_escalate(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """The job: send the leaders' notices a lost task did not send, and e-mail the lead(s)
    about each concern still unanswered 24 hours after it was raised, once."""
    with tenant_context(organization_id):
        rows = Concern.objects.for_organization(organization_id).filter(answered_at__isnull=True)
        fresh = list(rows.filter(raised_at__gt=now - NOTICE_CATCH_UP).values_list("pk", flat=True))
        due = list(
            rows.filter(escalated_at__isnull=True, raised_at__lte=now - ESCALATE_AFTER)
            .select_related("raised_by__user", "raised_by__organization", "recipient")
            .order_by("raised_at", "pk")
        )
        leads = list(
            Membership.objects.for_organization(organization_id)
            .filter(role=Role.LEAD, is_active=True)
            .select_related("user")
            .order_by("pk")
        )
    for concern_id in fresh:
        for outcome in concern_notify(
            organization_id=organization_id, concern_id=concern_id
        ).values():
            if outcome not in ("already", "nobody"):  # the notices sent at once are not news
                tally.add(outcome)
    if due and not leads:
        tally.notes.append("no active lead to tell")
        return
    for concern in due:
        for outcome in _escalate_one(organization_id, concern, leads):
            tally.add(outcome)
