"""Small helpers every app's views share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, above the fields."""
    for message in exc.messages:
        form.add_error(None, message)
