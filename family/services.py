"""What a relative does on their own page, and the leader's answer to their requests.

The page's SMS (a one-time code, a new link) go under the relative's visit-summary consent
(`messaging.models.consent_purpose`), only to the relative's number on file, never to a
number typed in. The one-time code goes at once, day or night
(`messaging.services.SENT_AT_ONCE`); a new link waits for the sending hours like any SMS.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.models import Consent, Relative, RelativeLink
from customers.relative_access import (
    CODE_MINUTES,
    code_issue,
    link_issue,
    relative_page_allowed,
    relatives_for_phone,
)
from customers.services import consent_withdraw
from family.models import RequestKind, RequestStatus, VisitRequest
from family.notices import relative_change_notify
from messaging.models import SmsAudience, SmsMessage, SmsPurpose
from messaging.services import sms_queue
from seniorene.accounts.models import Membership
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.services import audit_record
from seniorene.sms.text import normalise_phone
from visits.change_notices import VisitChange, visit_change_notify
from visits.models import ACTIVE_STATUSES, CancelKind, Visit, VisitStatus

# A relative cancels a visit themself only this long ahead; closer, they ask the leader.
CANCEL_NOTICE_HOURS = 24
WITHDRAWN_ON_PAGE = "trukket av pårørende på egen side"


def _render_sms(template: str, context: dict[str, object]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(f"family/sms/{template}.txt", context)


def _queue_to_relative(*, relative: Relative, body: str, key: str) -> SmsMessage | None:
    """Queue `body` to the relative's number on file; None when consent or number is gone."""
    try:
        message, _created = sms_queue(
            organization_id=relative.organization_id,
            to_phone=relative.phone,
            body=body,
            purpose=SmsPurpose.ACCESS_CODE_SMS,
            audience=SmsAudience.RELATIVE,
            idempotency_key=key,
            recipient_id=relative.recipient_id,
            relative_id=relative.pk,
        )
    except ValidationError:
        return None
    return message


def access_code_send(*, link: RelativeLink, now: datetime) -> SmsMessage | None:
    """Send a new one-time code to the link's relative (their number on file)."""
    relative = link.relative
    if not relative_page_allowed(relative=relative, now=now):
        return None
    code_row, code = code_issue(link=link, now=now)
    body = _render_sms(
        "code",
        {"code": code, "minutes": CODE_MINUTES, "organization": relative.organization.name},
    )
    message = _queue_to_relative(
        relative=relative, body=body, key=f"relative-page:code:{code_row.pk}"
    )
    audit_record(
        organization=relative.organization,
        actor=None,
        action="relative_page.code_sent",
        obj=relative,
        details={"link": link.pk, "code": code_row.pk},
    )
    return message


def new_link_send(*, relative: Relative, now: datetime) -> SmsMessage | None:
    """Send `relative` a new link to their page, to their number on file (None: they may not
    have a page, e.g. consent withdrawn)."""
    if not relative_page_allowed(relative=relative, now=now):
        return None
    token = link_issue(relative=relative, now=now)
    url = settings.SITE_URL + reverse("family:page", args=[token])
    link = RelativeLink.objects.filter(relative=relative).order_by("-pk").first()
    body = _render_sms(
        "new_link",
        {
            "url": url,
            "recipient": _first_name(relative),
            "organization": relative.organization.name,
        },
    )
    message = _queue_to_relative(
        relative=relative, body=body, key=f"relative-page:link:{link.pk if link else 0}"
    )
    audit_record(
        organization=relative.organization,
        actor=None,
        action="relative_page.link_sent",
        obj=relative,
        details={"link": link.pk if link else None},
    )
    return message


def _first_name(relative: Relative) -> str:
    name = relative.recipient.name.strip()
    return name.split(" ")[0] if name else ""


def new_link_send_to_phone(*, phone: str, now: datetime) -> int:
    """ "Send me a new link", typed on the page of a link that does not work: every relative
    in any organization whose number on file is `phone` and who may have a page gets a new
    link; return how many (the page says the same whatever the number)."""
    try:
        e164 = normalise_phone(phone)
    except ValidationError:
        return 0
    sent = 0
    for organization_id, relative_id in relatives_for_phone(e164):
        with tenant_context(organization_id):
            relative = (
                Relative.objects.for_organization(organization_id)
                .select_related("recipient", "organization")
                .filter(pk=relative_id)
                .first()
            )
            if relative is not None and new_link_send(relative=relative, now=now):
                sent += 1
    return sent


def page_consent_withdraw(*, relative: Relative, consent: Consent, now: datetime) -> Consent:
    """The relative withdraws one of their own consents on their page (audited, no user)."""
    if consent.relative_id != relative.pk:
        raise ValidationError(_("Fant ikke samtykket."))
    return consent_withdraw(consent=consent, by=None, note=WITHDRAWN_ON_PAGE, at=now)


