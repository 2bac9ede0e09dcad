"""Recipients, relatives, customers and consent: every change writes its audit row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import hooks
from customers.models import (
    Assignment,
    CareRecipient,
    Consent,
    ConsentGiver,
    Customer,
    CustomerKind,
    InquirySource,
    Partner,
    PartnerMeeting,
    PartnerMeetingAttendee,
    RecipientStatus,
    Relative,
    StatusChange,
)
from seniorene.accounts.models import Membership, Organization, Role, User
from seniorene.audit.models import ViewRecord
from seniorene.audit.services import audit_record, audit_relabel

ORGANIZATION_KINDS = (CustomerKind.MUNICIPALITY, CustomerKind.NURSING_HOME)
RECIPIENT_FIELDS = (
    "name",
    "date_of_birth",
    "address",
    "postal_code",
    "city",
    "phone",
    "department",
    "key_notes",
    "contact_person",
    "inquiry_source",
    "inquiry_partner",
    "inquiry_source_note",
)

# Which status may follow which. Ending is possible from anywhere; an ended
# recipient can be taken up again as a new inquiry. The intake moves itself along
# (omsorg: screening, booking, the Bli kjent outcome; visits: the first plan activates,
# see `recipient_activate_by_plan`); a leader may also move it by hand.
TRANSITIONS: dict[str, set[str]] = {
    RecipientStatus.INQUIRY: {RecipientStatus.SCREENING, RecipientStatus.ENDED},
    RecipientStatus.SCREENING: {
        RecipientStatus.INQUIRY,
        RecipientStatus.INTAKE_BOOKED,
        RecipientStatus.ENDED,
    },
    RecipientStatus.INTAKE_BOOKED: {
        RecipientStatus.SCREENING,
        RecipientStatus.READY,
        RecipientStatus.DECLINED,
        RecipientStatus.ACTIVE,
        RecipientStatus.ENDED,
    },
    RecipientStatus.READY: {
        RecipientStatus.SCREENING,
        RecipientStatus.DECLINED,
        RecipientStatus.ACTIVE,
        RecipientStatus.ENDED,
    },
    RecipientStatus.DECLINED: {
        RecipientStatus.INQUIRY,
        RecipientStatus.SCREENING,
        RecipientStatus.ENDED,
    },
    RecipientStatus.ACTIVE: {RecipientStatus.PAUSED, RecipientStatus.ENDED},
    RecipientStatus.PAUSED: {RecipientStatus.ACTIVE, RecipientStatus.ENDED},
    RecipientStatus.ENDED: {RecipientStatus.INQUIRY},
}
# Not yet visited: the first plan made for one of these makes the recipient active.
BEFORE_ACTIVE = (
    RecipientStatus.INQUIRY,
    RecipientStatus.SCREENING,
    RecipientStatus.INTAKE_BOOKED,
    RecipientStatus.READY,
    RecipientStatus.DECLINED,
)


def recipient_duplicates(
    *, organization: Organization, name: str, date_of_birth: date, exclude_id: int | None = None
) -> list[CareRecipient]:
    """Recipients of the organization with the same name (any case) and date of birth."""
    # Compared in Python: SQLite folds only ASCII case, and "Ø" must match "ø".
    rows = CareRecipient.objects.for_organization(organization).filter(
        date_of_birth=date_of_birth, anonymised_at__isnull=True
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    wanted = " ".join(name.split()).casefold()
    return [
        r
        for r in rows.select_related("department")
        if " ".join(r.name.split()).casefold() == wanted
    ]


def _check_inquiry_source(recipient: CareRecipient) -> None:
    """A partner is named exactly when the inquiry came through one, and is the
    organization's own; the note belongs to the other sources only."""
    if recipient.inquiry_source == InquirySource.PARTNER:
        partner = recipient.inquiry_partner
        if partner is None:
            raise ValidationError(_("Velg hvilken samarbeidspartner henvendelsen kom via."))
        if partner.organization_id != recipient.organization_id:
            raise ValidationError(_("Velg en samarbeidspartner i organisasjonen."))
        recipient.inquiry_source_note = ""
    else:
        recipient.inquiry_partner = None
    if not recipient.inquiry_source:
        recipient.inquiry_source_note = ""


