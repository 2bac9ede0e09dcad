"""Sections the apps above visits add to *Følg opp* (the watchdog page).

visits may not import them: an app registers a function in its ``AppConfig.ready()``
that returns its section for the request (or None when it has nothing to say to this
member), and the page includes each section's template in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from seniorene.accounts.http import AuthedRequest


@dataclass(frozen=True)
class FollowUpSection:
    """One section of *Følg opp*: its heading (and anchor), how many rows it lists (for the
    page's table of contents) and the template that shows them with `context`."""

    anchor: str
    title: str
    count: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionSource = Callable[[AuthedRequest], FollowUpSection | None]

FOLLOW_UP_SECTIONS: list[SectionSource] = []


def follow_up_section(source: SectionSource) -> SectionSource:
    """Register `source(request)`: an app's section of *Følg opp*, or None."""
    if source not in FOLLOW_UP_SECTIONS:
        FOLLOW_UP_SECTIONS.append(source)
    return source


def follow_up_sections(request: AuthedRequest) -> list[FollowUpSection]:
    """The registered sections for this member, in the order registered."""
    return [s for source in FOLLOW_UP_SECTIONS if (s := source(request)) is not None]
