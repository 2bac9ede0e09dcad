from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.http import HttpRequest

    from customers.hooks import Page
    from customers.models import CareRecipient
    from seniorene.accounts.models import Organization


class OmsorgConfig(AppConfig):
    name = "omsorg"
    verbose_name = "Omsorg: kartlegging og Bli kjent"

    def ready(self) -> None:
        from seniorene.accounts.signals import organization_created

        organization_created.connect(seed_defaults, dispatch_uid="omsorg.seed_defaults")
        from omsorg import audit_sentences

        audit_sentences.register()  # its audit events in plain words

        from customers import hooks
        from omsorg.services import (
            interviews_cancel_for_recipient,
            omsorg_anonymise_for_recipient,
            omsorg_export_for_recipient,
        )

        hooks.on_recipient_end(interviews_cancel_for_recipient)
        hooks.on_recipient_pause(interviews_cancel_for_recipient)
        hooks.on_recipient_anonymise(omsorg_anonymise_for_recipient)
        hooks.export_section(omsorg_export_for_recipient)
        hooks.page_section(card_section)


def seed_defaults(sender: Any, *, organization: Organization, **kwargs: Any) -> None:
    """A new organization starts with the manual's service areas and criteria."""
    from omsorg.services import omsorg_seed_defaults

    omsorg_seed_defaults(organization=organization)


def card_section(request: HttpRequest, recipient: CareRecipient, *, page: Page) -> dict[str, Any]:
    """The intake (screening, Bli kjent, R2) on the leader's card of a recipient; what the
    interview learned (R3, each read logged) on the senior's page of it."""
    from omsorg.views import briefing_context, card_context
    from seniorene.accounts.http import AuthedRequest

    if page == "senior":  # customers' views are all behind `require`: a member's request
        ctx = briefing_context(cast(AuthedRequest, request), recipient, where="brukerside")
        return {**ctx, "briefing_template": "omsorg/_briefing.html"}
    return card_context(request, recipient)