def _check_seniors(recipient: CareRecipient, seniors: Iterable[Membership]) -> list[Membership]:
    seniors = list(seniors)
    for senior in seniors:
        if senior.organization_id != recipient.organization_id or senior.role != Role.SENIOR:
            raise ValidationError(_("Bare seniorer i organisasjonen kan tildeles brukere."))
    return seniors


def recipient_set_seniors(
    *, recipient: CareRecipient, by: Membership, seniors: Iterable[Membership]
) -> None:
    """Make `seniors` the recipient's assigned seniors; new ones must be trained (R6)."""
    wanted = {s.pk: s for s in _check_seniors(recipient, seniors)}
    current = set(
        Assignment.objects.filter(recipient=recipient).values_list("senior_id", flat=True)
    )
    for senior_id in wanted.keys() - current:
        for check in hooks.ASSIGN_CHECKS:  # R6: training registers its clearance
            check(membership=wanted[senior_id])
    Assignment.objects.filter(recipient=recipient, senior_id__in=current - wanted.keys()).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(organization_id=recipient.organization_id, recipient=recipient, senior_id=pk)
            for pk in wanted.keys() - current
        ]
    )
    if wanted.keys() != current:
        audit_record(
            organization=by.organization,
            actor=by.user,
            action="recipient.seniors_changed",
            obj=recipient,
            details={
                "added": sorted(wanted.keys() - current),
                "removed": sorted(current - wanted.keys()),
            },
        )


@transaction.atomic
def recipient_create(
    *,
    by: Membership,
    data: dict[str, Any],
    seniors: Sequence[Membership] = (),
) -> CareRecipient:
    """Register a recipient (status: inquiry), who is their own customer until told otherwise."""
    recipient = CareRecipient(organization_id=by.organization_id)
    for field in RECIPIENT_FIELDS:
        if field in data:
            setattr(recipient, field, data[field])
    _check_inquiry_source(recipient)
    recipient.full_clean()
    recipient.save()
    StatusChange.objects.create(
        organization_id=by.organization_id,
        recipient=recipient,
        from_status="",
        to_status=recipient.status,
        reason=_("Registrert"),
        changed_by=by.user,
    )
    Customer.objects.create(
        organization_id=by.organization_id,
        recipient=recipient,
        kind=CustomerKind.RECIPIENT,
        created_by=by.user,
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="recipient.created",
        obj=recipient,
        details={
            "inquiry_source": recipient.inquiry_source,
            "inquiry_partner": recipient.inquiry_partner_id,
        },
    )
    if seniors:
        recipient_set_seniors(recipient=recipient, by=by, seniors=seniors)
    return recipient


@transaction.atomic
def recipient_update(
    *,
    recipient: CareRecipient,
    by: Membership,
    data: dict[str, Any],
    seniors: Sequence[Membership] | None = None,
) -> CareRecipient:
    """Change the recipient's details (and, if given, the assigned seniors)."""
    before = {field: getattr(recipient, field) for field in RECIPIENT_FIELDS}
    for field in RECIPIENT_FIELDS:
        if field in data:
            setattr(recipient, field, data[field])
    _check_inquiry_source(recipient)
    changed = [f for f in RECIPIENT_FIELDS if getattr(recipient, f) != before[f]]
    if changed:
        recipient.full_clean()
        recipient.save(update_fields=changed)
        audit_record(
            organization=by.organization,
            actor=by.user,
            action="recipient.updated",
            obj=recipient,
            details={"fields": changed},
        )
    if seniors is not None:
        recipient_set_seniors(recipient=recipient, by=by, seniors=seniors)
    return recipient


