"""The relative's own page (public, by link) and the leader's side of it.

The public views know no organization from the session: the link's token names it
(`customers.relative_access.link_organization_id`, a SECURITY DEFINER look-up), and the
rest of the request runs inside that tenant. Every public view is rate-limited
(`family.ratelimit`) and answers a link that does not work with a polite page that offers
a new link by SMS, to the number on file only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.access import get_recipient_for_user, get_relative_for_user
from customers.models import Consent, Relative, RelativeAccessCode, RelativeDevice
from customers.relative_access import (
    CODE_DIGITS,
    DEVICE_COOKIE,
    DEVICE_COOKIE_DAYS,
    DEVICE_COOKIE_PATH,
    CodeResult,
    LinkCheck,
    LinkState,
    code_check,
    device_for,
    device_seen,
    link_check,
    link_organization_id,
    relative_links_revoke,
)
from family import services
from family.forms import AnswerForm, CodeForm, NewLinkForm, VisitChangeForm
from family.models import RequestKind, RequestStatus, VisitRequest
from family.ratelimit import allowed
from family.selectors import first_name, page_content
from messaging.models import SmsMessage, SmsPurpose
from seniorene.accounts.decorators import public, require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.accounts.tenancy import db_set_tenant
from seniorene.audit.services import audit_record
from visits.models import Visit

# A token is 43 URL-safe base64 characters; anything else is not looked up.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def _private(response: HttpResponse) -> HttpResponse:
    """The token is in the address: keep the page out of caches, indexes and other sites'
    referrers (same-origin: a same-origin POST still carries its Origin for the CSRF check)."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "family/too_many.html", status=429))


def _check(token: str, now: datetime) -> LinkCheck:
    """The link for `token`, inside its organization's tenant from here on."""
    if not TOKEN_RE.fullmatch(token):
        return LinkCheck(LinkState.UNKNOWN)
    organization_id = link_organization_id(token)
    if organization_id is None:
        return LinkCheck(LinkState.UNKNOWN)
    db_set_tenant(organization_id, None, local=True)
    return link_check(token=token, now=now)


def _refused(request: HttpRequest, check: LinkCheck, token: str) -> HttpResponse:
    """A link that does not open the page: say why, politely, and offer a new one."""
    if check.link is not None:
        audit_record(
            organization=check.link.organization,
            actor=None,
            action="relative_page.refused",
            obj=check.link.relative,
            details={"link": check.link.pk, "state": check.state.value},
        )
    status = {LinkState.UNKNOWN: 404, LinkState.EXPIRED: 410}.get(check.state, 403)
    ctx = {
        "state": check.state.value,
        "token": token if check.state == LinkState.EXPIRED else "",
        "form": NewLinkForm(),
    }
    return _private(render(request, "family/refused.html", ctx, status=status))


@dataclass(frozen=True)
class Opened:
    """A link that works, on a device the relative has confirmed."""

    check: LinkCheck
    relative: Relative
    device: RelativeDevice


def _open(request: HttpRequest, token: str, now: datetime) -> Opened | HttpResponse:
    """The relative and their device for `token`, or the page to show instead: the refusal,
    or the one-time code step on a device not confirmed yet."""
    check = _check(token, now)
    if check.state != LinkState.OK or check.link is None:
        return _refused(request, check, token)
    relative = check.link.relative
    device = device_for(relative=relative, cookie=request.COOKIES.get(DEVICE_COOKIE))
    if device is None:
        return _code_page(request, check, token, now, form=None)
    return Opened(check, relative, device)


def _code_page(
    request: HttpRequest,
    check: LinkCheck,
    token: str,
    now: datetime,
    *,
    form: CodeForm | None,
    status: int = 200,
) -> HttpResponse:
    relative = check.relative
    if relative is None:
        raise Http404
    waiting = RelativeAccessCode.objects.filter(
        relative=relative, used_at__isnull=True, expires_at__gt=now
    ).exists()
    phone = str(relative.phone.as_national if relative.phone else "")
    ctx: dict[str, object] = {
        "token": token,
        "waiting": waiting,
        "phone_end": phone.replace(" ", "")[-2:],
        "form": form or CodeForm(),
        "digits": CODE_DIGITS,
        "demo_code": _demo_code(relative) if settings.DEBUG and waiting else "",
    }
    return _private(render(request, "family/code.html", ctx, status=status))


