"""The month chosen for the Tripletex export."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def km_field(label: Any, **extra: Any) -> forms.DecimalField:
    """Kilometres as the ledger holds them (0.1–2000, one decimal), typed with a decimal
    comma on a phone's number keyboard, with Norwegian messages for a wrong number."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("2000"),
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "min_value": _("Kilometer må være mer enn 0."),
            "max_value": _("Sjekk kilometerne: over 2000 km på én tur er for mye."),
            "max_decimal_places": _("Skriv kilometer med én desimal, f.eks. 12,5."),
        },
        **extra,
    )


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


class ManualEntryForm(forms.Form):
    """Km driven for the service, or an outlay, without a visit (never invoiced)."""

    KINDS = (
        ("km", _("Kilometer")),
        ("intake_expense", _("Utlegg til Bli kjent-møte (f.eks. notatboken)")),
        ("expense", _("Annet utlegg for tjenesten")),
    )

    senior = forms.TypedChoiceField(label=_("Senior"), coerce=int, required=False)
    kind = forms.ChoiceField(label=_("Hva vil du føre?"), choices=KINDS, widget=forms.RadioSelect)
    day = forms.DateField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}))
    km = km_field(_("Kilometer"))
    purpose = forms.CharField(
        label=_("Hva kjørte du for?"),
        required=False,
        max_length=120,
        help_text=_("For eksempel: hentet medisiner, teammøte."),
    )
    amount = forms.DecimalField(
        label=_("Beløp (kr)"),
        required=False,
        min_value=Decimal("1"),
        max_value=Decimal("5000"),
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    description = forms.CharField(label=_("Hva kjøpte du?"), required=False, max_length=120)

    def __init__(self, *args: Any, seniors: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        if seniors is None:
            del self.fields["senior"]
        else:
            cast(forms.TypedChoiceField, self.fields["senior"]).choices = seniors
            self.fields["senior"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "km":
            if not data.get("km"):
                self.add_error("km", _("Skriv hvor mange kilometer."))
            if not (data.get("purpose") or "").strip():
                self.add_error("purpose", _("Skriv hva du kjørte for."))
        elif kind in ("expense", "intake_expense"):
            if not data.get("amount"):
                self.add_error("amount", _("Skriv beløpet."))
            if kind == "expense" and not (data.get("description") or "").strip():
                self.add_error("description", _("Skriv hva du kjøpte."))
        return data
