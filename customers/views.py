"""The leader's recipient register and the senior's own recipients."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.db.models.functions import Collate
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customers import hooks, services
from customers.access import (
    get_consent_for_user,
    get_recipient_for_user,
    get_relative_for_user,
    visible_recipients,
)
from customers.contacts import contact_person, contact_person_note
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
    CustomerKind,
    RecipientStatus,
    Relative,
)
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm, has_perm
from seniorene.audit import selectors as audit_selectors
from seniorene.audit.services import view_record
from seniorene.forms import add_errors, plain_text

# What the list shows no phone of: a phone number is parsed (phonenumbers) every time its
# row is built, and a page of fifty recipients built a hundred and fifty of them.
_LIST_UNSHOWN = ("phone", "contact_person__user__phone", "contact_person__user__password")


def _with_seniors(rows):
    return rows.prefetch_related(
        Prefetch(
            "assignment_set",
            queryset=Assignment.objects.select_related("senior__user").defer(
                "senior__user__phone", "senior__user__password"
            ),
            to_attr="assignments",
        )
    )


@require(Perm.VIEW_RECIPIENTS)
def recipient_list(request: AuthedRequest) -> HttpResponse:
    form = RecipientFilterForm(request.GET or None, membership=request.membership)
    rows = (
        visible_recipients(request)
        .select_related("department", "contact_person__user")
        .defer(*_LIST_UNSHOWN)
    )
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
def recipient_create(request: AuthedRequest) -> HttpResponse:
    return _recipient_form(request, recipient=None)


@require(Perm.MANAGE_RECIPIENTS)
def recipient_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _recipient_form(request, recipient=get_recipient_for_user(request, pk))


def _recipient_form(request: AuthedRequest, *, recipient: CareRecipient | None) -> HttpResponse:
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


def _looks_page(request: AuthedRequest, recipient: CareRecipient) -> Page[Any]:
    """Who has looked at the card: one line per person and Oslo day, 20 to a page."""
    rows = audit_selectors.looks(organization=request.organization, obj=recipient)
    page = Paginator(rows, 20).get_page(request.GET.get("innsyn_side"))
    page.object_list = [audit_selectors.look_line(row) for row in page.object_list]
    return page


@require(Perm.VIEW_RECIPIENTS)
def recipient_card(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="brukerkort"
    )
    # Read once: the sections of other apps (family's relative pages) read them again.
    prefetch_related_objects([recipient], "relatives")
    relatives = list(recipient.relatives.all())
    consents = list(recipient.consents.select_related("relative", "recorded_by", "withdrawn_by"))
    customer = services.current_customer(recipient)
    now = timezone.now()
    contact = contact_person(recipient)
    ctx: dict[str, Any] = {
        "recipient": recipient,
        # Who relatives contact (issue 21): the card's choice, or who stands in and why.
        "contact": contact,
        "contact_note": contact_person_note(recipient, contact),
        "customer": customer,
        "customer_offer": services.customer_offer(recipient, customer=customer),
        "relatives": relatives,
        "consents": consents,
        "active_consents": [c for c in consents if c.is_active_at(now)],
        "history": recipient.status_changes.select_related("changed_by"),
        "assignments": Assignment.objects.filter(recipient=recipient).select_related(
            "senior__user"
        ),
        "views": _looks_page(request, recipient),
        "status_form": StatusForm(),
        # In the order of the statuses (a set's order changed from one process to the next).
        "next_statuses": [
            s for s in RecipientStatus if s in services.TRANSITIONS.get(recipient.status, ())
        ],
        "purposes": ConsentPurpose,
    }
    steps = _intake_steps(request, recipient, ctx)
    for section in hooks.PAGE_SECTIONS:  # the intake (omsorg), the notebook (visits)
        part = dict(section(request, recipient, page="card"))
        steps.extend(part.pop("intake_steps", []))
        ctx.update(part)
    steps.sort(key=lambda step: step.position)
    ctx["intake_steps"] = steps
    ctx["next_step"] = next((step for step in steps if not step.done), None)
    return render(request, "customers/recipient_card.html", ctx)


def _intake_steps(
    request: AuthedRequest, recipient: CareRecipient, ctx: dict
) -> list[hooks.IntakeStep]:
    """The card's own steps of the intake checklist; omsorg and visits add theirs."""
    may = has_perm(request.membership, Perm.MANAGE_RECIPIENTS) and not recipient.anonymised_at
    relatives, customer = ctx["relatives"], ctx["customer"]
    consents = ctx["active_consents"]
    # A relative is the usual first call; when someone else pays (the recipient, a
    # municipality) the intake goes on without one.
    pays_self = customer is not None and customer.kind != CustomerKind.RELATIVE
    return [
        hooks.IntakeStep(
            10,
            _("Pårørende"),
            bool(relatives) or pays_self,
            ", ".join(r.name for r in relatives[:3])
            if relatives
            else _("Ingen registrert – ikke nødvendig, kunden er ikke pårørende")
            if pays_self
            else _("Ingen registrert"),
            reverse("customers:relative_create", args=[recipient.pk]) if may else "",
            _("Legg til pårørende"),
        ),
        hooks.IntakeStep(
            20,
            _("Kunde"),
            customer is not None,
            (
                customer.get_kind_display()
                + (f": {customer.display_name}" if customer.kind != "recipient" else "")
            )
            if customer
            else _("Ingen kunde registrert"),
            reverse("customers:customer", args=[recipient.pk]) if may else "",
            _("Registrer kunden"),
        ),
        hooks.IntakeStep(
            30,
            _("Samtykke"),
            bool(consents),
            ", ".join(sorted({str(c.get_purpose_display()) for c in consents}))
            if consents
            else _("Ingen gyldige samtykker"),
            reverse("customers:consent_create", args=[recipient.pk]) if may else "",
            _("Registrer samtykke"),
        ),
    ]


