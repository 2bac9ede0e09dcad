"""The form for correcting a logged visit (the senior's phone page and the leader's)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ledger.forms import km_field


class CorrectionForm(forms.Form):
    checked_in = forms.TimeField(
        label=_("Kom"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    checked_out = forms.TimeField(
        label=_("Gikk"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    km = km_field(_("Kilometer"), help_text=_("Tomt: ingen kilometer."))
    expense_amount = forms.DecimalField(
        label=_("Utlegg (kr)"),
        required=False,
        min_value=Decimal("1"),
        max_value=Decimal("5000"),
        decimal_places=2,
        localize=True,
        help_text=_("Tomt: ikke noe utlegg."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    expense_description = forms.CharField(label=_("Hva ble kjøpt"), required=False, max_length=120)
    reason = forms.CharField(
        label=_("Hvorfor retter du?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv hvorfor du retter.")},
    )
    confirm = forms.BooleanField(
        label=_("Ja, tidene stemmer"), required=False, widget=forms.CheckboxInput
    )
