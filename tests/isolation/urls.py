"""Enumerate the project's URL patterns from the resolver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from tests.isolation.registry import EXEMPT_NAMES, EXEMPT_PREFIXES


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    callback: Callable
    params: tuple[str, ...]

    @property
    def exempt_reason(self) -> str | None:
        if self.name in EXEMPT_NAMES:
            return EXEMPT_NAMES[self.name]
        for prefix, reason in EXEMPT_PREFIXES.items():
            if self.name.startswith(prefix):
                return reason
        return None

    @property
    def perm(self):
        return getattr(self.callback, "required_perm", None)

    @property
    def is_public(self) -> bool:
        return bool(getattr(self.callback, "is_public", False))


def _walk(patterns, namespace: str, prefix: str, params: tuple[str, ...]) -> Iterator[Route]:
    for entry in patterns:
        converters = tuple(getattr(entry.pattern, "converters", {}).keys())
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(
                entry.url_patterns, ns, prefix + str(entry.pattern), params + converters
            )
        elif isinstance(entry, URLPattern):
            unnamed = f"{namespace}<unnamed {prefix}{entry.pattern}>"
            name = f"{namespace}{entry.name}" if entry.name else unnamed
            yield Route(name, prefix + str(entry.pattern), entry.callback, params + converters)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", "/", ()))


def our_routes() -> list[Route]:
    return [r for r in all_routes() if r.exempt_reason is None]
