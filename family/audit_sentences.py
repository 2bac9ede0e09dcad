"""The relative's page: its events in plain words (registered from `FamilyConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from family.models import RequestKind
from seniorene.audit.sentences import Facts, describe, kind

_REFUSALS = {
    "unknown": gettext_lazy("en ukjent lenke"),
    "expired": gettext_lazy("en utløpt lenke"),
    "revoked": gettext_lazy("en lenke som er stengt"),
    "unavailable": gettext_lazy("en lenke til en side som ikke lenger er åpen"),
}


def _refused(f: Facts) -> str:
    why = _REFUSALS.get(str(f.details.get("state")), _REFUSALS["unknown"])
    return _("Pårørende %(obj)s ble avvist på pårørendesiden: %(why)s") % {
        "obj": f.obj,
        "why": why,
    }


def _request_created(f: Facts) -> str:
    if f.details.get("kind") == RequestKind.MOVE:
        return _("En pårørende ba om å flytte et besøk på pårørendesiden")
    return _("En pårørende ba om å avlyse et besøk på pårørendesiden")


def register() -> None:
    kind("parorende", gettext_lazy("Pårørende og pårørendesiden"))
    page = {"kind": "parorende"}
    describe(
        "relative_page.code_sent",
        gettext_lazy("En engangskode til pårørendesiden ble sendt til %(obj)s"),
        label=gettext_lazy("Pårørendesiden: kode sendt"),
        **page,
    )
    describe(
        "relative_page.link_sent",
        gettext_lazy("En ny lenke til pårørendesiden ble sendt til %(obj)s"),
        label=gettext_lazy("Pårørendesiden: lenke sendt"),
        **page,
    )
    describe(
        "relative_page.opened",
        gettext_lazy("Pårørende %(obj)s åpnet pårørendesiden"),
        label=gettext_lazy("Pårørendesiden åpnet"),
        **page,
    )
    describe(
        "relative_page.refused", _refused, label=gettext_lazy("Pårørendesiden: avvist"), **page
    )
    describe(
        "visit_request.created",
        _request_created,
        label=gettext_lazy("Ønske fra pårørende"),
        **page,
    )
    describe(
        "visit_request.answered",
        gettext_lazy("%(who)s svarte på et ønske fra en pårørende om et besøk"),
        label=gettext_lazy("Ønske fra pårørende besvart"),
        **page,
    )
