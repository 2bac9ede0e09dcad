"""`{{ obj|display:"field" }}`: a choice field's label, as `obj.get_field_display`.

Django's `get_FOO_display` rebuilds the field's choices (and translates every
label) on each call; in a list of fifty rows, or on every page's footer, that
adds up. This looks the label up in a table made once per field and language.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import template
from django.db.models import Field, Model
from django.utils.translation import get_language

register = template.Library()


@register.filter
def display(obj: object, field_name: str) -> object:
    """The label of `obj`'s choice in `field_name`, or the stored value if it is none; empty
    when there is no object (None, or the empty string a missing attribute resolves to)."""
    if not isinstance(obj, Model):
        return ""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field.attname)  # type: ignore[union-attr]  # a concrete field by name
    return choice_labels(field, get_language()).get(value, value)


@cache
def choice_labels(field: Field[Any, Any], language: str | None) -> dict[object, str]:
    """The field's choices as value → label in `language` (the active one)."""
    return {value: str(label) for value, label in field.flatchoices}
