"""The outbox page, a staff member's own SMS consent, and Twilio's two webhooks."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from customers.access import visible_recipients
from messaging import inbound, services
from messaging.models import InboundSms, SmsMessage, SmsStatus
from seniorene.accounts.decorators import public, require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.forms import redirect_target
from seniorene.sms.text import segments

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@require(Perm.VIEW_SMS_OUTBOX)
def outbox(request: AuthedRequest) -> HttpResponse:
    """Every SMS of the organization, newest first: status, purpose, masked number, text."""
    rows = SmsMessage.objects.for_organization(request.organization)
    status = request.GET.get("status", "")
    if status in SmsStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = Paginator(rows.order_by("-created_at", "-id"), 50).get_page(request.GET.get("side"))
    shown = list(page.object_list)
    for message in shown:
        # Shown beside each text: GSM-7 or UCS-2, and how many SMS it costs.
        message.encoding, message.segment_count = segments(message.body)  # type: ignore[attr-defined]
    page.object_list = shown
    ctx = {
        "page": page,
        "status": status,
        "statuses": SmsStatus.choices,
        "kept": urlencode({"status": status}),  # the filter, on the links to other pages
    }
    return render(request, "sms/outbox.html", ctx)


@require(Perm.USE_APP)
def my_consent(request: AuthedRequest) -> HttpResponse:
    """A staff member gives or withdraws their own consent to work SMS (team meetings)."""
    membership = request.membership
    if request.method == "POST":
        if request.POST.get("action") == "give":
            services.staff_sms_consent_give(membership=membership, by=request.user)
            messages.success(request, _("Du får nå SMS om teamsmøter og lignende."))
        else:
            services.staff_sms_consent_withdraw(membership=membership, by=request.user)
            messages.success(request, _("Du får ikke lenger SMS fra oss."))
        return redirect("sms:my_consent")
    ctx = {
        "active": services.staff_may_receive_sms(membership_id=membership.pk),
        "phone": request.user.phone,
    }
    return render(request, "sms/my_consent.html", ctx)


# --- Replies (issue 21) -------------------------------------------------------------------


def _handle(request: AuthedRequest, message: InboundSms, default: str) -> HttpResponse:
    try:
        done = inbound.reply_handle(
            message=message, by=request.membership, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if done:
            messages.success(request, _("SMS-en er merket som behandlet."))
        else:
            messages.info(request, _("Noen andre hadde allerede merket SMS-en som behandlet."))
    return redirect(redirect_target(request, request.POST.get("next", ""), default))


@require_POST
@require(Perm.MANAGE_RECIPIENTS)
def reply_handle(request: AuthedRequest, pk: int) -> HttpResponse:
    """A leader marks a reply on a recipient's card handled (with an optional note)."""
    message = (
        InboundSms.objects.for_organization(request.organization)
        .filter(pk=pk, recipient__in=visible_recipients(request))
        .first()
    )
    if message is None:
        raise Http404
    return _handle(request, message, reverse("customers:card", args=[message.recipient_id]))


@require(Perm.VIEW_UNKNOWN_SMS)
def unknown_senders(request: AuthedRequest) -> HttpResponse:
    """Admin's list: SMS from numbers the organization once texted, but no relative or
    recipient has now. Numbers no one in the organization knows never show here."""
    rows = inbound.unknown_senders(organization_id=request.organization.pk)
    page = Paginator(rows, 50).get_page(request.GET.get("side"))
    return render(request, "sms/unknown_senders.html", {"page": page})


@require_POST
@require(Perm.VIEW_UNKNOWN_SMS)
def unknown_handle(request: AuthedRequest, pk: int) -> HttpResponse:
    message = (
        InboundSms.objects.for_organization(request.organization)
        .filter(pk=pk, recipient__isnull=True)
        .first()
    )
    if message is None:
        raise Http404
    return _handle(request, message, reverse("sms:unknown_senders"))


def _signed_by_twilio(request: HttpRequest) -> bool:
    """True when the request carries a valid X-Twilio-Signature for our public URL.

    The URL is the public one (SITE_URL), not what the request looks like behind
    the proxy; the parameters are the raw POST (repeated keys included).
    """
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.SITE_URL + request.get_full_path()
    return bool(RequestValidator(token).validate(url, request.POST, signature))


@csrf_exempt
@require_POST
@public
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's delivery report for one message (`?m=<id>` in the callback URL)."""
    if not _signed_by_twilio(request):
        return HttpResponseForbidden()
    try:
        message_id = int(request.GET.get("m", ""))
    except ValueError:
        return HttpResponseBadRequest()
    services.sms_record_status(
        message_id=message_id,
        provider_sid=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@public
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """An SMS to our number: STOPP (and its variants) withdraws that number's SMS consents;
    anything else is kept as a reply (`messaging.inbound`)."""
    if not _signed_by_twilio(request):
        return HttpResponseForbidden()
    withdrawn = services.sms_receive(
        from_phone=request.POST.get("From", ""),
        body=request.POST.get("Body", ""),
        provider_sid=request.POST.get("MessageSid", ""),
    )
    if withdrawn:
        logger.info("SMS stop request withdrew %s consent(s)", withdrawn)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
