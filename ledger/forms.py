"""The month chosen for the Tripletex export."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    """Which month to export (the current one unless chosen)."""

    month = forms.CharField(
        label=_("Måned"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("Skriv som åååå-mm, for eksempel 2026-11."),
    )

    def clean_month(self) -> date | None:
        value = (self.cleaned_data["month"] or "").strip()
        if not value:
            return None
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
            raise forms.ValidationError(_("Skriv måneden som åååå-mm, for eksempel 2026-11."))
        return date(int(found[1]), int(found[2]), 1)

    def month_start(self) -> date:
        """The chosen month's first day, or this month's."""
        chosen = self.cleaned_data.get("month") if self.is_bound else None
        return chosen or timezone.localdate().replace(day=1)
