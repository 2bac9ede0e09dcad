"""Small helpers every app's views share."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.http import HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, above the fields."""
    for message in exc.messages:
        form.add_error(None, message)


# --- Fields that refuse hostile input with a form error, never a server error --------------

# Dates outside these years are typing errors or tampering; Python's date arithmetic
# overflows at the edges (a week from 31 December 9999 does not exist).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)


def _ids_in_range(field: forms.ModelChoiceField[Any], values: Iterable[Any]) -> None:
    """Refuse an id no row can have before the database is asked.

    An integer past the id column's range makes SQLite raise OverflowError and
    PostgreSQL an error; neither is the user's "no such choice".
    """
    queryset = field.queryset
    if queryset is None:
        return
    pk = queryset.model._meta.pk
    if field.to_field_name or not isinstance(pk, models.IntegerField):
        return
    low, high = connection.ops.integer_field_range(pk.get_internal_type())
    for value in values:
        if isinstance(value, queryset.model):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            continue  # Django answers "invalid choice" for it itself
        if not low <= number <= high:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class ModelChoiceField(forms.ModelChoiceField[Any]):
    """Django's ModelChoiceField; an id out of range is an invalid choice."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            _ids_in_range(self, [value])
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    """Django's ModelMultipleChoiceField; an id out of range is an invalid choice."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            _ids_in_range(self, value)
        return super().clean(value)


class DateField(forms.DateField):
    """Django's DateField, refusing dates before 1900 or after 2199."""

    default_error_messages = {"out_of_range": _("Skriv en dato mellom år 1900 og 2199.")}

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not FIRST_DATE <= value <= LAST_DATE:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")


def redirect_target(request: HttpRequest, target: str, default: str) -> str:
    """`target` when it is a path on this site, else `default`.

    Never hand user input to redirect(): it resolves a bare word as a view name.
    """
    is_path = target.startswith("/") and not target.startswith("//")
    if is_path and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def plain_text(value: str, max_length: int) -> str:
    """`value` as text to store or search for: without NUL (PostgreSQL refuses it in
    text), trimmed, at most `max_length` characters."""
    return value.replace("\x00", "").strip()[:max_length]


# A prefilled value: an id, a date (2027-01-19) or a time (11:00); nothing else is taken.
_PREFILL_VALUE = re.compile(r"[0-9][0-9:\-]{0,19}")


def initial_from_query(
    query: QueryDict, *, single: Iterable[str] = (), multiple: Iterable[str] = ()
) -> dict[str, Any]:
    """A form's starting values from GET parameters named like its fields.

    Another page opens a form filled in (the leader's choice of a senior for a job opens
    the booking or the plan form) without the form's app importing that page's app. Only
    ids, dates and times are taken; the leader still reads and saves the form, so nothing
    is written from a link.
    """
    initial: dict[str, Any] = {}
    for name in single:
        value = query.get(name, "")
        if _PREFILL_VALUE.fullmatch(value):
            initial[name] = value
    for name in multiple:
        values = [v for v in query.getlist(name) if _PREFILL_VALUE.fullmatch(v)]
        if values:
            initial[name] = values
    return initial
