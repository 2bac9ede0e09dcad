"""Reads that shape pages: what the Bli kjent interview learned, for the visit (issue 18).

R3: these return interview content. Callers check `omsorg.access.can_read_briefing`
first and record the read in the view log (`omsorg.views.briefing_context`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import CareRecipient, PhoneLink, RecipientStatus, Relation, Relative
from omsorg.models import (
    Informed,
    IntakeInterview,
    InterviewStatus,
    LeaderNotice,
    Outcome,
    Preparer,
)
from seniorene.accounts.models import Membership

# Words around a phone number in a free-text answer ("Kari, tlf. 912 34 567").
_PHONE_LABEL = re.compile(r"\b(tlf|telefon|mobil|mob|tel)\b\.?:?", re.IGNORECASE)
_EDGE_JUNK = " ,;:-–—/."
# Relation words a senior writes next to the name, and the relation they mean.
_RELATION_WORDS: tuple[tuple[str, str], ...] = (
    (r"barnebarn", Relation.GRANDCHILD),
    (r"datter|sønn|sønnen|dattera|datteren|barn", Relation.CHILD),
    (r"kone|mann|ektefelle|ektemann|samboer|kona|mannen", Relation.SPOUSE),
    (r"bror|søster|søsken|broren|søsteren", Relation.SIBLING),
    (r"nabo|venn|venninne|naboen", Relation.FRIEND),
    (r"verge", Relation.GUARDIAN),
)


@dataclass(frozen=True)
class InterviewContact:
    """Question 4 as read from the form: a name, and a phone when one could be read."""

    name: str
    phone: str | None  # E.164
    relation: str


@dataclass(frozen=True)
class BriefingContact:
    """A relative the senior may call during the visit."""

    name: str
    relation: str
    phone: PhoneLink | None


@dataclass(frozen=True)
class VisitBriefing:
    """What the newest completed interview says the visiting senior must know."""

    interview: IntakeInterview
    met_on: date
    avoid: str  # q6: topics to avoid, or what affects the recipient badly
    falls: str  # q8: falls before, about when and how
    cognitive: str  # q7: what the senior should know for cognitive training
    likes: str  # q5: what the recipient likes to talk about
    informed: str  # q2 as a sentence ("" when not answered)
    prepared_by: str  # q3 as a sentence ("" when not answered)
    # q4: copied into the recipient's relatives on completion; the leader may edit them there.
    contacts: tuple[BriefingContact, ...]

    @property
    def has_warnings(self) -> bool:
        return bool(self.avoid or self.falls)


def _valid_phone(text: str) -> str | None:
    """`text` as an E.164 number when it is one valid number (Norwegian unless +prefixed)."""
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _relation_in(text: str) -> str:
    lowered = text.lower()
    for pattern, relation in _RELATION_WORDS:
        if re.search(rf"\b({pattern})\b", lowered):
            return relation
    return Relation.OTHER


def parse_interview_contact(name: str, phone: str) -> InterviewContact | None:
    """Question 4's name and phone fields as a contact, or None when both are empty.

    1. A phone field holding one valid number is the phone.
    2. Otherwise the first valid number anywhere in the two fields is, and its digits are
       taken out of the name ("Kari Nilsen 912 34 567" → "Kari Nilsen").
    3. No number: the name alone (the card then says the phone is missing).
    """
    name, phone = name.strip(), phone.strip()
    if not name and not phone:
        return None
    e164 = _valid_phone(phone) if phone else None
    if e164 is None:
        for match in phonenumbers.PhoneNumberMatcher(f"{name}\n{phone}", "NO"):
            if phonenumbers.is_valid_number(match.number):
                e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
                name = name.replace(match.raw_string, " ")
                break
    clean = _PHONE_LABEL.sub(" ", name)
    relation = _relation_in(name)
    # "Kari (datter)": the relation is kept as a relation, not as part of the name.
    words = "|".join(pattern for pattern, _relation in _RELATION_WORDS)
    clean = re.sub(rf"\(\s*({words})\s*\)", " ", clean, flags=re.IGNORECASE)
    clean = re.sub(r"\(\s*\)", "", clean)
    clean = re.sub(r"\s+", " ", clean).strip(_EDGE_JUNK).strip()
    if not clean:
        if e164 is None:
            return None  # neither a name nor a number to call
        clean = _("Pårørende fra Bli kjent-samtalen")
    return InterviewContact(name=clean[:150], phone=e164, relation=relation)


def newest_completed_interview(*, recipient: CareRecipient) -> IntakeInterview | None:
    """The recipient's newest completed Bli kjent interview, or None."""
    return (
        IntakeInterview.objects.filter(recipient=recipient, status=InterviewStatus.COMPLETED)
        .order_by("-completed_at", "-pk")
        .first()
    )


