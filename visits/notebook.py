"""The digital notebook on a recipient's pages: logged visits with their notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from visits.models import VisitLog

if TYPE_CHECKING:
    from django.http import HttpRequest

    from customers.hooks import Page
    from customers.models import CareRecipient


def notebook_entries(recipient: CareRecipient, limit: int = 50) -> QuerySet[VisitLog]:
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
        .order_by("-visit__starts_at")[:limit]
    )


def notebook_section(
    request: HttpRequest, recipient: CareRecipient, *, page: Page
) -> dict[str, Any]:
    """The notebook on the leader's card (50 entries) and the senior's page (10)."""
    return {"notebook": notebook_entries(recipient, limit=50 if page == "card" else 10)}
