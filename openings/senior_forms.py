"""The senior's forms: "Jeg vil gjerne ta omsorgsjobber", a pause, and an answer to a job."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from omsorg.models import ServiceArea
from openings.models import AnswerChoice
from seniorene.accounts.models import Organization

POSTAL_CODE = RegexValidator(r"^\d{4}$", _("Skriv postnummeret med fire sifre, for eksempel 0457."))


class InterestForm(forms.Form):
    """What the senior likes doing, how often, where they live (postal code), and a note."""

    service_areas = forms.ModelMultipleChoiceField(
        label=_("Hva liker du å gjøre?"),
        queryset=ServiceArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kryss av for det du har lyst til. Du kan velge flere."),
    )
    visits_per_week = forms.TypedChoiceField(
        label=_("Hvor mange besøk i uka vil du ha?"),
        choices=[(n, str(n)) for n in range(1, 8)],
        coerce=int,
        initial=1,
    )
    postal_code = forms.CharField(
        label=_("Postnummeret der du bor"),
        max_length=4,
        validators=[POSTAL_CODE],
        help_text=_("Bare postnummeret, så lederen ser hvor langt du har å reise."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code", "size": 4}
        ),
    )
    note = forms.CharField(
        label=_("Til avdelingslederen (valgfritt)"),
        max_length=300,
        required=False,
        help_text=_("For eksempel: «helst formiddager» eller «har bil»."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = ServiceArea.objects.for_organization(organization).filter(is_active=True)
        field = cast("forms.ModelMultipleChoiceField[ServiceArea]", self.fields["service_areas"])
        field.queryset = areas
        self.fields["postal_code"].error_messages["required"] = _("Skriv postnummeret der du bor.")


class PauseForm(forms.Form):
    """A pause until and including a day, or until the senior says otherwise."""

    until = forms.DateField(
        label=_("Pause til og med (valgfritt)"),
        required=False,
        help_text=_("Tom: til du selv sier at du vil ta jobber igjen."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Skriv en dato, for eksempel 31.01.2027.")},
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"],
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_until(self) -> date | None:
        until: date | None = self.cleaned_data.get("until")
        if until is not None and until < self.today:
            raise forms.ValidationError(_("Pausen må vare til i dag eller senere."))
        return until


class AnswerForm(forms.Form):
    """ "Jeg kan ta den" (with an optional note) or "Passer ikke": the button pressed."""

    answer = forms.ChoiceField(choices=AnswerChoice.choices)
    note = forms.CharField(
        label=_("Merknad til lederen (valgfritt)"),
        max_length=300,
        required=False,
        help_text=_("For eksempel: kan bare tirsdager."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
