"""Admin's and the lead's register of partners (samarbeidspartnere) and the meetings held."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Collate
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from customers import services
from customers.access import visible_recipients
from customers.forms import PartnerForm, PartnerMeetingForm
from customers.models import NORWEGIAN, Partner
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm, has_perm
from seniorene.forms import add_errors


def _partners(request: AuthedRequest) -> QuerySet[Partner]:
    return Partner.objects.for_organization(request.organization)


def _get_partner(request: AuthedRequest, pk: int) -> Partner:
    partner = _partners(request).select_related("follow_up__user").filter(pk=pk).first()
    if partner is None:
        raise Http404
    return partner


@require(Perm.MANAGE_PARTNERS)
def partner_list(request: AuthedRequest) -> HttpResponse:
    rows = (
        _partners(request)
        .select_related("follow_up__user")
        .annotate(
            recipient_count=Count("recipients", distinct=True),
            last_meeting=Max("meetings__date"),
        )
        .order_by("-is_active", Collate("name", NORWEGIAN), "pk")
    )
    return render(request, "customers/partner_list.html", {"rows": rows})


@require(Perm.MANAGE_PARTNERS)
def partner_create(request: AuthedRequest) -> HttpResponse:
    return _partner_form(request, partner=None)


@require(Perm.MANAGE_PARTNERS)
def partner_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _partner_form(request, partner=_get_partner(request, pk))


def _partner_form(request: AuthedRequest, *, partner: Partner | None) -> HttpResponse:
    form = PartnerForm(request.POST or None, instance=partner, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.partner_save(
                by=request.membership,
                data=form.cleaned_data,
                # The form wrote its values onto the instance: change a fresh copy.
                partner=Partner.objects.get(pk=partner.pk) if partner else None,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s er lagret.") % {"name": saved.name})
            return redirect("customers:partner", saved.pk)
    return render(request, "customers/partner_form.html", {"form": form, "partner": partner})


@require(Perm.MANAGE_PARTNERS)
def partner_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    partner = _get_partner(request, pk)
    meetings = partner.meetings.prefetch_related("attendees__user")
    # The count is for everyone here; the names only for a role that may see those
    # recipients (the lead: all; admin never sees the recipient register).
    recipient_count = partner.recipients.count()
    recipients = None
    if has_perm(request.membership, Perm.VIEW_RECIPIENTS):
        recipients = (
            visible_recipients(request)
            .filter(inquiry_partner=partner)
            .select_related("department")
            .order_by("-created_at")
        )
    ctx = {
        "partner": partner,
        "meetings": meetings,
        "recipient_count": recipient_count,
        "recipients": recipients,
    }
    return render(request, "customers/partner_detail.html", ctx)


@require(Perm.MANAGE_PARTNERS)
def partner_meeting_add(request: AuthedRequest, pk: int) -> HttpResponse:
    partner = _get_partner(request, pk)
    form = PartnerMeetingForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_meeting_add(
                partner=partner,
                by=request.membership,
                held_on=data["held_on"],
                note=data["note"],
                attendees=list(data["attendees"]),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Møtet er lagret."))
            return redirect("customers:partner", partner.pk)
    ctx = {"partner": partner, "form": form}
    return render(request, "customers/partner_meeting_form.html", ctx)
