from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class JobSettingsForm(forms.Form):
    late_start_minutes = forms.IntegerField(
        label=_("Varsle leder når et besøk ikke har startet etter (minutter)"),
        min_value=5,
        max_value=240,
    )