def _demo_code(relative: Relative) -> str:
    """With DEBUG on (the demo, no real SMS): the code of the last code SMS, from the
    outbox, as the two-factor page shows its code in DEBUG."""
    body = (
        SmsMessage.objects.filter(relative=relative, purpose=SmsPurpose.ACCESS_CODE_SMS)
        .order_by("-pk")
        .values_list("body", flat=True)
        .first()
    )
    found = re.search(rf"\b\d{{{CODE_DIGITS}}}\b", body or "")
    return found.group(0) if found else ""


@require_GET
@public
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The relative's own page: coming visits, the shared notebook, the contact person,
    their consents and their requests. Every opening is in the audit log."""
    if not allowed(request, "page"):
        return _too_many(request)
    now = timezone.now()
    opened = _open(request, token, now)
    if isinstance(opened, HttpResponse):
        return opened
    relative = opened.relative
    device_seen(opened.device, now=now)
    audit_record(
        organization=relative.organization,
        actor=None,
        action="relative_page.opened",
        obj=relative,
        details={"link": opened.check.link.pk if opened.check.link else None,
                 "device": opened.device.pk},
    )  # fmt: skip
    ctx = {
        "token": token,
        "relative": relative,
        "relative_first_name": first_name(relative.name),
        "content": page_content(relative=relative, now=now),
        "cancel_hours": services.CANCEL_NOTICE_HOURS,
    }
    return _private(render(request, "family/page.html", ctx))


@require_POST
@public
def code_send(request: HttpRequest, token: str) -> HttpResponse:
    """Send a one-time code to the relative's number on file."""
    if not allowed(request, "page"):
        return _too_many(request)
    now = timezone.now()
    check = _check(token, now)
    if check.state != LinkState.OK or check.link is None:
        return _refused(request, check, token)
    if not allowed(request, "code_send", key=f"relative:{check.link.relative_id}"):
        return _too_many(request)
    services.access_code_send(link=check.link, now=now)
    messages.info(request, _("Vi har sendt en kode på SMS. Skriv den inn under."))
    return _private(redirect("family:page", token=token))


@require_POST
@public
def code_enter(request: HttpRequest, token: str) -> HttpResponse:
    """Check the one-time code; a right one trusts this browser (a cookie) for the page."""
    if not allowed(request, "code_check"):
        return _too_many(request)
    now = timezone.now()
    check = _check(token, now)
    if check.state != LinkState.OK or check.link is None:
        return _refused(request, check, token)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, check, token, now, form=form, status=400)
    result, _device, cookie = code_check(link=check.link, code=form.cleaned_data["code"], now=now)
    if result != CodeResult.OK:
        errors = {
            CodeResult.WRONG: _("Koden stemmer ikke. Prøv igjen."),
            CodeResult.EXPIRED: _("Koden er for gammel eller brukt. Be om en ny kode."),
            CodeResult.TOO_MANY: _("For mange forsøk med denne koden. Be om en ny kode."),
        }
        form.add_error("code", errors[result])
        return _code_page(request, check, token, now, form=form, status=400)
    response = redirect("family:page", token=token)
    response.set_cookie(
        DEVICE_COOKIE,
        cookie,
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        path=DEVICE_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return _private(response)


@require_POST
@public
def link_resend(request: HttpRequest, token: str) -> HttpResponse:
    """An expired link: send a new one to the relative's number on file."""
    if not allowed(request, "page"):
        return _too_many(request)
    now = timezone.now()
    check = _check(token, now)
    if check.link is not None and check.state in (LinkState.OK, LinkState.EXPIRED):
        if not allowed(request, "new_link", key=f"relative:{check.link.relative_id}"):
            return _too_many(request)
        services.new_link_send(relative=check.link.relative, now=now)
    return _private(render(request, "family/link_sent.html"))


@public
def new_link(request: HttpRequest) -> HttpResponse:
    """ "Send me a new link": a number typed in gets a link only when it is a relative's
    number on file (sent there); the answer is the same whether or not it is known."""
    if not allowed(request, "page"):
        return _too_many(request)
    form = NewLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if not allowed(request, "new_link", key=f"phone:{phone}"):
            return _too_many(request)
        services.new_link_send_to_phone(phone=phone, now=timezone.now())
        return _private(render(request, "family/link_sent.html"))
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "family/new_link.html", {"form": form}, status=status))


