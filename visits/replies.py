"""*Følg opp*: replies from relatives and recipients nobody has marked handled (issue 21).

The replies are messaging's (`messaging.inbound`); messaging may not import visits, so this
module adds their section to the page through `visits.follow_up`. Unread ones (for this
leader: not yet seen on the card) are marked; a reply leaves the list when someone marks it
handled, here or on the card.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from messaging.inbound import replies_unhandled, with_unread
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm, has_perm
from visits.follow_up import FollowUpSection


def replies_section(request: AuthedRequest) -> FollowUpSection | None:
    """The member's departments' unhandled replies, oldest first."""
    if not has_perm(request.membership, Perm.VIEW_RECIPIENTS):
        return None
    rows = list(
        with_unread(
            replies_unhandled(
                organization_id=request.organization.pk,
                department_ids=request.scope.department_ids,
            ),
            request.membership,
        )
    )
    return FollowUpSection(
        anchor="h-sms-replies",
        title=_("SMS-svar som ikke er behandlet"),
        count=len(rows),
        template="visits/_replies_follow_up.html",
        context={
            "replies": rows,
            "may_handle": has_perm(request.membership, Perm.MANAGE_RECIPIENTS),
        },
    )
