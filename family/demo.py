"""Demo: the relative's own page. Nothing to create (the relatives and their consents come
from customers' demo); `seed_demo` prints a link to Ingrid Ødegaard's page."""

from __future__ import annotations

from django.utils import timezone

from customers.models import Relative
from customers.relative_access import relative_page_url
from seniorene.accounts.demo import DemoOrg

DEMO_RELATIVE = "Ingrid Ødegaard"  # Astrid's daughter: summary SMS and notebook sharing


def seed(orgs: dict[str, DemoOrg]) -> None:
    return None


def lines(orgs: dict[str, DemoOrg]) -> list[str]:
    """The link to one relative's page, for a newcomer to open (a new link each run)."""
    demo = orgs.get("seniorene")
    if demo is None:
        return []
    relative = (
        Relative.objects.filter(organization=demo.organization, name=DEMO_RELATIVE)
        .select_related("recipient", "organization")
        .first()
    )
    url = relative_page_url(relative=relative, now=timezone.now()) if relative else None
    if url is None:
        return []
    return [
        "",
        f"The relative's own page ({DEMO_RELATIVE}, no login): {url}",
        "  A new browser needs the one-time code sent by SMS; with DEBUG on the code page "
        "shows it (it is also in the SMS outbox).",
    ]
