"""The leader's recipient register and the senior's own recipients."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.db.models.functions import Collate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customers import services
from customers.access import (
    get_consent_for_user,
    get_recipient_for_user,
    get_relative_for_user,
    visible_recipients,
)
from customers.forms import (
    ConsentForm,
    CustomerForm,
    RecipientFilterForm,
    RecipientForm,
    RelativeForm,
    StatusForm,
)
from customers.models import (
    NORWEGIAN,
    Assignment,
    CareRecipient,
    ConsentPurpose,
    RecipientStatus,
)
from seniorene.accounts.decorators import require
from seniorene.accounts.policy import Perm
from seniorene.audit.services import view_record, views_of
from seniorene.forms import add_errors, plain_text


def notebook_entries(recipient: CareRecipient, limit: int = 50):
    """The digital notebook: logged visits with their notes, newest first."""
    from visits.models import VisitLog

    return (
        VisitLog.objects.filter(recipient=recipient, happened=True)
        .select_related("visit", "logged_by")
        .only(
            "visit__starts_at",
            "logged_by__name",
            "went_well",
            "could_change",
            "share_with_relatives",
        )
        .order_by("-visit__starts_at")[:limit]
    )


def _with_seniors(rows):
    return rows.prefetch_related(
        Prefetch(
            "assignment_set",
            queryset=Assignment.objects.select_related("senior__user"),
            to_attr="assignments",
        )
    )


@require(Perm.VIEW_RECIPIENTS)
def recipient_list(request: HttpRequest) -> HttpResponse:
    form = RecipientFilterForm(request.GET or None, membership=request.membership)
    rows = visible_recipients(request).select_related("department", "contact_person__user")
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            rows = rows.filter(
                Q(name__icontains=data["q"]) | Q(phone__contains=data["q"].replace(" ", ""))
            )
        if data["department"]:
            rows = rows.filter(department=data["department"])
        if data["senior"]:
            rows = rows.filter(assignment__senior=data["senior"])
        status = data["status"]
    if status == "":
        rows = rows.exclude(status=RecipientStatus.ENDED)
    elif status != "all":
        rows = rows.filter(status=status)
    rows = _with_seniors(rows.order_by(Collate("name", NORWEGIAN), "date_of_birth", "pk"))
    page = Paginator(rows, 50).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    ctx = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "customers/recipient_list.html", ctx)


@require(Perm.MANAGE_RECIPIENTS)
def recipient_create(request: HttpRequest) -> HttpResponse:
    return _recipient_form(request, recipient=None)


@require(Perm.MANAGE_RECIPIENTS)
def recipient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _recipient_form(request, recipient=get_recipient_for_user(request, pk))


def _recipient_form(request: HttpRequest, *, recipient: CareRecipient | None) -> HttpResponse:
    """Create or edit; the same name and birth date warns until the leader confirms."""
    form = RecipientForm(request.POST or None, instance=recipient, membership=request.membership)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = services.recipient_duplicates(
            organization=request.organization,
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            exclude_id=recipient.pk if recipient else None,
        )
        if not duplicates or request.POST.get("confirm_duplicate") == "1":
            try:
                if recipient is None:
                    saved = services.recipient_create(
                        by=request.membership, data=data, seniors=list(data["seniors"])
                    )
                    done = _("%(name)s er registrert.") % {"name": saved.name}
                else:
                    # The form wrote its values onto the instance: change a fresh copy.
                    saved = services.recipient_update(
                        recipient=CareRecipient.objects.get(pk=recipient.pk),
                        by=request.membership,
                        data=data,
                        seniors=list(data["seniors"]),
                    )
                    done = _("Endringene er lagret.")
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("customers:card", saved.pk)
    ctx = {"form": form, "recipient": recipient, "duplicates": duplicates}
    return render(request, "customers/recipient_form.html", ctx)


@require(Perm.VIEW_RECIPIENTS)
def recipient_card(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="brukerkort"
    )
    relatives = list(recipient.relatives.all())
    consents = list(recipient.consents.select_related("relative", "recorded_by", "withdrawn_by"))
    now = timezone.now()
    ctx = {
        "recipient": recipient,
        "customer": services.current_customer(recipient),
        "relatives": relatives,
        "consents": consents,
        "active_consents": [c for c in consents if c.is_active_at(now)],
        "history": recipient.status_changes.select_related("changed_by"),
        "assignments": Assignment.objects.filter(recipient=recipient).select_related(
            "senior__user"
        ),
        "views": views_of(organization=request.organization, obj=recipient)[:20],
        "status_form": StatusForm(),
        "next_statuses": [
            RecipientStatus(s) for s in services.TRANSITIONS.get(recipient.status, ())
        ],
        "purposes": ConsentPurpose,
    }
    from omsorg.views import card_context

    ctx.update(card_context(request, recipient))
    ctx["notebook"] = notebook_entries(recipient)
    return render(request, "customers/recipient_card.html", ctx)


@require_POST
@require(Perm.MANAGE_RECIPIENTS)
def recipient_status(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.recipient_change_status(
                recipient=recipient,
                by=request.membership,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Statusen er endret."))
    else:
        messages.error(request, _("Velg en gyldig status."))
    return redirect("customers:card", recipient.pk)


@require(Perm.MANAGE_RECIPIENTS)
def relative_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _relative_form(request, get_recipient_for_user(request, pk), None)


@require(Perm.MANAGE_RECIPIENTS)
def relative_edit(request: HttpRequest, pk: int, relative_pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    return _relative_form(
        request, recipient, get_relative_for_user(request, recipient, relative_pk)
    )


def _relative_form(request: HttpRequest, recipient: CareRecipient, relative) -> HttpResponse:
    form = RelativeForm(request.POST or None, instance=relative)
    if request.method == "POST" and form.is_valid():
        try:
            services.relative_save(
                recipient=recipient,
                by=request.membership,
                data=form.cleaned_data,
                relative=relative,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Pårørende er lagret."))
            return redirect("customers:card", recipient.pk)
    ctx = {"form": form, "recipient": recipient, "relative": relative}
    return render(request, "customers/relative_form.html", ctx)


@require(Perm.MANAGE_RECIPIENTS)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    current = services.current_customer(recipient)
    initial = {"kind": current.kind if current else "recipient"}
    if current:
        initial.update(
            relative=current.relative_id,
            name=current.name,
            org_number=current.org_number,
            invoice_reference=current.invoice_reference,
            project_number=current.project_number,
            contact_name=current.contact_name,
            contact_phone=current.contact_phone,
            contact_email=current.contact_email,
        )
    form = CustomerForm(request.POST or None, recipient=recipient, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_set(
                recipient=recipient,
                by=request.membership,
                kind=form.cleaned_data["kind"],
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Kunden er lagret."))
            return redirect("customers:card", recipient.pk)
    ctx = {"form": form, "recipient": recipient}
    return render(request, "customers/customer_form.html", ctx)


@require(Perm.MANAGE_RECIPIENTS)
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    initial = {}
    if request.GET.get("person"):
        initial["person"] = request.GET["person"]
    form = ConsentForm(request.POST or None, recipient=recipient, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_give(
                recipient=recipient,
                by=request.membership,
                relative=form.relative(),
                purpose=form.cleaned_data["purpose"],
                given_by=form.cleaned_data["given_by"],
                given_by_name=form.cleaned_data["given_by_name"],
                method=form.cleaned_data["method"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Samtykket er registrert."))
            return redirect("customers:card", recipient.pk)
    ctx = {"form": form, "recipient": recipient}
    return render(request, "customers/consent_form.html", ctx)


@require_POST
@require(Perm.MANAGE_RECIPIENTS)
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    consent = get_consent_for_user(request, recipient, consent_pk)
    note = plain_text(request.POST.get("note", ""), 200)
    services.consent_withdraw(consent=consent, by=request.user, note=note)
    messages.success(request, _("Samtykket er trukket. Meldinger som venter, blir ikke sendt."))
    return redirect("customers:card", recipient.pk)


@require(Perm.MANAGE_RECIPIENTS)
def recipient_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="innsyn (JSON)"
    )
    data = services.recipient_export(recipient=recipient)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="innsyn-bruker-{recipient.pk}.json"'
    return response


@require(Perm.MANAGE_RECIPIENTS)
def recipient_export_page(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="innsyn"
    )
    data = services.recipient_export(recipient=recipient)
    ctx = {"recipient": recipient, "data": data, "sections": _readable(data)}
    return render(request, "customers/recipient_export.html", ctx)


# Module level: gettext_lazy, so the labels follow the language of the request.
SECTION_TITLES = {
    "recipient": gettext_lazy("Bruker"),
    "status_history": gettext_lazy("Statushistorikk"),
    "customers": gettext_lazy("Kunder"),
    "relatives": gettext_lazy("Pårørende"),
    "consents": gettext_lazy("Samtykker"),
    "views": gettext_lazy("Hvem har sett opplysningene"),
    "screenings": gettext_lazy("Kartlegging"),
    "interviews": gettext_lazy("Bli kjent-møter"),
}


FIELD_LABELS = {
    "name": gettext_lazy("Navn"),
    "date_of_birth": gettext_lazy("Fødselsdato"),
    "address": gettext_lazy("Adresse"),
    "phone": gettext_lazy("Telefon"),
    "department": gettext_lazy("Avdeling"),
    "key_notes": gettext_lazy("Viktige merknader"),
    "status": gettext_lazy("Status"),
    "contact_person": gettext_lazy("Kontaktperson"),
    "registered": gettext_lazy("Registrert"),
    "seniors": gettext_lazy("Seniorer"),
    "at": gettext_lazy("Tidspunkt"),
    "from": gettext_lazy("Fra"),
    "to": gettext_lazy("Til"),
    "reason": gettext_lazy("Begrunnelse"),
    "by": gettext_lazy("Av"),
    "kind": gettext_lazy("Type"),
    "org_number": gettext_lazy("Organisasjonsnummer"),
    "invoice_reference": gettext_lazy("Fakturareferanse"),
    "contact": gettext_lazy("Kontakt"),
    "current": gettext_lazy("Gjeldende"),
    "relation": gettext_lazy("Relasjon"),
    "email": gettext_lazy("E-post"),
    "contact_during_visits": gettext_lazy("Kontakt under besøk"),
    "ordered_service": gettext_lazy("Bestilte tjenesten"),
    "person": gettext_lazy("Mottaker"),
    "purpose": gettext_lazy("Formål"),
    "given_by": gettext_lazy("Gitt av"),
    "given_by_name": gettext_lazy("Verge/fullmektig"),
    "method": gettext_lazy("Hvordan"),
    "given_at": gettext_lazy("Gitt"),
    "recorded_by": gettext_lazy("Registrert av"),
    "withdrawn_at": gettext_lazy("Trukket"),
    "who": gettext_lazy("Hvem"),
    "what": gettext_lazy("Hva"),
}


def _readable(data: dict) -> list[dict]:
    """The export as titled sections of label/value rows, for the printable page."""
    sections = []
    for key, content in data.items():
        if key in {"exported_at", "organization"}:
            continue
        groups = content if isinstance(content, list) else [content]
        rows = [
            [
                (label, ", ".join(map(str, v)) if isinstance(v, list) else v)
                for label, v in g.items()
            ]
            for g in groups
            if isinstance(g, dict)
        ]
        sections.append({"title": SECTION_TITLES.get(key, key), "groups": rows})
    return sections


@require(Perm.VIEW_OWN_RECIPIENTS)
def my_recipients(request: HttpRequest) -> HttpResponse:
    rows = (
        visible_recipients(request)
        .exclude(status=RecipientStatus.ENDED)
        .order_by(Collate("name", NORWEGIAN))
    )
    ctx = {"recipients": rows}
    return render(request, "customers/my_recipients.html", ctx)


@require(Perm.VIEW_OWN_RECIPIENTS)
def my_recipient(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="besøkskort"
    )
    contacts = recipient.relatives.filter(contact_during_visits=True)
    ctx = {
        "recipient": recipient,
        "contacts": contacts,
        "notebook": notebook_entries(recipient, limit=10),
    }
    return render(request, "customers/my_recipient.html", ctx)
