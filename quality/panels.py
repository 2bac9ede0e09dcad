"""The start page's panel for admin and the lead: the quality page's headline figures."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quality.charts import period_label
from quality.figures import headline
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm, has_perm, sees_all_departments
from seniorene.home import HomePanel


def headline_panel(request: AuthedRequest) -> HomePanel | None:
    """This month so far beside last month (the whole organization), each figure a link to
    the quality page; None for anyone but admin and the lead (the leader's home has its own
    panel)."""
    membership = request.membership
    if not (has_perm(membership, Perm.VIEW_QUALITY) and sees_all_departments(membership)):
        return None
    now = timezone.now()
    figures = headline(
        organization_id=request.organization.pk, today=timezone.localdate(now), now=now
    )
    return HomePanel(
        title=_("Slik går det: %(month)s så langt") % {"month": period_label(figures.period)},
        template="quality/_home_panel.html",
        context={
            "figures": figures,
            "previous_label": period_label(figures.period.previous),
            "url": reverse("quality:page"),
        },
    )