def recipient_change_status(
    *, recipient: CareRecipient, by: Membership | None, to_status: str, reason: str = ""
) -> StatusChange:
    """Move the recipient to `to_status`; ending runs every end hook (R11)."""
    return _change_status(
        recipient=recipient, by=by, to_status=to_status, reason=reason, transitions=TRANSITIONS
    )


@transaction.atomic
def _change_status(
    *,
    recipient: CareRecipient,
    by: Membership | None,
    to_status: str,
    reason: str,
    transitions: dict[str, set[str]],
) -> StatusChange:
    recipient = CareRecipient.objects.select_for_update().get(pk=recipient.pk)
    if to_status not in transitions.get(recipient.status, set()):
        raise ValidationError(
            _("Kan ikke endre status fra «%(from)s» til «%(to)s».")
            % {
                "from": recipient.get_status_display(),
                "to": RecipientStatus(to_status).label,
            }
        )
    if to_status in (RecipientStatus.PAUSED, RecipientStatus.ENDED) and not reason.strip():
        raise ValidationError(_("Skriv en kort begrunnelse for pause eller avslutning."))
    actor = by.user if by else None
    change = StatusChange.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        from_status=recipient.status,
        to_status=to_status,
        reason=reason.strip(),
        changed_by=actor,
    )
    recipient.status = to_status
    recipient.status_changed_at = change.at
    recipient.save(update_fields=["status", "status_changed_at"])
    hook_list: dict[str, list[hooks.Hook]] = {
        RecipientStatus.ENDED: hooks.ON_END,
        RecipientStatus.PAUSED: hooks.ON_PAUSE,
    }
    for hook in hook_list.get(to_status, []):
        hook(recipient, actor)
    audit_record(
        organization=recipient.organization,
        actor=actor,
        action="recipient.status_changed",
        obj=recipient,
        details={"from": change.from_status, "to": to_status},
    )
    return change


def recipient_activate_by_plan(*, recipient: CareRecipient, by: Membership) -> bool:
    """The first visit plan makes a recipient who is still in the intake active (from
    "Klar for plan", or from an earlier step when a leader overrode the interview rule);
    True if it moved. Active, paused and ended recipients are left alone."""
    current = CareRecipient.objects.filter(pk=recipient.pk).values_list("status", flat=True).first()
    if current not in BEFORE_ACTIVE:
        return False
    _change_status(
        recipient=recipient,
        by=by,
        to_status=RecipientStatus.ACTIVE,
        reason=_("Første besøksplan")
        if current == RecipientStatus.READY
        else _("Besøksplan laget uten godkjent Bli kjent-møte"),
        transitions={current: {RecipientStatus.ACTIVE}},
    )
    recipient.status = RecipientStatus.ACTIVE
    return True


def recipient_advance_status(
    *, recipient: CareRecipient, by: Membership | None, when_in: str, to_status: str
) -> bool:
    """Move to `to_status` only if the recipient is (still) in `when_in`; True if it moved.

    For workflows that nudge the status along (screening, booking, completion)
    without failing when someone already moved it.
    """
    current = CareRecipient.objects.filter(pk=recipient.pk).values_list("status", flat=True).first()
    if current != when_in:
        return False
    recipient_change_status(recipient=recipient, by=by, to_status=to_status)
    recipient.status = to_status
    return True


@transaction.atomic
def relative_save(
    *,
    recipient: CareRecipient,
    by: Membership,
    data: dict[str, Any],
    relative: Relative | None = None,
) -> Relative:
    """Add a relative to the recipient, or change one."""
    creating = relative is None
    if relative is None:
        relative = Relative(organization_id=recipient.organization_id, recipient=recipient)
    for field in ("name", "relation", "phone", "email", "contact_during_visits", "ordered_service"):
        if field in data:
            setattr(relative, field, data[field])
    relative.full_clean()
    relative.save()
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="relative.created" if creating else "relative.updated",
        obj=relative,
        details={"recipient": recipient.pk},
    )
    return relative


