"""Who relatives contact about a recipient: one person, named everywhere (issue 21).

The card's contact person when one is set and still active; otherwise a leader of the
recipient's department (by name), otherwise the organization's lead. Every message to
relatives and the relative's own page name this same person.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from customers.models import CareRecipient
from seniorene.accounts.models import Membership, Role


def contact_person(recipient: CareRecipient) -> Membership | None:
    """The recipient's contact person for relatives, with `user` loaded (None: nobody)."""
    people = (
        Membership.objects.for_organization(recipient.organization_id)
        .filter(is_active=True)
        .select_related("user")
        .order_by("user__name", "pk")
    )
    if recipient.contact_person_id is not None:
        chosen = people.filter(pk=recipient.contact_person_id).first()
        if chosen is not None:
            return chosen
    leader = people.filter(
        role=Role.LEADER, membershipdepartment__department_id=recipient.department_id
    ).first()
    return leader or people.filter(role=Role.LEAD).first()


def contact_person_note(recipient: CareRecipient, person: Membership | None) -> str:
    """Why `person` (from `contact_person`) is the contact, when it is not the card's own
    choice: "" when the card names them."""
    if person is None:
        return _("Ingen leder er aktiv i organisasjonen.")
    if recipient.contact_person_id == person.pk:
        return ""
    if recipient.contact_person_id is not None:
        why = _("Den valgte kontaktpersonen er ikke aktiv lenger.")
    else:
        why = _("Ingen kontaktperson er valgt.")
    if person.role == Role.LEADER:
        return why + " " + _("Avdelingslederen brukes.")
    return why + " " + _("Fagansvarlig brukes.")


def contact_line(person: Membership | None) -> str:
    """The line every message to relatives ends with (in the active language: the callers
    build SMS under ``translation.override("nb")``). Without a mobile number the person
    is named without one; with nobody at all, the line is empty."""
    if person is None:
        return ""
    if person.user.phone:
        return _("Kontaktperson: %(name)s, tlf. %(phone)s") % {
            "name": person.user.name,
            "phone": person.user.phone.as_national,
        }
    return _("Kontaktperson: %(name)s") % {"name": person.user.name}
