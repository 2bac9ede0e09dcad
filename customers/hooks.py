"""What other apps do when a recipient ends or is anonymised (R11, retention).

Apps register in their ``AppConfig.ready()``; `customers.services` calls every
hook inside the same transaction. ``tests/customers/test_ending.py`` fails for
a model that points at a recipient and is neither kept nor handled here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from customers.models import CareRecipient
    from seniorene.accounts.models import User

Hook = Callable[["CareRecipient", "User | None"], None]
ExportSection = Callable[["CareRecipient"], dict[str, Any]]

ON_END: list[Hook] = []
ON_PAUSE: list[Hook] = []
ON_ANONYMISE: list[Hook] = []
# Each returns {section_name: JSON-able data} for the data-access export.
EXPORT_SECTIONS: list[ExportSection] = []


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