def may_cancel_self(*, visit: Visit, now: datetime) -> bool:
    """More than `CANCEL_NOTICE_HOURS` ahead: the relative may cancel it themself."""
    return visit.starts_at - now > timedelta(hours=CANCEL_NOTICE_HOURS)


def _check_visit(visit: Visit, relative: Relative, now: datetime) -> None:
    if visit.recipient_id != relative.recipient_id:
        raise ValidationError(_("Fant ikke besøket."))
    if visit.status not in ACTIVE_STATUSES or visit.starts_at <= now:
        raise ValidationError(_("Besøket kan ikke endres lenger."))


@transaction.atomic
def visit_cancel_by_relative(
    *, visit: Visit, relative: Relative, reason: str, now: datetime
) -> Visit:
    """Cancel `visit` for the relative, more than 24 hours ahead (a reason required).

    The visit becomes cancelled by the customer (never logged, so never invoiced: hours
    reach the ledger only from a visit's log); the senior and the department's leaders get
    an e-mail, relatives with consent the change notice; audited."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _check_visit(visit, relative, now)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Skriv kort hvorfor besøket avlyses."))
    if not may_cancel_self(visit=visit, now=now):
        raise ValidationError(
            _("Besøket er mindre enn %(hours)s timer unna. Send et ønske om avlysning i stedet.")
            % {"hours": CANCEL_NOTICE_HOURS}
        )
    visit.status = VisitStatus.CANCELLED
    visit.cancel_kind = CancelKind.CUSTOMER
    visit.cancel_reason = (
        _("Avlyst av %(name)s (pårørende): %(reason)s") % {"name": relative.name, "reason": reason}
    )[:300]
    visit.cancelled_by = None
    visit.cancelled_at = now
    visit.detached = True
    visit.save(
        update_fields=[
            "status",
            "cancel_kind",
            "cancel_reason",
            "cancelled_by",
            "cancelled_at",
            "detached",
            "updated_at",
        ]
    )
    audit_record(
        organization=relative.organization,
        actor=None,
        action="visit.cancelled",
        obj=visit,
        details={"kind": CancelKind.CUSTOMER, "relative": relative.pk, "on_page": True},
    )
    visit_change_notify(visit=visit, change=VisitChange.CANCELLED)
    transaction.on_commit(
        partial(
            relative_change_notify,
            organization_id=visit.organization_id,
            visit_id=visit.pk,
            what="cancelled",
            event_id=visit.pk,
        ),
        robust=True,
    )
    return visit


@transaction.atomic
def visit_request_create(
    *, visit: Visit, relative: Relative, kind: str, wished_time: str, note: str, now: datetime
) -> VisitRequest:
    """The relative asks the leader to cancel or move `visit`; the leaders are e-mailed and
    see it on *Følg opp* until they answer."""
    _check_visit(visit, relative, now)
    if kind not in RequestKind.values:
        raise ValidationError(_("Velg om du vil avlyse eller flytte besøket."))
    wished_time, note = wished_time.strip()[:200], note.strip()[:1000]
    if kind == RequestKind.MOVE and not (wished_time or note):
        raise ValidationError(_("Skriv når det passer bedre."))
    if kind == RequestKind.CANCEL and not note:
        raise ValidationError(_("Skriv kort hvorfor besøket bør avlyses."))
    request = VisitRequest.objects.create(
        organization_id=visit.organization_id,
        visit=visit,
        recipient_id=visit.recipient_id,
        relative=relative,
        kind=kind,
        wished_time=wished_time,
        note=note,
        created_at=now,
    )
    audit_record(
        organization=relative.organization,
        actor=None,
        action="visit_request.created",
        obj=request,
        details={"kind": kind, "visit": visit.pk, "relative": relative.pk},
    )
    transaction.on_commit(
        partial(
            relative_change_notify,
            organization_id=visit.organization_id,
            visit_id=visit.pk,
            what="request",
            event_id=request.pk,
        ),
        robust=True,
    )
    return request


@transaction.atomic
def visit_request_answer(*, request: VisitRequest, by: Membership, answer: str) -> VisitRequest:
    """The leader answers a relative's request; the answer shows on the relative's page."""
    request = VisitRequest.objects.select_for_update().get(pk=request.pk)
    answer = answer.strip()[:1000]
    if not answer:
        raise ValidationError(_("Skriv et svar til den pårørende."))
    request.answer = answer
    request.status = RequestStatus.ANSWERED
    request.answered_by = by.user
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="visit_request.answered",
        obj=request,
        details={"visit": request.visit_id},
    )
    return request