def _informed_sentence(value: str) -> str:
    sentences: dict[str, str] = {
        Informed.YES: _("Brukeren vet at det kommer besøk."),
        Informed.NO: _("Brukeren vet ikke at det kommer besøk fra Seniorene."),
        Informed.NOT_RELEVANT: _("Brukeren bestilte besøket selv."),
    }
    return sentences.get(value, "")


def _prepared_sentence(value: str) -> str:
    sentences: dict[str, str] = {
        Preparer.RELATIVE: _("Pårørende ringer brukeren og forbereder besøket."),
        Preparer.SENIOR: _("Senioren ringer brukeren før besøket."),
    }
    return sentences.get(value, "")


def visit_contacts(*, recipient: CareRecipient) -> tuple[BriefingContact, ...]:
    """The recipient's relatives marked "contact during visits" (question 4 lands there)."""
    rows = Relative.objects.filter(recipient=recipient, contact_during_visits=True).order_by(
        "name", "pk"
    )
    return tuple(
        BriefingContact(
            name=r.name,
            relation="" if r.relation == Relation.OTHER else r.get_relation_display(),
            phone=PhoneLink(r.phone.as_e164, r.phone.as_national) if r.phone else None,
        )
        for r in rows
    )


def visit_briefing(*, recipient: CareRecipient) -> VisitBriefing | None:
    """What the newest completed interview tells the visiting senior, or None without one.

    Questions: 2 informed, 3 who prepares, 4 the contact, 5 likes, 6 avoid, 7 cognitive
    training, 8 falls. (1 is name/age/address, on the page already; 9 is for planning.)
    """
    interview = newest_completed_interview(recipient=recipient)
    if interview is None:
        return None
    return VisitBriefing(
        interview=interview,
        met_on=timezone.localdate(interview.completed_at or interview.starts_at),
        avoid=interview.q6_avoid.strip(),
        falls=interview.q8_falls.strip(),
        cognitive=interview.q7_cognitive.strip(),
        likes=interview.q5_likes.strip(),
        informed=_informed_sentence(interview.q2_informed),
        prepared_by=_prepared_sentence(interview.q3_prepared_by),
        contacts=visit_contacts(recipient=recipient),
    )


# --- The leader's follow-up (Følg opp) -------------------------------------------------


def leader_notices_unseen(*, membership: Membership) -> list[LeaderNotice]:
    """The leader's 'Bli kjent completed' notices not yet marked seen, newest first."""
    return list(
        LeaderNotice.objects.for_organization(membership.organization_id)
        .filter(leader=membership, seen_at__isnull=True, interview__recipient__anonymised_at=None)
        .select_related("interview__recipient__department", "interview__senior__user")
        .order_by("-created_at", "-pk")
    )


def recontacts_due(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    today: date | None = None,
) -> list[IntakeInterview]:
    """Recipients who declined after Bli kjent and whose contact-again date has come, until
    a leader marks it done; `department_ids` None means every department."""
    today = today or timezone.localdate()
    rows = (
        IntakeInterview.objects.for_organization(organization_id)
        .filter(
            status=InterviewStatus.COMPLETED,
            outcome=Outcome.DECLINED,
            recontact_on__lte=today,
            recontact_done_at__isnull=True,
            recipient__anonymised_at=None,
        )
        .exclude(recipient__status=RecipientStatus.ENDED)
        .select_related("recipient__department")
        .order_by("recontact_on", "pk")
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return list(rows)