@require_POST
@require(Perm.MANAGE_RECIPIENTS)
def recipient_status(request: AuthedRequest, pk: int) -> HttpResponse:
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
def relative_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _relative_form(request, get_recipient_for_user(request, pk), None)


@require(Perm.MANAGE_RECIPIENTS)
def relative_edit(request: AuthedRequest, pk: int, relative_pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    return _relative_form(
        request, recipient, get_relative_for_user(request, recipient, relative_pk)
    )


def _relative_form(request: AuthedRequest, recipient: CareRecipient, relative) -> HttpResponse:
    form = RelativeForm(request.POST or None, instance=relative)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.relative_save(
                recipient=recipient,
                by=request.membership,
                data=form.cleaned_data,
                relative=relative,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Pårørende er lagret."))
            if saved.ordered_service:
                _say_who_pays(request, recipient, saved)
            return redirect("customers:card", recipient.pk)
    ctx = {"form": form, "recipient": recipient, "relative": relative}
    return render(request, "customers/relative_form.html", ctx)


def _say_who_pays(request: AuthedRequest, recipient: CareRecipient, relative: Relative) -> None:
    """Ticking "Bestilte tjenesten" does not make the relative the customer. With no
    customer yet, the card offers it (`customer_offer`); with one, say who it is."""
    customer = services.current_customer(recipient)
    if customer is None:
        messages.info(
            request,
            _("%(name)s bestilte tjenesten. Gjør %(name)s til kunde nedenfor.")
            % {"name": relative.name},
        )
    elif not (customer.kind == CustomerKind.RELATIVE and customer.relative_id == relative.pk):
        messages.info(
            request,
            _(
                "%(name)s bestilte tjenesten, men kunden er %(customer)s (%(kind)s). "
                "Endre kunde hvis det er feil."
            )
            % {
                "name": relative.name,
                "customer": customer.display_name,
                "kind": customer.get_kind_display().lower(),
            },
        )


@require_POST
@require(Perm.MANAGE_RECIPIENTS)
def relative_make_customer(request: AuthedRequest, pk: int, relative_pk: int) -> HttpResponse:
    """One click: the relative who ordered the service becomes the customer."""
    recipient = get_recipient_for_user(request, pk)
    relative = get_relative_for_user(request, recipient, relative_pk)
    try:
        services.customer_from_relative(
            recipient=recipient, by=request.membership, relative=relative
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s er nå kunde (pårørende).") % {"name": relative.name})
    return redirect("customers:card", recipient.pk)


@require(Perm.MANAGE_RECIPIENTS)
def customer_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    current = services.current_customer(recipient)
    initial: dict[str, Any] = {"kind": current.kind if current else "recipient"}
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
def consent_create(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    initial = {}
    if request.GET.get("person"):
        initial["person"] = request.GET["person"]
    form = ConsentForm(request.POST or None, recipient=recipient, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.consents_give(
                recipient=recipient,
                by=request.membership,
                relative=form.relative(),
                purposes=form.cleaned_data["purpose"],
                given_by=form.cleaned_data["given_by"],
                given_by_name=form.cleaned_data["given_by_name"],
                method=form.cleaned_data["method"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if len(added) > 1:
                done = _("%(count)s samtykker er registrert.") % {"count": len(added)}
            elif added:
                done = _("Samtykket er registrert.")
            else:
                done = _("Samtykkene var allerede registrert. Ingenting er endret.")
            messages.success(request, done)
            return redirect("customers:card", recipient.pk)
    ctx = {"form": form, "recipient": recipient}
    return render(request, "customers/consent_form.html", ctx)


@require_POST
@require(Perm.MANAGE_RECIPIENTS)
def consent_withdraw(request: AuthedRequest, pk: int, consent_pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    consent = get_consent_for_user(request, recipient, consent_pk)
    note = plain_text(request.POST.get("note", ""), 200)
    services.consent_withdraw(consent=consent, by=request.user, note=note)
    messages.success(request, _("Samtykket er trukket. Meldinger som venter, blir ikke sendt."))
    return redirect("customers:card", recipient.pk)


@require(Perm.MANAGE_RECIPIENTS)
def recipient_export_json(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="innsyn (JSON)"
    )
    data = services.recipient_export(recipient=recipient)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="innsyn-bruker-{recipient.pk}.json"'
    return response


@require(Perm.MANAGE_RECIPIENTS)
def recipient_export_page(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="innsyn"
    )
    data = services.recipient_export(recipient=recipient)
    ctx = {
        "recipient": recipient,
        "data": data,
        "exported_at": _readable_value(data["exported_at"]),
        "sections": _readable(data),
    }
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
    "sms": gettext_lazy("SMS"),
    "visit_plans": gettext_lazy("Besøksplaner"),
    "visits": gettext_lazy("Besøk"),
    "notebook": gettext_lazy("Besøksbok"),
    "job_openings": gettext_lazy("Ledige jobber"),
    "sms_replies": gettext_lazy("SMS-svar"),
    "evaluations": gettext_lazy("Evaluering"),
    "relative_page_links": gettext_lazy("Lenker til pårørendesiden"),
    "relative_page_devices": gettext_lazy("Godkjente telefoner for pårørendesiden"),
    "relative_page_codes": gettext_lazy("Engangskoder til pårørendesiden"),
    "visit_requests": gettext_lazy("Ønsker fra pårørende"),
    "concerns": gettext_lazy("Meldinger til leder (noe lederen bør vite)"),
}


FIELD_LABELS = {
    "raised": gettext_lazy("Meldt"),
    "category": gettext_lazy("Hva gjelder det"),
    "read": gettext_lazy("Lest"),
    "answered": gettext_lazy("Besvart"),
    "name": gettext_lazy("Navn"),
    "date_of_birth": gettext_lazy("Fødselsdato"),
    "address": gettext_lazy("Adresse"),
    "phone": gettext_lazy("Telefon"),
    "department": gettext_lazy("Avdeling"),
    "key_notes": gettext_lazy("Viktige merknader"),
    "status": gettext_lazy("Status"),
    "inquiry_source": gettext_lazy("Henvendelsen kom via"),
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
    "project_number": gettext_lazy("Prosjektnummer i Tripletex"),
    # The other apps' sections (customers.hooks.export_section).
    "outcome": gettext_lazy("Resultat"),
    "note": gettext_lazy("Merknad"),
    "criteria": gettext_lazy("Kriterier"),
    "minutes": gettext_lazy("Minutter"),
    "senior": gettext_lazy("Senior"),
    "relative_attends": gettext_lazy("Pårørende er med"),
    "caution_reason": gettext_lazy("Begrunnelse for Bli kjent-møtet"),
    "completed": gettext_lazy("Levert"),
    "queued": gettext_lazy("Lagt i kø"),
    "sent": gettext_lazy("Sendt"),
    "text": gettext_lazy("Tekst"),
    "plan": gettext_lazy("Plan"),
    "first_date": gettext_lazy("Første dato"),
    "last_date": gettext_lazy("Siste dato"),
    "ended": gettext_lazy("Avsluttet"),
    "notes": gettext_lazy("Merknad"),
    "cancelled_by": gettext_lazy("Avlyst av"),
    "cancel_reason": gettext_lazy("Begrunnelse"),
    "decline_reason": gettext_lazy("Hvorfor brukeren takket nei"),
    "decline_note": gettext_lazy("Takket nei: beskrivelse"),
    "recontact_on": gettext_lazy("Kontakt igjen"),
    "override_reason": gettext_lazy("Plan uten godkjent Bli kjent: begrunnelse"),
    "closed_reason": gettext_lazy("Lukket uten rapport fordi"),
    "visit_at": gettext_lazy("Besøk"),
    "happened": gettext_lazy("Gjennomført"),
    "went_well": gettext_lazy("Notatbok: hva gikk bra?"),
    "could_change": gettext_lazy("Notatbok: hva kan endres?"),
    "not_happened_reason": gettext_lazy("Hvorfor ble det ikke noe av?"),
    "on_behalf_reason": gettext_lazy("Ført av leder fordi"),
    "shared_with_relatives": gettext_lazy("Notatet kan deles med pårørende"),
    "logged_at": gettext_lazy("Registrert"),
    "where": gettext_lazy("Hvor"),
    "when": gettext_lazy("Når"),
    "service_areas": gettext_lazy("Tjenesteområder"),
    "description": gettext_lazy("Beskrivelse"),
    "published": gettext_lazy("Lagt ut"),
    "published_by": gettext_lazy("Lagt ut av"),
    "chosen": gettext_lazy("Valgt senior"),
    "chosen_at": gettext_lazy("Valgt"),
    "withdrawn_reason": gettext_lazy("Hvorfor trukket"),
    "answers": gettext_lazy("Svar"),
    "answer": gettext_lazy("Svar"),
    "answered_at": gettext_lazy("Svart"),
    "received": gettext_lazy("Mottatt"),
    "handled_at": gettext_lazy("Behandlet"),
    "handled_by": gettext_lazy("Behandlet av"),
    "handled_note": gettext_lazy("Merknad ved behandling"),
    "why": gettext_lazy("Hvorfor spurt"),
    "satisfaction": gettext_lazy("Hvor fornøyd (1–5)"),
    "helps": gettext_lazy("Hjelper besøkene?"),
    "comment": gettext_lazy("Kommentar"),
    # The relative's own page (family, customers.relative_access).
    "relative": gettext_lazy("Pårørende"),
    "issued": gettext_lazy("Sendt"),
    "expires": gettext_lazy("Gjelder til"),
    "revoked": gettext_lazy("Trukket tilbake"),
    "trusted": gettext_lazy("Godkjent"),
    "last_seen": gettext_lazy("Sist brukt"),
    "used": gettext_lazy("Brukt"),
    "attempts": gettext_lazy("Forsøk"),
    "wished_time": gettext_lazy("Ønsket tidspunkt"),
}

# The export carries moments and dates as ISO 8601 text (so the JSON is exact); the page
# shows them the way every other page does, in Oslo time.
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _readable_value(value: object) -> object:
    if isinstance(value, dict):  # a row inside a row (a job's answers): "Senior: …; Svar: …"
        return "; ".join(
            f"{FIELD_LABELS.get(k, k)}: {_readable_value(v)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return ", ".join(str(_readable_value(v)) for v in value)
    if isinstance(value, str) and ISO_MOMENT.fullmatch(value):
        moment = datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "j.n.Y H:i")
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return date_format(date.fromisoformat(value), "j.n.Y")
    return value


def _readable(data: dict) -> list[dict]:
    """The export as titled sections of label/value rows, for the printable page."""
    sections = []
    for key, content in data.items():
        if key in {"exported_at", "organization"}:
            continue
        groups = content if isinstance(content, list) else [content]
        rows = [
            [(FIELD_LABELS.get(label, label), _readable_value(v)) for label, v in g.items()]
            for g in groups
            if isinstance(g, dict)
        ]
        sections.append({"title": SECTION_TITLES.get(key, key), "groups": rows})
    return sections


@require(Perm.VIEW_OWN_RECIPIENTS)
def my_recipients(request: AuthedRequest) -> HttpResponse:
    rows = (
        visible_recipients(request)
        .exclude(status=RecipientStatus.ENDED)
        .order_by(Collate("name", NORWEGIAN))
    )
    ctx = {"recipients": rows}
    return render(request, "customers/my_recipients.html", ctx)


@require(Perm.VIEW_OWN_RECIPIENTS)
def my_recipient(request: AuthedRequest, pk: int) -> HttpResponse:
    recipient = get_recipient_for_user(request, pk)
    view_record(
        organization=request.organization, viewer=request.user, obj=recipient, what="besøkskort"
    )
    contacts = recipient.relatives.filter(contact_during_visits=True)
    ctx = {"recipient": recipient, "contacts": contacts}
    for section in hooks.PAGE_SECTIONS:  # the notebook (visits)
        ctx.update(section(request, recipient, page="senior"))
    return render(request, "customers/my_recipient.html", ctx)
