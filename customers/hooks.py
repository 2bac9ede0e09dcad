"""What other apps do when a recipient ends or is anonymised (R11, retention), what they
require of a senior who is assigned a recipient (R6), and what they add to its pages.

Apps register in their ``AppConfig.ready()``; `customers.services` calls every
hook inside the same transaction. ``tests/customers/test_data_protection.py`` fails
for a model that points at a recipient and is neither kept nor handled here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest

    from customers.models import CareRecipient
    from seniorene.accounts.models import Membership, User

Hook = Callable[["CareRecipient", "User | None"], None]
ExportSection = Callable[["CareRecipient"], dict[str, Any]]

ON_END: list[Hook] = []
ON_PAUSE: list[Hook] = []
ON_ANONYMISE: list[Hook] = []
# Each returns {section_name: JSON-able data} for the data-access export.
EXPORT_SECTIONS: list[ExportSection] = []


class AssignCheck(Protocol):
    def __call__(self, *, membership: Membership) -> None: ...


class PageSection(Protocol):
    def __call__(
        self, request: HttpRequest, recipient: CareRecipient, *, page: Page
    ) -> dict[str, Any]: ...


# The recipient's pages that apps add sections to: the leader's card, the senior's page.
Page = Literal["card", "senior"]
# Each raises ValidationError when `membership` may not be assigned a recipient (R6).
ASSIGN_CHECKS: list[AssignCheck] = []
# Each returns template context for its part of a recipient's page. A section's
# ``"intake_steps"`` (a list of `IntakeStep`) joins the card's intake checklist.
PAGE_SECTIONS: list[PageSection] = []


@dataclass(frozen=True)
class IntakeStep:
    """One step of the intake checklist on the leader's card (pårørende → kunde →
    samtykke → kartlegging → Bli kjent → utfall → plan), in `position` order. The first
    step not done is the next one: its `url` (if the reader may do it) is the card's one
    primary button, labelled `action`."""

    position: int
    label: str
    done: bool
    fact: str = ""
    url: str = ""
    action: str = ""


def on_recipient_end(hook: Hook) -> Hook:
    """Register `hook(recipient, by)`: cancel what is scheduled for an ended recipient."""
    if hook not in ON_END:
        ON_END.append(hook)
    return hook


def on_recipient_anonymise(hook: Hook) -> Hook:
    """Register `hook(recipient, by)`: remove names, phones and free text the app stores."""
    if hook not in ON_ANONYMISE:
        ON_ANONYMISE.append(hook)
    return hook


def on_recipient_pause(hook: Hook) -> Hook:
    """Register `hook(recipient, by)`: what to cancel while a recipient is paused."""
    if hook not in ON_PAUSE:
        ON_PAUSE.append(hook)
    return hook


def export_section(section: ExportSection) -> ExportSection:
    """Register a function that adds the app's data to the recipient export."""
    if section not in EXPORT_SECTIONS:
        EXPORT_SECTIONS.append(section)
    return section


def on_senior_assign(check: AssignCheck) -> AssignCheck:
    """Register `check(membership=)`: refuse a senior who may not be assigned a recipient."""
    if check not in ASSIGN_CHECKS:
        ASSIGN_CHECKS.append(check)
    return check


def page_section(section: PageSection) -> PageSection:
    """Register `section(request, recipient, page=)`: context for the app's part of a page."""
    if section not in PAGE_SECTIONS:
        PAGE_SECTIONS.append(section)
    return section
