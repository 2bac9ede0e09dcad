"""The feedback SMS after a visit ("Tilbakemelding" in the manual).

When a relative ordered the service, a short summary goes to that relative; when the
recipient is the customer, a thank-you with the next visit goes to the recipient. Either
way, every other relative with their own visit-summary consent gets the summary too (issue
21). Every message to a relative names the recipient's contact person
(`customers.contacts.contact_person`: the card's, else the department leader) and links to
the relative's own page when they have one. The text starts from the
organization's template and the senior may edit it; consent is checked here and again when
the message is sent (R4), and one visit gives at most one message per person (R8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeGuard, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.consent import may_send
from customers.contacts import contact_line, contact_person
from customers.models import CareRecipient, Customer, CustomerKind, Relative
from customers.relative_access import relative_page_url
from customers.services import current_customer
from messaging.models import SmsAudience, SmsMessage, SmsPurpose, SmsTemplate
from messaging.models import SmsTemplateKind as Kind
from messaging.services import sms_queue
from seniorene.accounts.models import Membership
from seniorene.audit.services import audit_record
from seniorene.sms.text import normalise_body, segments
from visits.models import Visit, VisitStatus

# The built-in wording until an organization writes its own. Placeholders in braces.
# The greeting ("Hei …!") and the signature ("Hilsen …") stay fixed around the text the
# senior edits; the sentence with {neste_besøk} is left out when no next visit is planned.
DEFAULT_TEMPLATES: dict[str, str] = {
    Kind.FEEDBACK_RELATIVE: (
        "Hei {pårørende}! I dag var {senior} på besøk hos {bruker}. {notat}"
        "Neste besøk er {neste_besøk}. Hilsen {senior}, {organisasjon}"
    ),
    Kind.FEEDBACK_THANKS: (
        "Hei {bruker}! Takk for besøket i dag. Neste besøk er {neste_besøk}. "
        "Hilsen {senior}, {organisasjon}"
    ),
}
PLACEHOLDERS = {
    "bruker": gettext_lazy("brukerens fornavn"),
    "pårørende": gettext_lazy("pårørendes fornavn"),
    "senior": gettext_lazy("seniorens fornavn"),
    "neste_besøk": gettext_lazy(
        "neste besøk, f.eks. «torsdag 27. november kl. 11.00»; setningen tas bort når "
        "neste besøk ikke er avtalt"
    ),
    "notat": gettext_lazy("hva som gikk bra, når notatet kan deles med pårørende"),
    "organisasjon": gettext_lazy("organisasjonens navn"),
}
# The opening and closing the senior does not edit: "Hei Ingrid!" / "Kjære Olav," and
# "Hilsen Ragnhild, Seniorene AS" / "Vennlig hilsen …" / "Mvh …".
_GREETING = re.compile(r"^\s*((?:hei|hallo|kjære|god dag)\b[^!.,?\n]*[!.,])\s*", re.IGNORECASE)
_SIGNATURE = re.compile(r"(?:^|(?<=\s))((?:vennlig hilsen|hilsen|mvh)\b)", re.IGNORECASE)
_NEXT_VISIT_SENTENCE = re.compile(r"[^.!?{}]*\{neste_besøk\}[^.!?{}]*[.!?]?")
PURPOSE = SmsPurpose.VISIT_SUMMARY_SMS


@dataclass(frozen=True)
class Target:
    """One person the feedback SMS for a visit is for, and whether it may go to them."""

    audience: str
    kind: str
    name: str
    phone: Any  # PhoneNumber or ""
    recipient: CareRecipient
    relative: Relative | None
    contact: Membership | None  # the recipient's contact person (relatives only)
    refusal: str  # empty when it may be sent
    customer: bool = False  # the customer (first in the list), not another relative

    @property
    def may_send(self) -> bool:
        return not self.refusal

    def idempotency_key(self, visit: Visit) -> str:
        """One feedback SMS per visit and person (R8)."""
        person = self.relative.pk if self.relative else self.recipient.pk
        return f"feedback:{visit.pk}:{self.audience}:{person}"


@dataclass(frozen=True)
class Feedback:
    """Everyone the feedback SMS for a visit is for: the customer first, then every other
    relative of the recipient (by name), each with their own consent (issue 21)."""

    targets: list[Target]

    @property
    def primary(self) -> Target:
        return self.targets[0]

    @property
    def sending(self) -> list[Target]:
        return [t for t in self.targets if t.may_send]

    @property
    def may_send(self) -> bool:
        return bool(self.sending)

    @property
    def refusal(self) -> str:
        """Why nothing can be sent (the customer's reason first)."""
        return "" if self.may_send else self.primary.refusal

    @property
    def body_target(self) -> Target:
        """Whose message the senior's text box writes: the customer's when it may go,
        else the first relative it may go to."""
        if self.primary.may_send:
            return self.primary
        return self.sending[0] if self.sending else self.primary

    @property
    def relatives_target(self) -> Target | None:
        """The first relative of a second text box: when the recipient is the customer
        (and gets the thanks), relatives who consented get the summary, which differs."""
        if self.body_target.audience != SmsAudience.RECIPIENT:
            return None
        return next((t for t in self.sending if t.audience == SmsAudience.RELATIVE), None)


def first_name(name: str) -> str:
    return (name or "").split(" ")[0]


def _offered(customer: Customer | None) -> TypeGuard[Customer]:
    return customer is not None and (
        (customer.kind == CustomerKind.RELATIVE and customer.relative_id is not None)
        or customer.kind == CustomerKind.RECIPIENT
    )


def feedback_offered(visit: Visit) -> bool:
    """Whether the visit's customer gets a feedback SMS at all (one query);
    `feedback_plan` says to whom, and whether it may be sent now."""
    return _offered(current_customer(visit.recipient))


def _relative_target(
    relative: Relative, recipient: CareRecipient, contact: Membership | None, *, customer: bool
) -> Target:
    refusal = ""
    if not relative.phone:
        refusal = _("%(name)s har ikke mobilnummer registrert.") % {"name": relative.name}
    elif not may_send(recipient_id=recipient.pk, relative_id=relative.pk, purpose=PURPOSE):
        refusal = _(
            "%(name)s har ikke samtykket til oppsummering på SMS. Lederen kan registrere "
            "samtykket hvis %(name)s ønsker det."
        ) % {"name": relative.name}
    elif contact is None:
        refusal = _(
            "Meldinger til pårørende skal ha en kontaktperson, men ingen leder er aktiv. "
            "Si fra til lederen din."
        )
    return Target(
        audience=SmsAudience.RELATIVE,
        kind=Kind.FEEDBACK_RELATIVE,
        name=relative.name,
        phone=relative.phone,
        recipient=recipient,
        relative=relative,
        contact=contact,
        refusal=refusal,
        customer=customer,
    )


def _recipient_target(recipient: CareRecipient) -> Target:
    refusal = ""
    if not recipient.phone:
        refusal = _("%(name)s har ikke mobilnummer registrert.") % {"name": recipient.name}
    elif not may_send(recipient_id=recipient.pk, relative_id=None, purpose=PURPOSE):
        refusal = _(
            "%(name)s har ikke samtykket til SMS etter besøk. Lederen kan registrere "
            "samtykket hvis %(name)s ønsker det."
        ) % {"name": recipient.name}
    return Target(
        audience=SmsAudience.RECIPIENT,
        kind=Kind.FEEDBACK_THANKS,
        name=recipient.name,
        phone=recipient.phone,
        recipient=recipient,
        relative=None,
        contact=None,
        refusal=refusal,
        customer=True,
    )


def _one_per_phone(targets: list[Target]) -> list[Target]:
    """A number shared by two people gets one message (the first one's): the later ones
    are listed as not getting it, with why."""
    seen: dict[str, str] = {}
    out: list[Target] = []
    for target in targets:
        phone = str(target.phone) if target.phone else ""
        if target.may_send and phone in seen:
            target = replace(
                target,
                refusal=_("Har samme mobilnummer som %(name)s, som får meldingen.")
                % {"name": seen[phone]},
            )
        elif target.may_send:
            seen[phone] = target.name
        out.append(target)
    return out


def feedback_plan(visit: Visit) -> Feedback | None:
    """Everyone the feedback SMS goes to, or None when the customer is a municipality or
    nursing home (the manual has feedback by SMS only for relatives and recipients).

    The customer first (the relative who ordered, or the recipient who gets the thanks),
    then every other relative of the recipient: those with an active visit-summary consent
    and a mobile number get the relatives' summary, the others are listed with why not.
    """
    recipient = visit.recipient
    customer = current_customer(recipient)
    if not _offered(customer):
        return None
    contact = contact_person(recipient)
    relatives = list(
        Relative.objects.for_organization(recipient.organization_id)
        .filter(recipient=recipient)
        .order_by("name", "pk")
    )
    if customer.kind == CustomerKind.RELATIVE:
        ordering = cast(Relative, customer.relative)  # `_offered` checked relative_id
        first = _relative_target(ordering, recipient, contact, customer=True)
        others = [r for r in relatives if r.pk != ordering.pk]
    else:
        first = _recipient_target(recipient)
        others = relatives
    targets = [first] + [_relative_target(r, recipient, contact, customer=False) for r in others]
    return Feedback(targets=_one_per_phone(targets))


def feedback_target(visit: Visit) -> Target | None:
    """The customer's part of `feedback_plan` (the person the text box is written to)."""
    plan = feedback_plan(visit)
    return plan.primary if plan is not None else None


def template_body(organization_id: int, kind: str) -> str:
    """The organization's wording of `kind`, or the built-in one."""
    own = SmsTemplate.objects.for_organization(organization_id).filter(kind=kind).first()
    return own.body if own else DEFAULT_TEMPLATES[kind]


def templates_current(organization_id: int) -> dict[str, str]:
    """Each feedback message's wording as the organization uses it now."""
    own = dict(SmsTemplate.objects.for_organization(organization_id).values_list("kind", "body"))
    return {kind: own.get(kind, DEFAULT_TEMPLATES[kind]) for kind in Kind.values}


def templates_save(*, organization, by, bodies: dict[str, str]) -> None:
    """Store the organization's wording; a text equal to the built-in one is not stored,
    so later improvements to the built-in text reach it."""
    for kind, body in bodies.items():
        body = normalise_body(body)
        rows = SmsTemplate.objects.for_organization(organization)
        if body == DEFAULT_TEMPLATES[kind]:
            rows.filter(kind=kind).delete()
            continue
        rows.update_or_create(
            organization=organization,
            kind=kind,
            defaults={"body": body, "updated_by": by, "updated_at": timezone.now()},
        )
    audit_record(organization=organization, actor=by, action="sms.templates_changed", details={})


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with {placeholders} filled; unknown or broken braces are left as written."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


@dataclass(frozen=True)
class FeedbackText:
    """The feedback SMS in three parts: the fixed greeting, the text the senior edits, and
    the fixed signature. `contact` (relatives only) is the contact person's line."""

    greeting: str
    body: str
    signature: str
    contact: str = ""
    link: str = ""  # "Se besøkene: <url>", the relative's own page (added when sent)


def _next_visit_start(visit: Visit) -> datetime | None:
    from visits.selectors import visit_next_for_recipient

    following = visit_next_for_recipient(
        recipient=visit.recipient, after=max(visit.starts_at, timezone.now())
    )
    return following.starts_at if following is not None else None


def next_visit_phrase(visit: Visit) -> str:
    """ "torsdag 27. november kl. 11.00", always in Bokmål (the SMS is Norwegian); empty
    when no next visit is planned."""
    starts_at = _next_visit_start(visit)
    if starts_at is None:
        return ""
    with translation.override("nb"):
        when = timezone.localtime(starts_at)
        day = formats.date_format(when, "l j. F")
        return _("%(day)s kl. %(time)s") % {"day": day, "time": when.strftime("%H.%M")}


def split_text(text: str) -> tuple[str, str, str]:
    """(greeting, middle, signature) of a filled-in message; a part not there is empty."""
    text = normalise_body(text)
    greeting = ""
    match = _GREETING.match(text)
    if match:
        greeting, text = match.group(1), text[match.end() :]
    signature = ""
    starts = [m.start(1) for m in _SIGNATURE.finditer(text)]
    if starts:
        signature, text = text[starts[-1] :].strip(), text[: starts[-1]]
    return greeting.strip(), text.strip(), signature


def feedback_prefill(visit: Visit, target: Target) -> FeedbackText:
    """The suggested message from the organization's template: the greeting and signature
    fixed, the middle for the senior to edit (with the next visit when one is planned)."""
    log = getattr(visit, "log", None)
    note = ""
    if log is not None and log.share_with_relatives and log.went_well:
        note = log.went_well.strip().rstrip(".") + ". "
    template = template_body(visit.organization_id, target.kind)
    next_visit = next_visit_phrase(visit)
    if not next_visit:
        template = _NEXT_VISIT_SENTENCE.sub("", template)
    values = {
        "bruker": first_name(visit.recipient.name),
        "pårørende": first_name(target.relative.name) if target.relative else "",
        "senior": first_name(visit.senior.user.name),
        "notat": note,
        "organisasjon": visit.recipient.organization.name,
        "neste_besøk": next_visit,
    }
    text = re.sub(r" {2,}", " ", fill(template, values))
    greeting, body, signature = split_text(text)
    contact = ""
    if target.audience == SmsAudience.RELATIVE:
        with translation.override("nb"):
            contact = contact_line(target.contact)
    return FeedbackText(greeting=greeting, body=body, signature=signature, contact=contact)


def feedback_full_text(body: str, frame: FeedbackText) -> str:
    """What is sent: the greeting, the senior's text, the signature, and for relatives the
    contact person last. A greeting or signature the senior typed again is not doubled."""
    text = normalise_body(body)
    if frame.greeting and text.startswith(frame.greeting):
        text = text[len(frame.greeting) :].strip()
    if frame.signature and text.endswith(frame.signature):
        text = text[: -len(frame.signature)].strip()
    text = " ".join(part for part in (frame.greeting, text, frame.signature) if part)
    if frame.contact:
        text = f"{text}\n{frame.contact}"
    if frame.link:
        text = f"{text}\n{frame.link}"
    return text


def page_link(relative: Relative | None, now: datetime) -> str:
    """ "Se besøkene: <url>" when the relative has a page of their own (issuing the link
    renews it for 30 days), else ""."""
    if relative is None:
        return ""
    url = relative_page_url(relative=relative, now=now)
    if not url:
        return ""
    with translation.override("nb"):
        return _("Se besøkene: %(url)s") % {"url": url}


def feedback_counts(text: str) -> dict[str, Any]:
    encoding, parts = segments(text)
    return {"chars": len(text), "encoding": encoding, "parts": parts}


def feedback_message(visit: Visit) -> SmsMessage | None:
    """The first feedback SMS already queued for `visit`, if any (all go at once)."""
    return (
        SmsMessage.objects.for_organization(visit.organization_id)
        .filter(visit_id=visit.pk, purpose=PURPOSE)
        .order_by("created_at", "pk")
        .first()
    )


def feedback_send(
    *, visit: Visit, by: Membership, body: str, relatives_body: str = ""
) -> tuple[SmsMessage, bool]:
    """Queue the feedback SMS for the senior's logged visit to everyone in `feedback_plan`
    who may get it; (the customer's or first message, whether any was new).

    `body` is the text box's message (the customer's); `relatives_body` the relatives'
    summary when the recipient is the customer (the suggested text when left empty).
    Nothing is queued to a person without consent or a phone number; each person gets
    one message per visit however often this is called (R8).
    """
    if visit.senior_id != by.pk:
        raise ValidationError(_("Du kan bare sende tilbakemelding om dine egne besøk."))
    if visit.status != VisitStatus.LOGGED:
        raise ValidationError(_("Skriv besøksrapporten først, så kan du sende tilbakemelding."))
    plan = feedback_plan(visit)
    if plan is None:
        raise ValidationError(_("Denne kunden får ikke tilbakemelding på SMS."))
    if not plan.may_send:
        raise ValidationError(plan.refusal, code="no_consent")
    if not normalise_body(body):
        raise ValidationError(_("Skriv en kort melding."), code="empty")
    relatives = plan.relatives_target
    if relatives is not None and not normalise_body(relatives_body):
        relatives_body = feedback_prefill(visit, relatives).body
    now = timezone.now()
    results: list[tuple[SmsMessage, bool]] = []
    with transaction.atomic():
        for target in plan.sending:
            text = body if target.kind == plan.body_target.kind else relatives_body
            frame = replace(feedback_prefill(visit, target), link=page_link(target.relative, now))
            results.append(
                sms_queue(
                    organization_id=visit.organization_id,
                    to_phone=target.phone,
                    body=feedback_full_text(text, frame),
                    purpose=PURPOSE,
                    audience=target.audience,
                    idempotency_key=target.idempotency_key(visit),
                    recipient_id=visit.recipient_id,
                    relative_id=target.relative.pk if target.relative else None,
                    visit_id=visit.pk,
                    created_by=by.user,
                )
            )
    return results[0][0], any(created for _message, created in results)
