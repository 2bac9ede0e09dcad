"""The leader's forms for a job: publish, withdraw, choose."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omsorg.models import ServiceArea
from openings.models import OpeningKind
from openings.services import INTAKE_MINUTES, OpeningFields
from seniorene.forms import DateField, ModelMultipleChoiceField
from visits.forms import EVERY_CHOICES
from visits.models import WEEKDAYS


class AreaChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceArea) -> str:
        return obj.name


class PublishForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hva slags jobb"), widget=forms.RadioSelect)
    area = forms.CharField(
        label=_("Område (bydel eller poststed)"),
        max_length=120,
        help_text=_("Aldri navn eller gateadresse: seniorene ser dette før noen er valgt."),
    )
    postal_code = forms.CharField(
        label=_("Postnummer"),
        max_length=4,
        required=False,
        validators=[RegexValidator(r"^\d{4}$", _("Skriv fire sifre."))],
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Ukedager"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Velg minst én ukedag.")},
        help_text=_("Bli kjent-møtet: dagen for første dato."),
        required=False,
    )
    start_time = forms.TimeField(
        label=_("Klokkeslett"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Varighet i minutter"), min_value=15, max_value=240, initial=60
    )
    every_n_weeks = forms.TypedChoiceField(
        label=_("Hvor ofte"), choices=EVERY_CHOICES, coerce=int, initial=1
    )
    first_date = DateField(
        label=_("Fra dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    service_areas = AreaChoiceField(
        queryset=ServiceArea.objects.none(),
        label=_("Tjenesteområder"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Kort beskrivelse"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Hva seniorene bør vite for å svare. Uten navn, adresse eller helseopplysninger."
        ),
    )

    def __init__(self, *args: Any, kinds: list[OpeningKind], areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [(k.value, k.label) for k in kinds]
        if len(kinds) == 1:
            kind.initial = kinds[0].value
        cast(ModelMultipleChoiceField, self.fields["service_areas"]).queryset = areas

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first: date | None = data.get("first_date")
        if first is not None and first < timezone.localdate():
            self.add_error("first_date", _("Datoen har allerede vært."))
        if data.get("kind") == OpeningKind.INTAKE:
            if first is not None:
                data["weekdays"] = [first.weekday()]  # one meeting: the first date's day
            if (data.get("duration_minutes") or 0) > INTAKE_MINUTES:
                self.add_error(
                    "duration_minutes", _("Bli kjent-møtet varer høyst én time (60 minutter).")
                )
        elif not data.get("weekdays"):
            self.add_error("weekdays", _("Velg minst én ukedag."))
        return data

    def opening_fields(self) -> OpeningFields:
        data = self.cleaned_data
        return OpeningFields(
            kind=data["kind"],
            area=data["area"],
            postal_code=data.get("postal_code") or "",
            weekdays=data["weekdays"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            every_n_weeks=data.get("every_n_weeks") or 1,
            first_date=data["first_date"],
            service_areas=list(data.get("service_areas") or []),
            description=data.get("description") or "",
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor trekkes jobben?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For eksempel: brukeren har fått senior på annen måte. Lederne ser dette."),
    )


class ChooseForm(forms.Form):
    senior = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
