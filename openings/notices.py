"""Telling seniors about a job: that it is published, that they got it, that it is taken.

Each notice goes at most once per job and senior, claimed through
`seniorene.jobs.services.notice_send` with the keys ``opening:<job>:published:<senior>``,
``opening:<job>:chosen:<senior>`` and ``opening:<job>:taken:<senior>``: running the
sending again sends nothing new. E-mail always; an SMS too with the senior's own consent to
SMS from work (`messaging.services.staff_may_receive_sms`, as the Bli kjent announcements),
the outbox row keyed like the claim. What the job is, where by area and postal code, and
when — never the recipient's name or street (nor the description: the app shows it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openings.describe import opening_when, opening_where
from openings.eligibility import eligible_seniors
from openings.models import AnswerChoice, JobAnswer, JobOpening, OpeningStatus
from seniorene.accounts.models import Membership
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send

# Where a notice's link leads: the job on the senior's own *Ledige jobber* pages (after the
# choice the same page says "Jobben er din" or "Jobben er tatt").
SENIOR_PAGE = "openings:my_job"


def opening_announce(
    *, organization_id: int, opening_id: int, now: datetime | None = None
) -> dict[int, str]:
    """Tell each senior the open job is offered to (`eligible_seniors`) about it, once.
    Returns what `notice_send` said per senior (membership id); {} when the job is no
    longer open."""
    now = now or timezone.now()
    with tenant_context(organization_id):
        opening = _opening(organization_id, opening_id)
        if opening is None or opening.status != OpeningStatus.OPEN:
            return {}
        seniors = eligible_seniors(opening=opening, on=timezone.localdate(now))
    return _tell(opening, seniors, "published")


def choice_announce(*, organization_id: int, opening_id: int) -> dict[int, str]:
    """Tell the chosen senior "du har fått jobben" and the others who said yes "jobben er
    tatt", once each. Returns what `notice_send` said per senior."""
    with tenant_context(organization_id):
        opening = _opening(organization_id, opening_id)
        if opening is None or opening.status != OpeningStatus.FILLED or opening.chosen is None:
            return {}
        others = [
            a.senior
            for a in JobAnswer.objects.filter(opening=opening, answer=AnswerChoice.YES)
            .exclude(senior_id=opening.chosen_id)
            .select_related("senior__user")
            .order_by("pk")
            if a.senior.is_active
        ]
    sent = _tell(opening, [opening.chosen], "chosen")
    sent.update(_tell(opening, others, "taken"))
    return sent


def _opening(organization_id: int, opening_id: int) -> JobOpening | None:
    return (
        JobOpening.objects.for_organization(organization_id)
        .select_related("organization", "chosen__user")
        .filter(pk=opening_id)
        .first()
    )


def notice_texts(opening: JobOpening, what: str) -> tuple[str, dict[str, Any]]:
    """The subject and the template context of notice `what` about `opening` (the same
    for every senior but the greeting)."""
    with translation.override(settings.LANGUAGE_CODE):
        kind = str(opening.get_kind_display())
        where = opening_where(opening)
        subject = {
            "published": _("Ledig jobb: %(kind)s i %(where)s"),
            "chosen": _("Du har fått jobben: %(kind)s i %(where)s"),
            "taken": _("Jobben er tatt: %(kind)s i %(where)s"),
        }[what] % {"kind": kind, "where": where}
        areas = ", ".join(str(a.name) for a in opening.service_areas.order_by("name"))
        when = opening_when(opening)
    context = {
        "what": what,
        "kind": kind,
        "where": where,
        "when": when,
        "areas": areas,
        "organization": opening.organization,
        "url": settings.SITE_URL + reverse(SENIOR_PAGE, args=[opening.pk]),
    }
    return subject, context


def _tell(opening: JobOpening, seniors: Iterable[Membership], what: str) -> dict[int, str]:
    org_id = opening.organization_id
    with tenant_context(org_id):  # the service areas, under row-level security
        subject, context = notice_texts(opening, what)
    sent: dict[int, str] = {}
    for senior in seniors:
        user = senior.user
        key = f"opening:{opening.pk}:{what}:{senior.pk}"
        ctx = {**context, "name": user.get_short_name()}
        sent[senior.pk] = notice_send(
            organization_id=org_id,
            key=key,
            send=_send(org_id, senior, subject, ctx, key),
        )
    return sent


def _send(
    organization_id: int, senior: Membership, subject: str, ctx: dict[str, Any], key: str
) -> Callable[[], None]:
    from messaging.models import SmsAudience, SmsPurpose
    from messaging.services import sms_queue, sms_render, staff_may_receive_sms

    user = senior.user

    def send() -> None:
        mail_send(
            to=[user.email], subject=subject, template="openings/email/notice.txt", context=ctx
        )
        if not user.phone:
            return
        # The senior's own consent to SMS from work, asked now (and again by the outbox when
        # it sends); withdrawn meanwhile: the e-mail went out, no SMS.
        with tenant_context(organization_id), contextlib.suppress(ValidationError):
            if not staff_may_receive_sms(membership_id=senior.pk):
                return
            sms_queue(
                organization_id=organization_id,
                to_phone=user.phone,
                body=sms_render(purpose="opening_notice", context=ctx),
                purpose=SmsPurpose.STAFF_DIGEST,
                audience=SmsAudience.STAFF,
                membership_id=senior.pk,
                idempotency_key=key,
            )

    return send
