"""Notices of the intake: the admin's that a Bli kjent form was delivered (an e-mail without
its content, R3), and the senior's that their meeting was booked, moved or cancelled."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from omsorg.models import AdminNotification, IntakeInterview, InterviewStatus
from seniorene.accounts.models import Membership, Role
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send


def notification_email(*, organization_id: int, notification_id: int) -> str:
    """E-mail the organization's admins (and its contact address) when the form was delivered
    (Oslo time): no form content (R3). At most once per notice (a claim, as every notice);
    returns what `notice_send` says ("sent", "already", "retry", "failed"), or "nobody"."""
    with tenant_context(organization_id):
        notification = (
            AdminNotification.objects.for_organization(organization_id)
            .select_related("organization", "interview")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "nobody"
        mail = _notification_mail(notification)
    if mail is None:
        return "nobody"
    recipients, subject, context = mail
    return notice_send(
        organization_id=organization_id,
        key=f"intake-notice:{notification_id}",
        send=lambda: mail_send(
            to=recipients,
            subject=subject,
            template="omsorg/email/intake_notice.txt",
            context=context,
        ),
    )


def _notification_mail(
    notification: AdminNotification,
) -> tuple[list[str], str, dict[str, str]] | None:
    """Who gets the notice, its subject and what the body says (None: nobody to tell)."""
    org = notification.organization
    admins = Membership.objects.for_organization(org).filter(role=Role.ADMIN, is_active=True)
    recipients = sorted(
        {m.user.email for m in admins.select_related("user")}
        | ({org.contact_email} if org.contact_email else set())
    )
    if not recipients:
        return None
    delivered = timezone.localtime(notification.interview.completed_at or notification.created_at)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Bli kjent gjennomført: %(name)s") % {"name": notification.recipient_name}
    context = {
        "recipient": notification.recipient_name,
        "senior": notification.senior_name,
        "day": date_format(delivered, "j.n.Y"),
        "time": date_format(delivered, "H.i"),
    }
    return recipients, subject, context


# --- Telling the senior -------------------------------------------------------------------


def _still_true(interview: IntakeInterview, change: str) -> bool:
    """Whether announcing `change` still tells the truth (a later change replaces it)."""
    if change == "cancelled":
        return interview.status == InterviewStatus.CANCELLED
    if interview.status != InterviewStatus.BOOKED:
        return False
    if change == "booked":
        return interview.sequence == 0
    return change == f"moved:{interview.sequence}"


def meeting_announce(*, organization_id: int, interview_id: int, change: str) -> str:
    """Tell the senior that their meeting was booked, moved or cancelled, at most once.

    `change` is "booked", "moved:<n>" or "cancelled"; the claim's key is
    ``bli-kjent:<id>:<change>``. E-mail always; an SMS too with the senior's own consent
    (the outbox key is the same). When, where and with whom, and a link: no health details.
    Returns what `notice_send` says, or "skipped" when a later change replaced this one.
    """
    from messaging.models import SmsAudience, SmsPurpose
    from messaging.services import sms_queue, sms_render, staff_may_receive_sms

    with tenant_context(organization_id):
        interview = (
            IntakeInterview.objects.for_organization(organization_id)
            .select_related("senior__user", "organization")
            .filter(pk=interview_id)
            .first()
        )
        if interview is None or not _still_true(interview, change):
            return "skipped"
        user = interview.senior.user
        by_sms = bool(user.phone) and staff_may_receive_sms(membership_id=interview.senior_id)
    # Who and where stay in the app: e-mail and SMS name no recipient (R3), as the digest.
    kind = change.split(":", 1)[0]
    with translation.override(settings.LANGUAGE_CODE):
        when = date_format(timezone.localtime(interview.starts_at), r"l j. F \k\l. H.i")
        subject = {
            "booked": _("Nytt Bli kjent-møte %(when)s"),
            "moved": _("Bli kjent-møtet er flyttet til %(when)s"),
            "cancelled": _("Bli kjent-møtet %(when)s er avlyst"),
        }[kind] % {"when": when}
    page = "omsorg:mine" if kind == "cancelled" else "omsorg:fill"
    args = [] if kind == "cancelled" else [interview.pk]
    ctx = {
        "name": user.get_short_name(),
        "kind": kind,
        "when": when,
        "minutes": interview.duration_minutes,
        "organization": interview.organization,
        "url": settings.SITE_URL + reverse(page, args=args),
    }
    key = f"bli-kjent:{interview.pk}:{change}"

    def send() -> None:
        mail_send(
            to=[user.email],
            subject=subject,
            template="omsorg/email/meeting_notice.txt",
            context=ctx,
        )
        if by_sms:
            # Consent withdrawn meanwhile: the e-mail went out, no SMS.
            with tenant_context(organization_id), contextlib.suppress(ValidationError):
                sms_queue(
                    organization_id=organization_id,
                    to_phone=user.phone,
                    body=sms_render(purpose="bli_kjent_notice", context=ctx),
                    purpose=SmsPurpose.STAFF_DIGEST,
                    audience=SmsAudience.STAFF,
                    membership_id=interview.senior_id,
                    idempotency_key=key,
                )

    return notice_send(organization_id=organization_id, key=key, send=send)


# --- Telling the department's leaders --------------------------------------------------


def leader_notices_email(*, organization_id: int, interview_id: int) -> dict[int, str]:
    """E-mail each leader noticed of the completed interview once (the claim
    ``intake-leader:<interview>:<leader>``): who was met, by whom and when, and a link to
    the next step — "make the plan" after a good match, else the card. No form content,
    no outcome wording (R3). Returns what `notice_send` said per leader (membership id)."""
    from omsorg.models import LeaderNotice, Outcome

    with tenant_context(organization_id):
        notices = list(
            LeaderNotice.objects.for_organization(organization_id)
            .filter(interview_id=interview_id, leader__is_active=True)
            .select_related("leader__user", "interview__recipient", "interview__senior__user")
            .order_by("pk")
        )
    sent: dict[int, str] = {}
    for notice in notices:
        interview = notice.interview
        recipient = interview.recipient
        if recipient.anonymised_at is not None:
            continue
        if interview.outcome == Outcome.GOOD_MATCH:
            url = reverse("visits:plan_create", args=[recipient.pk])
        else:
            url = reverse("customers:card", args=[recipient.pk])
        delivered = timezone.localtime(interview.completed_at or notice.created_at)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Til deg som leder: Bli kjent-møtet med %(name)s er levert") % {
                "name": recipient.name
            }
        context = {
            "leader": notice.leader.user.get_short_name(),
            "recipient": recipient.name,
            "senior": interview.senior.user.name,
            "day": date_format(delivered, "j.n.Y"),
            "time": date_format(delivered, "H.i"),
            "good_match": interview.outcome == Outcome.GOOD_MATCH,
            "url": settings.SITE_URL + url,
        }
        sent[notice.leader_id] = notice_send(
            organization_id=organization_id,
            key=f"intake-leader:{interview.pk}:{notice.leader_id}",
            send=_leader_mail(notice.leader.user.email, subject, context),
        )
    return sent


def _leader_mail(to: str, subject: str, context: dict[str, Any]) -> Callable[[], None]:
    def send() -> None:
        mail_send(
            to=[to],
            subject=subject,
            template="omsorg/email/leader_intake_notice.txt",
            context=context,
        )

    return send
