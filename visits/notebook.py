"""The digital notebook on a recipient's pages: logged visits with their notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

from visits.models import VisitLog

if TYPE_CHECKING:
    from django.http import HttpRequest

    from customers.hooks import Page
    from customers.models import CareRecipient


# Entries on one page of the notebook, on the card and on the senior's page alike; older
# ones are a page further ("Eldre"), never cut off.
NOTEBOOK_PAGE = 10


def notebook_entries(recipient: CareRecipient) -> QuerySet[VisitLog]:
    """The digital notebook: logged visits with their notes, newest first."""
    return (
        VisitLog.objects.filter(recipient=recipient, happened=True)
        .select_related("visit", "logged_by")
        .only(
            "visit__starts_at",
            "logged_by__name",
            "went_well",
            "could_change",
            "share_with_relatives",
            "on_behalf_reason",
        )
        .order_by("-visit__starts_at", "-pk")
    )


def notebook_section(
    request: HttpRequest, recipient: CareRecipient, *, page: Page
) -> dict[str, Any]:
    """The notebook on the leader's card and the senior's page, `NOTEBOOK_PAGE` entries to a
    page (``?bok_side=``); on the card also the plan step of the intake checklist (with a
    plan's override reason)."""
    ctx: dict[str, Any] = {
        "notebook_template": "visits/_notebook.html",
        "notebook": Paginator(notebook_entries(recipient), NOTEBOOK_PAGE).get_page(
            request.GET.get("bok_side")
        ),
    }
    if page == "card":
        ctx.update(_plan_step(request, recipient))
    return ctx


def _plan_step(request: HttpRequest, recipient: CareRecipient) -> dict[str, Any]:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from customers.hooks import IntakeStep
    from seniorene.accounts.policy import Perm, has_perm
    from visits.models import VisitPlan

    plans = list(VisitPlan.objects.filter(recipient=recipient).order_by("-created_at", "-pk"))
    running = [p for p in plans if p.ended_at is None]
    overridden = [p for p in plans if p.override_reason]
    may = has_perm(getattr(request, "membership", None), Perm.PLAN_VISITS)
    if running:
        fact = ", ".join(p.describe() for p in running[:2])
    elif plans:
        fact = _("Ingen løpende plan (%(n)s avsluttet)") % {"n": len(plans)}
    else:
        fact = _("Ingen plan ennå")
    step = IntakeStep(
        70,
        _("Besøksplan"),
        bool(running),
        fact,
        reverse("visits:plan_create", args=[recipient.pk])
        if may and not recipient.anonymised_at
        else "",
        _("Lag besøksplan"),
    )
    return {"intake_steps": [step], "plan_overrides": overridden}
