"""Who relatives contact about a recipient: one person, named everywhere (issue 21).

The card's contact person when one is set and still active; otherwise a leader of the
recipient's department (by name), otherwise the organization's lead. Every message to
relatives and the relative's own page name this same person.
"""

from __future__ import annotations

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