@public
def visit_change(request: HttpRequest, token: str, visit_pk: int) -> HttpResponse:
    """Cancel one coming visit (more than 24 hours ahead), or ask to cancel or move it."""
    if not allowed(request, "page"):
        return _too_many(request)
    now = timezone.now()
    opened = _open(request, token, now)
    if isinstance(opened, HttpResponse):
        return opened
    relative = opened.relative
    visit = (
        Visit.objects.filter(pk=visit_pk, recipient_id=relative.recipient_id)
        .select_related("senior__user")
        .first()
    )
    if visit is None:
        raise Http404
    may_cancel = services.may_cancel_self(visit=visit, now=now)
    form = VisitChangeForm(request.POST or None, may_cancel=may_cancel)
    if request.method == "POST":
        if not allowed(request, "change"):
            return _too_many(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "cancel":
                    services.visit_cancel_by_relative(
                        visit=visit, relative=relative, reason=data["note"], now=now
                    )
                    messages.success(request, _("Besøket er avlyst. Vi har sagt fra til senioren."))
                else:
                    kind = RequestKind.MOVE if data["action"] == "move" else RequestKind.CANCEL
                    services.visit_request_create(
                        visit=visit,
                        relative=relative,
                        kind=kind,
                        wished_time=data["wished_time"],
                        note=data["note"],
                        now=now,
                    )
                    messages.success(request, _("Ønsket er sendt. Svaret kommer her på siden din."))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _private(redirect("family:page", token=token))
    ctx = {
        "token": token,
        "visit": visit,
        "senior_first_name": first_name(visit.senior.user.name),
        "may_cancel": may_cancel,
        "form": form,
        "cancel_hours": services.CANCEL_NOTICE_HOURS,
    }
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "family/visit_change.html", ctx, status=status))


@require_POST
@public
def consent_withdraw(request: HttpRequest, token: str, consent_pk: int) -> HttpResponse:
    """The relative withdraws one of their own consents."""
    if not allowed(request, "page") or not allowed(request, "change"):
        return _too_many(request)
    now = timezone.now()
    opened = _open(request, token, now)
    if isinstance(opened, HttpResponse):
        return opened
    consent = Consent.objects.filter(pk=consent_pk, relative=opened.relative).first()
    if consent is None:
        raise Http404
    services.page_consent_withdraw(relative=opened.relative, consent=consent, now=now)
    messages.success(request, _("Samtykket er trukket tilbake."))
    # Without the visit-summary consent the page itself closes: the next opening says so.
    return _private(redirect("family:page", token=token))


# --- The leader's side ----------------------------------------------------------------


@require_POST
@require(Perm.MANAGE_RECIPIENTS)
def relative_link_revoke(request: AuthedRequest, pk: int, relative_pk: int) -> HttpResponse:
    """Revoke a relative's links and trusted devices (a lost phone, a forwarded SMS)."""
    recipient = get_recipient_for_user(request, pk)
    relative = get_relative_for_user(request, recipient, relative_pk)
    relative_links_revoke(relative=relative, by=request.user, now=timezone.now())
    messages.success(
        request,
        _("Lenken til siden til %(name)s er trukket tilbake. Neste SMS gir en ny lenke.")
        % {"name": relative.name},
    )
    return redirect("customers:card", pk=recipient.pk)


def get_request_for_user(request: AuthedRequest, pk: int) -> VisitRequest:
    """A relative's request in one of the member's departments (404 otherwise)."""
    rows = VisitRequest.objects.for_organization(request.organization.pk).filter(pk=pk)
    department_ids = request.scope.department_ids
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    found = rows.select_related("recipient", "relative", "visit").first()
    if found is None:
        raise Http404
    return found


@require(Perm.PLAN_VISITS)
def visit_request_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    """Answer a relative's request to cancel or move a visit (shown on their page)."""
    visit_request = get_request_for_user(request, pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_request_answer(
                request=visit_request, by=request.membership, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Svaret er lagret og vises på siden til den pårørende."))
            return redirect("customers:card", pk=visit_request.recipient_id)
    ctx = {
        "visit_request": visit_request,
        "form": form,
        "answered": visit_request.status == RequestStatus.ANSWERED,
    }
    return render(request, "family/leader/answer.html", ctx, status=400 if form.errors else 200)
