"""Panels the apps add to the top of the start page: the figures that answer "how are we
doing" for this member (the leader's day, the quality page's headline figures).

The core imports no app: an app registers a function in its ``AppConfig.ready()`` that
returns its panel for the request (or None when it has nothing for this member), and the
start page includes each panel's template, in the order registered, above the tiles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from seniorene.accounts.http import AuthedRequest


@dataclass(frozen=True)
class HomePanel:
    """One panel of the start page: its heading and the template that shows it with
    `context`."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelSource = Callable[[AuthedRequest], HomePanel | None]

HOME_PANELS: list[PanelSource] = []


def home_panel(source: PanelSource) -> PanelSource:
    """Register `source(request)`: an app's panel on the start page, or None."""
    if source not in HOME_PANELS:
        HOME_PANELS.append(source)
    return source


def home_panels(request: AuthedRequest) -> list[HomePanel]:
    """The registered panels for this member, in the order registered."""
    return [p for source in HOME_PANELS if (p := source(request)) is not None]
