"""The feedback SMS after a visit ("Tilbakemelding" in the manual).

When a relative ordered the service, a short summary goes to that relative, always with the
department's contact person (the leader's name and phone). When the recipient is the
customer, a thank-you with the next visit goes to the recipient. The text starts from the
organization's template and the senior may edit it; consent is checked here and again when
the message is sent (R4), and one visit gives at most one message per person (R8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard, cast

from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.consent import may_send
from customers.models import CareRecipient, Customer, CustomerKind, Relative
from customers.services import current_customer
from messaging.models import SmsAudience, SmsMessage, SmsPurpose, SmsTemplate
from messaging.models import SmsTemplateKind as Kind
from messaging.services import sms_queue
from seniorene.accounts.models import Membership, Role
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
class Contact:
    name: str
    phone: Any  # PhoneNumber

    @property
    def line(self) -> str:
        return _("Kontaktperson: %(name)s, tlf. %(phone)s") % {
            "name": self.name,
            "phone": self.phone.as_national,
        }


@dataclass(frozen=True)
class Target:
    """Who the feedback SMS for a visit goes to, and whether it may go."""

    audience: str
    kind: str
    name: str
    phone: Any  # PhoneNumber or None
    recipient: CareRecipient
    relative: Relative | None
    contact: Contact | None
    refusal: str  # empty when it may be sent

    @property
    def may_send(self) -> bool:
        return not self.refusal

    def idempotency_key(self, visit: Visit) -> str:
        """One feedback SMS per visit and person (R8)."""
        person = self.relative.pk if self.relative else self.recipient.pk
        return f"feedback:{visit.pk}:{self.audience}:{person}"


def first_name(name: str) -> str:
    return (name or "").split(" ")[0]


def feedback_contact(recipient: CareRecipient) -> Contact | None:
    """The contact person for relatives: a leader of the recipient's department with a
    mobile number (by name), else the lead."""
    people = (
        Membership.objects.for_organization(recipient.organization_id)
        .filter(is_active=True)
        .exclude(user__phone="")
        .select_related("user")
        .order_by("user__name", "pk")
    )
    leader = people.filter(
        role=Role.LEADER, membershipdepartment__department_id=recipient.department_id
    ).first()
    chosen = leader or people.filter(role=Role.LEAD).first()
    return Contact(name=chosen.user.name, phone=chosen.user.phone) if chosen else None


def _offered(customer: Customer | None) -> TypeGuard[Customer]:
    return customer is not None and (
        (customer.kind == CustomerKind.RELATIVE and customer.relative_id is not None)
        or customer.kind == CustomerKind.RECIPIENT
    )


def feedback_offered(visit: Visit) -> bool:
    """Whether the visit's customer gets a feedback SMS at all (one query);
    `feedback_target` says to whom, and whether it may be sent now."""
    return _offered(current_customer(visit.recipient))


def feedback_target(visit: Visit) -> Target | None:
    """The person the feedback SMS goes to, or None when the customer is a municipality or
    nursing home (the manual has feedback by SMS only for relatives and recipients)."""
    recipient = visit.recipient
    customer = current_customer(recipient)
    if not _offered(customer):
        return None
    if customer.kind == CustomerKind.RELATIVE:
        relative = cast(Relative, customer.relative)  # `_offered` checked relative_id
        contact = feedback_contact(recipient)
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
                "Meldinger til pårørende skal ha en kontaktperson, men ingen leder har "
                "mobilnummer registrert. Si fra til lederen din."
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
        )
    if customer.kind == CustomerKind.RECIPIENT:
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
        )
    return None


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
    if target.audience == SmsAudience.RELATIVE and target.contact is not None:
        contact = target.contact.line
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
    return text


def feedback_counts(text: str) -> dict[str, Any]:
    encoding, parts = segments(text)
    return {"chars": len(text), "encoding": encoding, "parts": parts}


def feedback_message(visit: Visit) -> SmsMessage | None:
    """The feedback SMS already queued for `visit`, if any."""
    return (
        SmsMessage.objects.for_organization(visit.organization_id)
        .filter(visit_id=visit.pk, purpose=PURPOSE)
        .order_by("created_at", "pk")
        .first()
    )


def feedback_send(*, visit: Visit, by: Membership, body: str) -> tuple[SmsMessage, bool]:
    """Queue the feedback SMS for the senior's logged visit; (message, created).

    Nothing is queued without consent, a phone number or (for relatives) a contact person;
    a second press returns the first message.
    """
    if visit.senior_id != by.pk:
        raise ValidationError(_("Du kan bare sende tilbakemelding om dine egne besøk."))
    if visit.status != VisitStatus.LOGGED:
        raise ValidationError(_("Skriv besøksrapporten først, så kan du sende tilbakemelding."))
    target = feedback_target(visit)
    if target is None:
        raise ValidationError(_("Denne kunden får ikke tilbakemelding på SMS."))
    if not target.may_send:
        raise ValidationError(target.refusal, code="no_consent")
    if not normalise_body(body):
        raise ValidationError(_("Skriv en kort melding."), code="empty")
    return sms_queue(
        organization_id=visit.organization_id,
        to_phone=target.phone,
        body=feedback_full_text(body, feedback_prefill(visit, target)),
        purpose=PURPOSE,
        audience=target.audience,
        idempotency_key=target.idempotency_key(visit),
        recipient_id=visit.recipient_id,
        relative_id=target.relative.pk if target.relative else None,
        visit_id=visit.pk,
        created_by=by.user,
    )
