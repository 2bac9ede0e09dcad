"""Short lines that apps above visits add to the top of the senior's agenda (for example
"2 ledige jobber"), registered in their `AppConfig.ready()` so visits imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from seniorene.accounts.models import Membership


@dataclass(frozen=True)
class AgendaLine:
    """One line on the agenda: a short text that links to the page it is about."""

    text: str
    url: str


AgendaLineSource = Callable[[Membership], "AgendaLine | None"]

AGENDA_LINES: list[AgendaLineSource] = []


def agenda_line(source: AgendaLineSource) -> AgendaLineSource:
    """Register `source(senior)`: a line for the senior's agenda, or None for no line."""
    if source not in AGENDA_LINES:
        AGENDA_LINES.append(source)
    return source


def agenda_lines(*, senior: Membership) -> list[AgendaLine]:
    """The registered lines for `senior`'s agenda, in registration order."""
    return [line for source in AGENDA_LINES if (line := source(senior)) is not None]
