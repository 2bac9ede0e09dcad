"""Seniorposten, sending (run by the task `training.tasks.deliver_seniorposten`): each
active senior of the department gets the sent letter once per channel — the e-mail through
the notice claim ``seniorposten:<id>:<senior>:email``, the SMS (with the senior's own consent
to SMS from work) keyed ``seniorposten:<id>:<senior>:sms`` in the outbox."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from seniorene.accounts.models import Membership
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.registry import Tally
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send
from training.models import PostenStatus, Seniorposten
from training.posten_selectors import month_name, posten_audience, posten_key, posten_meeting


def posten_deliver(*, organization_id: int, issue_id: int) -> Tally:
    """E-mail the sent letter to each active senior of its department who has not had it,
    and queue the short SMS to those with their own consent to SMS from work; once per
    senior and channel (see the module docstring). Return the e-mails' tally."""
    tally = Tally()
    with tenant_context(organization_id):
        issue = (
            Seniorposten.objects.for_organization(organization_id)
            .select_related("organization", "department")
            .filter(pk=issue_id, status=PostenStatus.SENT)
            .first()
        )
        if issue is None:
            return tally
        seniors = posten_audience(issue)
    url = settings.SITE_URL + reverse("training:posten_issue", args=[issue.pk])
    for senior in seniors:

        def send(senior: Membership = senior) -> None:
            _email(issue, senior, url)

        tally.add(
            notice_send(
                organization_id=organization_id,
                key=posten_key(issue.pk, senior.pk, "email"),
                send=send,
            )
        )
        _sms(issue, senior, url)
    return tally


def _email(issue: Seniorposten, senior: Membership, url: str) -> None:
    mail_send(
        to=[senior.user.email],
        subject=issue.title,
        template="training/email/seniorposten.txt",
        context={
            "name": senior.user.get_short_name(),
            "issue": issue,
            "department": issue.department,
            "organization": issue.organization,
            "meeting": posten_meeting(issue),
            "url": url,
        },
    )


def _sms(issue: Seniorposten, senior: Membership, url: str) -> None:
    """Queue the SMS when the senior has a mobile number and their own consent; the outbox
    key makes it once-only, and the outbox asks for the consent again when it sends."""
    from messaging.models import SmsAudience, SmsPurpose
    from messaging.services import sms_queue, sms_render, staff_may_receive_sms

    phone = senior.user.phone
    if not phone:
        return
    with tenant_context(issue.organization_id), contextlib.suppress(ValidationError):
        if not staff_may_receive_sms(membership_id=senior.pk):
            return
        sms_queue(
            organization_id=issue.organization_id,
            to_phone=phone,
            body=sms_render(
                purpose="seniorposten",
                context={"month": month_name(issue.year, issue.month), "url": url},
            ),
            purpose=SmsPurpose.STAFF_DIGEST,
            audience=SmsAudience.STAFF,
            membership_id=senior.pk,
            idempotency_key=posten_key(issue.pk, senior.pk, "sms"),
        )