@transaction.atomic
def relative_mark_visit_contact(
    *,
    recipient: CareRecipient,
    by: Membership,
    name: str,
    phone: str | None,
    relation: str,
    source: str,
) -> Relative:
    """Make the relative `name`/`phone` the one to contact during visits; add them if new.

    A relative with the same phone, or (without a phone) the same name, is updated, not
    duplicated: marked, and given the phone if they had none. What a leader typed stays.
    """
    rows = Relative.objects.select_for_update().filter(recipient=recipient).order_by("pk")
    relative = None
    if phone:
        relative = rows.filter(phone=phone).first()
    if relative is None:
        relative = rows.filter(name__iexact=name.strip()).first()
    creating = relative is None
    changed: list[str] = []
    if relative is None:
        relative = Relative(
            organization_id=recipient.organization_id,
            recipient=recipient,
            name=name,
            relation=relation,
            phone=phone or "",
            contact_during_visits=True,
        )
    else:
        if not relative.contact_during_visits:
            relative.contact_during_visits = True
            changed.append("contact_during_visits")
        if phone and not relative.phone:
            relative.phone = phone
            changed.append("phone")
    if creating or changed:
        relative.full_clean()
        relative.save()
        audit_record(
            organization=by.organization,
            actor=by.user,
            action="relative.created" if creating else "relative.updated",
            obj=relative,
            details={
                "recipient": recipient.pk,
                "source": source,
                "contact_during_visits": True,
                "phone_missing": not relative.phone,
                "fields": changed,
            },
        )
    return relative


