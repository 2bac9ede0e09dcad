"""A senior's absences ("bortreist 3.–17. mars") and the visits they hit.

The senior (or a leader) adds and deletes absences; the leader sees on *Følg opp* the
coming visits an absence hits and gives them to other seniors on one screen, each
through the single-visit reassignment (`visits.changes.visit_reassign`: R6, audit, the
seniors told), with clashes checked per visit. A row that is refused is reported on its
own; the others are saved.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.models import Membership, Role
from seniorene.audit.services import audit_record
from visits.civil_time import date_span, local_day_bounds
from visits.models import ACTIVE_STATUSES, SeniorAbsence, Visit

# An absence longer than this is a typing error (a year in the "til" field).
MAX_ABSENCE_DAYS = 366
# What the one-screen reassignment refuses for the new senior; other conflicts
# (outside the stated hours, a public holiday) are shown with the choice, not refused.
REFUSED_CONFLICTS = frozenset({"double_booked", "absent"})


# --- Adding and deleting ------------------------------------------------------------------


@transaction.atomic
def absence_add(
    *,
    membership: Membership,
    by: Membership,
    starts_on: date,
    ends_on: date,
    note: str = "",
    today: date | None = None,
) -> SeniorAbsence:
    """Record that the senior is away from `starts_on` to `ends_on` (both included)."""
    today = today or timezone.localdate()
    if membership.role != Role.SENIOR or membership.organization_id != by.organization_id:
        raise ValidationError(_("Fravær kan bare registreres for en senior."))
    if ends_on < starts_on:
        raise ValidationError(
            {"ends_on": _("«Til og med» kan ikke være før «fra». Sjekk datoene.")}
        )
    if starts_on < today:
        raise ValidationError(
            {"starts_on": _("«Fra» kan ikke være tilbake i tid. Er du borte nå, velg i dag.")}
        )
    if (ends_on - starts_on).days >= MAX_ABSENCE_DAYS:
        raise ValidationError({"ends_on": _("Et fravær kan vare høyst ett år. Sjekk datoene.")})
    # One at a time per senior, so that two taps cannot add two overlapping periods.
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    overlapping = (
        SeniorAbsence.objects.for_organization(membership.organization_id)
        .filter(membership=membership, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            _(
                "Det er allerede registrert fravær %(span)s. "
                "Slett det først, eller velg andre datoer."
            )
            % {"span": date_span(overlapping.starts_on, overlapping.ends_on)}
        )
    absence = SeniorAbsence.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip()[:200],
        created_by=by.user,
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="absence.added",
        obj=absence,
        details={
            "senior": membership.pk,
            "from": starts_on.isoformat(),
            "to": ends_on.isoformat(),
        },
    )
    return absence


@transaction.atomic
def absence_delete(*, absence: SeniorAbsence, by: Membership, today: date | None = None) -> None:
    """Delete a coming (or current) absence; one that is over stays as history."""
    today = today or timezone.localdate()
    if absence.ends_on < today:
        raise ValidationError(_("Et fravær som er over, kan ikke slettes."))
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="absence.deleted",
        obj=absence,
        details={
            "senior": absence.membership_id,
            "from": absence.starts_on.isoformat(),
            "to": absence.ends_on.isoformat(),
        },
    )
    absence.delete()


# --- Reads ------------------------------------------------------------------------------


def coming_absences(*, membership: Membership, today: date | None = None) -> list[SeniorAbsence]:
    """The senior's absences that are not over yet, the nearest first."""
    today = today or timezone.localdate()
    return list(
        SeniorAbsence.objects.for_organization(membership.organization_id)
        .filter(membership=membership, ends_on__gte=today)
        .order_by("starts_on", "pk")
    )


def absence_hits(
    *,
    absence: SeniorAbsence,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> QuerySet[Visit]:
    """The absent senior's open visits in the period still to come (`department_ids` None:
    every department), with what the reassignment page shows."""
    now = now or timezone.now()
    lo, hi = local_day_bounds(absence.starts_on, absence.ends_on)
    rows = Visit.objects.for_organization(absence.organization_id).filter(
        senior_id=absence.membership_id,
        status__in=ACTIVE_STATUSES,
        starts_at__gte=max(lo, now),
        starts_at__lt=hi,
    )
    if department_ids is not None:
        rows = rows.filter(recipient__department_id__in=list(department_ids))
    return rows.select_related("recipient__department", "senior__user").order_by("starts_at", "pk")


@dataclass(frozen=True)
class AbsenceRow:
    """An absence on *Følg opp*: the senior is away and `hits` visits need another senior."""

    absence: SeniorAbsence
    hits: int

    @property
    def span(self) -> str:
        return date_span(self.absence.starts_on, self.absence.ends_on)


def absences_to_follow_up(
    *,
    organization_id: int,
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[AbsenceRow]:
    """Absences not over yet that still hit coming visits in the departments."""
    now = now or timezone.now()
    absences = (
        SeniorAbsence.objects.for_organization(organization_id)
        .filter(ends_on__gte=timezone.localdate(now))
        .select_related("membership__user")
        .order_by("starts_on", "pk")
    )
    rows = []
    for absence in absences:
        hits = absence_hits(absence=absence, department_ids=department_ids, now=now).count()
        if hits:
            rows.append(AbsenceRow(absence=absence, hits=hits))
    return rows


# --- The one-screen reassignment ---------------------------------------------------------


def absence_reassign(
    *,
    absence: SeniorAbsence,
    by: Membership,
    choices: Mapping[int, int],
    department_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> dict[int, str]:
    """Give each chosen visit (visit id → senior id) to its new senior, one at a time.

    Each goes through `visit_reassign` (R6, its audit row, the seniors told when the
    transaction commits) in its own savepoint, then is checked for clashes: a new senior
    with another visit at the same time, or away that day, undoes that row only. Returns
    the refused rows' messages by visit id; the other rows are saved.
    """
    from visits.changes import visit_reassign
    from visits.conflicts import visit_conflicts

    hits = {v.pk: v for v in absence_hits(absence=absence, department_ids=department_ids, now=now)}
    errors: dict[int, str] = {}
    for visit_id, senior_id in choices.items():
        visit = hits.get(visit_id)
        if visit is None:
            errors[visit_id] = _("Besøket er allerede endret eller har vært.")
            continue
        if senior_id == absence.membership_id:
            errors[visit_id] = _("Velg en annen senior enn den som er borte.")
            continue
        senior = (
            Membership.objects.for_organization(absence.organization_id)
            .filter(
                pk=senior_id,
                role=Role.SENIOR,
                is_active=True,
                membershipdepartment__department_id=visit.recipient.department_id,
            )
            .select_related("user")
            .first()
        )
        if senior is None:
            errors[visit_id] = _("Velg en senior i avdelingen fra listen.")
            continue
        try:
            with transaction.atomic():
                moved = visit_reassign(visit=visit, by=by, senior=senior)
                refused = [
                    c.text
                    for c in visit_conflicts([moved]).get(moved.pk, [])
                    if c.kind in REFUSED_CONFLICTS
                ]
                if refused:
                    raise ValidationError(
                        _("%(name)s kan ikke ta dette besøket: %(why)s.")
                        % {"name": senior.user.name, "why": "; ".join(refused).lower()}
                    )
        except ValidationError as exc:
            errors[visit_id] = " ".join(exc.messages)
    return errors
