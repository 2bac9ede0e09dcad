"""`{% id_url "app:view" obj.pk %}`: `{% url "app:view" obj.pk %}` for a view taking one id.

`{% url %}` resolves the name on every call; a list of fifty visits with three links
each spent a quarter of the senior's agenda doing that. This reverses each name once
(per URLconf and script prefix) with a marker id and fills in the id with a format.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_MARKER = "987654321"


@register.simple_tag
def id_url(name: str, pk: int) -> str:
    """The path of view `name` for the integer id `pk` (escaped by the template)."""
    return id_path(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()).format(
        int(pk)
    )


@cache
def id_path(name: str, urlconf: str, script_prefix: str) -> str:
    """The path of view `name` with `{}` where the id goes."""
    path = reverse(name, args=[int(_MARKER)], urlconf=urlconf)
    if path.count(_MARKER) != 1 or "{" in path or "}" in path:
        raise ValueError(f"{name!r} is not a view of one id")
    return path.replace(_MARKER, "{}")