@transaction.atomic
def customer_set(
    *, recipient: CareRecipient, by: Membership, kind: str, data: dict[str, Any]
) -> Customer:
    """Make a new current customer for the recipient; the old one stays as history."""
    relative: Relative | None = data.get("relative")
    if kind == CustomerKind.RELATIVE:
        if relative is None or relative.recipient_id != recipient.pk:
            raise ValidationError(_("Velg hvilken pårørende som er kunde."))
    elif kind in ORGANIZATION_KINDS and not data.get("name", "").strip():
        raise ValidationError(_("Skriv navnet på kommunen eller sykehjemmet."))
    now = timezone.now()
    Customer.objects.filter(recipient=recipient, is_current=True).update(
        is_current=False, ended_at=now
    )
    customer = Customer(
        organization_id=recipient.organization_id,
        recipient=recipient,
        kind=kind,
        relative=relative if kind == CustomerKind.RELATIVE else None,
        created_by=by.user,
    )
    if kind in ORGANIZATION_KINDS:
        for field in (
            "name",
            "org_number",
            "invoice_reference",
            "contact_name",
            "contact_phone",
            "contact_email",
        ):
            setattr(customer, field, data.get(field) or "")
    # A person (the recipient, a relative) has no organisation number, invoice reference or
    # contact person: those fields stay empty (`forms.KIND_FIELDS`).
    customer.project_number = (data.get("project_number") or "").strip()
    customer.full_clean()
    customer.save()
    # (A relative customer has a relative: checked above.)
    if kind == CustomerKind.RELATIVE and relative is not None and not relative.ordered_service:
        relative.ordered_service = True
        relative.save(update_fields=["ordered_service"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="customer.set",
        obj=recipient,
        details={"kind": kind},
    )
    return customer


@transaction.atomic
def customer_from_relative(
    *, recipient: CareRecipient, by: Membership, relative: Relative
) -> Customer:
    """Make the relative who ordered the service the recipient's customer (kind relative),
    from the relative's own data, in one click. Only while the recipient has no customer:
    changing who pays is a deliberate choice on the customer form."""
    CareRecipient.objects.select_for_update().filter(pk=recipient.pk).first()
    if relative.recipient_id != recipient.pk:
        raise ValidationError(_("Den pårørende hører ikke til denne brukeren."))
    existing = current_customer(recipient)
    if existing is not None:
        raise ValidationError(
            _("%(name)s har allerede en kunde: %(customer)s (%(kind)s).")
            % {
                "name": recipient.name,
                "customer": existing.display_name,
                "kind": existing.get_kind_display().lower(),
            }
        )
    return customer_set(
        recipient=recipient, by=by, kind=CustomerKind.RELATIVE, data={"relative": relative}
    )


def customer_offer(recipient: CareRecipient, *, customer: Customer | None) -> list[Relative]:
    """The relatives who ordered the service, to offer as the customer while there is none
    (`customer`: the recipient's current customer)."""
    if customer is not None:
        return []
    return list(recipient.relatives.filter(ordered_service=True).order_by("pk"))


def current_customer(recipient: CareRecipient) -> Customer | None:
    return (
        Customer.objects.filter(recipient=recipient, is_current=True)
        .select_related("relative")
        .first()
    )


@transaction.atomic
def consent_give(
    *,
    recipient: CareRecipient,
    by: Membership,
    relative: Relative | None,
    purpose: str,
    given_by: str,
    method: str,
    given_by_name: str = "",
    given_at: datetime | None = None,
) -> Consent:
    """Record a consent. Giving it again while one is active changes nothing."""
    if relative is not None and relative.recipient_id != recipient.pk:
        raise ValidationError(_("Den pårørende hører ikke til denne brukeren."))
    if given_by == ConsentGiver.LEGAL_REPRESENTATIVE and not given_by_name.strip():
        raise ValidationError(_("Skriv navnet på vergen eller fullmektigen."))
    given_at = given_at or timezone.now()
    if given_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError(_("Et samtykke kan ikke være gitt i fremtiden."))
    existing = Consent.objects.filter(
        recipient=recipient, relative=relative, purpose=purpose, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    consent = Consent.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        relative=relative,
        purpose=purpose,
        given_by=given_by,
        given_by_name=given_by_name.strip(),
        method=method,
        given_at=given_at,
        recorded_by=by.user,
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="consent.given",
        obj=recipient,
        details={
            "consent": consent.pk,
            "purpose": purpose,
            "relative": getattr(relative, "pk", None),
        },
    )
    return consent


@transaction.atomic
def consents_give(
    *,
    recipient: CareRecipient,
    by: Membership,
    relative: Relative | None,
    purposes: Sequence[str],
    given_by: str,
    method: str,
    given_by_name: str = "",
) -> list[Consent]:
    """Record several purposes for one person at once (one giver, method and time): a row
    and an audit row for each purpose not already given; return the new rows."""
    if not purposes:
        raise ValidationError(_("Kryss av for minst ett formål."))
    given_at = timezone.now()
    active = set(
        Consent.objects.filter(
            recipient=recipient, relative=relative, withdrawn_at__isnull=True
        ).values_list("purpose", flat=True)
    )
    return [
        consent_give(
            recipient=recipient,
            by=by,
            relative=relative,
            purpose=purpose,
            given_by=given_by,
            method=method,
            given_by_name=given_by_name,
            given_at=given_at,
        )
        for purpose in dict.fromkeys(purposes)
        if purpose not in active
    ]


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, by: User | None, note: str = "", at: datetime | None = None
) -> Consent:
    """Withdraw a consent from `at` (now); queued messages check again when sent (R4)."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = max(at or timezone.now(), consent.given_at)
    consent.withdrawn_by = by
    consent.withdrawal_note = note.strip()[:200]
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    audit_record(
        organization=consent.organization,
        actor=by,
        action="consent.withdrawn",
        obj=consent.recipient,
        details={"consent": consent.pk, "purpose": consent.purpose},
    )
    return consent


def recipient_export(*, recipient: CareRecipient) -> dict[str, Any]:
    """Everything stored about one recipient, for a data-access request (GDPR art. 15)."""

    def when(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    data: dict[str, Any] = {
        "exported_at": when(timezone.now()),
        "organization": recipient.organization.name,
        "recipient": {
            "name": recipient.name,
            "date_of_birth": recipient.date_of_birth.isoformat(),
            "address": recipient.full_address,
            "phone": str(recipient.phone or ""),
            "department": recipient.department.name,
            "key_notes": recipient.key_notes,
            "status": recipient.get_status_display(),
            "inquiry_source": recipient.inquiry_source_label,
            "contact_person": str(recipient.contact_person.user)
            if recipient.contact_person
            else None,
            "registered": when(recipient.created_at),
            "seniors": [str(m.user) for m in recipient.seniors.select_related("user")],
        },
        "status_history": [
            {
                "at": when(c.at),
                "from": c.get_from_status_display(),
                "to": c.get_to_status_display(),
                "reason": c.reason,
                "by": str(c.changed_by) if c.changed_by else None,
            }
            for c in recipient.status_changes.select_related("changed_by")
        ],
        "customers": [
            {
                "kind": c.get_kind_display(),
                "name": c.display_name,
                "org_number": c.org_number,
                "invoice_reference": c.invoice_reference,
                "project_number": c.project_number,
                "contact": c.contact_name,
                "current": c.is_current,
                "from": when(c.created_at),
                "to": when(c.ended_at),
            }
            for c in recipient.customers.select_related("relative").order_by("created_at")
        ],
        "relatives": [
            {
                "name": r.name,
                "relation": r.get_relation_display(),
                "phone": str(r.phone or ""),
                "email": r.email,
                "contact_during_visits": r.contact_during_visits,
                "ordered_service": r.ordered_service,
            }
            for r in recipient.relatives.all()
        ],
        "consents": [
            {
                "person": c.relative.name if c.relative else recipient.name,
                "purpose": c.get_purpose_display(),
                "given_by": c.get_given_by_display(),
                "given_by_name": c.given_by_name,
                "method": c.get_method_display(),
                "given_at": when(c.given_at),
                "recorded_by": str(c.recorded_by),
                "withdrawn_at": when(c.withdrawn_at),
            }
            for c in recipient.consents.select_related("relative", "recorded_by")
        ],
        "views": [
            {"at": when(v.at), "who": str(v.viewer), "what": v.what}
            for v in ViewRecord.objects.filter(
                organization_id=recipient.organization_id,
                object_type=recipient._meta.label_lower,
                object_id=str(recipient.pk),
            ).select_related("viewer")
        ],
    }
    for section in hooks.EXPORT_SECTIONS:
        data.update(section(recipient))
    return data


def recipient_anonymised_label(recipient: CareRecipient) -> str:
    """The name an anonymised recipient goes by (also in other apps' rows and log labels)."""
    return _("Anonymisert bruker %(id)s") % {"id": recipient.pk}


@transaction.atomic
def recipient_anonymise(*, recipient: CareRecipient, by: User | None = None) -> None:
    """Remove names, phones, addresses and free text; keep counts, dates and statuses."""
    recipient = CareRecipient.objects.select_for_update().get(pk=recipient.pk)
    if recipient.anonymised_at is not None:
        return
    label = recipient_anonymised_label(recipient)
    for hook in hooks.ON_ANONYMISE:
        hook(recipient, by)
    recipient.name = label
    recipient.date_of_birth = date(recipient.date_of_birth.year, 1, 1)
    recipient.address = ""
    recipient.postal_code = ""
    recipient.city = ""
    recipient.phone = ""
    recipient.key_notes = ""
    # How the inquiry came stays for the statistics (no person in it); the note may name one.
    recipient.inquiry_source_note = ""
    recipient.anonymised_at = timezone.now()
    recipient.save()
    recipient.relatives.update(name=_("Anonymisert"), phone="", email="")
    recipient.customers.update(
        name="",
        org_number="",
        invoice_reference="",
        contact_name="",
        contact_phone="",
        contact_email="",
    )
    recipient.consents.update(given_by_name="", withdrawal_note="")
    recipient.status_changes.update(reason="")
    org_id = recipient.organization_id
    audit_relabel(organization_id=org_id, model=CareRecipient, ids=[recipient.pk], label=label)
    audit_relabel(
        organization_id=org_id,
        model=Relative,
        ids=recipient.relatives.values_list("pk", flat=True),
        label=_("Pårørende til %(label)s") % {"label": label},
    )
    audit_record(
        organization=recipient.organization, actor=by, action="recipient.anonymised", obj=recipient
    )


def recipients_due_for_anonymisation(*, organization_id: int, now: datetime | None = None):
    """Ended recipients, and those who declined after Bli kjent ("Takket nei"), whose
    retention period (RETENTION_DAYS_AFTER_END, from the status change) has passed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS_AFTER_END)
    return CareRecipient.objects.for_organization(organization_id).filter(
        status__in=(RecipientStatus.ENDED, RecipientStatus.DECLINED),
        status_changed_at__lt=cutoff,
        anonymised_at__isnull=True,
    )


# --- Partners (issue 19): the manual's "ambassadører og støttespillere" --------------------

PARTNER_FIELDS = (
    "name",
    "kind",
    "contact_name",
    "phone",
    "email",
    "follow_up",
    "notes",
    "is_active",
)


def _check_member(by: Membership, member: Membership | None) -> None:
    if member is not None and member.organization_id != by.organization_id:
        raise ValidationError(_("Velg en medarbeider i organisasjonen."))


@transaction.atomic
def partner_save(
    *, by: Membership, data: dict[str, Any], partner: Partner | None = None
) -> Partner:
    """Register a partner or change one; the audit row names the changed fields."""
    creating = partner is None
    if partner is None:
        partner = Partner(organization_id=by.organization_id)
    elif partner.organization_id != by.organization_id:
        raise ValidationError(_("Samarbeidspartneren finnes ikke."))
    _check_member(by, data.get("follow_up"))
    before = {field: getattr(partner, field) for field in PARTNER_FIELDS}
    for field in PARTNER_FIELDS:
        if field in data:
            setattr(partner, field, data[field])
    changed = [f for f in PARTNER_FIELDS if getattr(partner, f) != before[f]]
    if not creating and not changed:
        return partner
    partner.full_clean()
    partner.save()
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="partner.created" if creating else "partner.updated",
        obj=partner,
        details={} if creating else {"fields": changed},
    )
    return partner


@transaction.atomic
def partner_meeting_add(
    *,
    partner: Partner,
    by: Membership,
    held_on: date,
    note: str = "",
    attendees: Iterable[Membership] = (),
) -> PartnerMeeting:
    """Record a meeting held with `partner`, and who from the organization was there."""
    attendees = list(attendees)
    for member in attendees:
        _check_member(by, member)
    if partner.organization_id != by.organization_id:
        raise ValidationError(_("Samarbeidspartneren finnes ikke."))
    meeting = PartnerMeeting(
        organization_id=partner.organization_id,
        partner=partner,
        date=held_on,
        note=note.strip(),
        created_by=by.user,
    )
    meeting.full_clean()
    meeting.save()
    PartnerMeetingAttendee.objects.bulk_create(
        [
            PartnerMeetingAttendee(
                organization_id=partner.organization_id, meeting=meeting, membership=member
            )
            for member in {m.pk: m for m in attendees}.values()
        ]
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="partner.meeting_added",
        obj=partner,
        details={"meeting": meeting.pk, "date": held_on.isoformat(), "attendees": len(attendees)},
    )
    return meeting
