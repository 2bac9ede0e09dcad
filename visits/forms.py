from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.forms import km_field
from ledger.models import RECEIPT_EXTENSIONS, RECEIPT_MAX_BYTES
from omsorg.models import ServiceArea
from seniorene.accounts.models import Membership
from seniorene.forms import DateField, ModelChoiceField, ModelMultipleChoiceField
from visits.civil_time import local_datetime
from visits.models import (
    CHOSEN_CANCEL_KINDS,
    WEEKDAYS,
    CancelKind,
    ConcernAlert,
    ConcernCategory,
    VisitPlan,
)
from visits.planning import MAX_DURATION, OVERRIDE_MIN_LENGTH, PlanFields
from visits.receipts import validate_receipt_content

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATE_ERROR = _("Skriv datoen som dd.mm.åååå, for eksempel 03.04.2026.")
EVERY_CHOICES = [
    (1, _("Hver uke")),
    (2, _("Annenhver uke")),
    (3, _("Hver 3. uke")),
    (4, _("Hver 4. uke")),
]


def _date_field(
    label: StrOrPromise, required: bool = True, help_text: StrOrPromise = ""
) -> forms.DateField:
    return DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": DATE_ERROR},
    )


def _time_field(label: StrOrPromise, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M", "%H"],
        error_messages={"invalid": _("Skriv klokkeslettet som tt:mm, for eksempel 11:00.")},
    )


def _duration_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Varighet i minutter"),
        min_value=15,
        max_value=MAX_DURATION,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 15}),
    )


class SeniorChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.name


class AreaChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceArea) -> str:
        return obj.name


class PlanForm(forms.Form):
    senior = SeniorChoiceField(queryset=Membership.objects.none(), label=_("Senior"))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Ukedager"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Velg minst én ukedag.")},
    )
    start_time = _time_field(_("Klokkeslett"))
    duration_minutes = _duration_field()
    every_n_weeks = forms.TypedChoiceField(
        label=_("Hvor ofte"), choices=EVERY_CHOICES, coerce=int, initial=1
    )
    first_date = _date_field(_("Første dato"))
    last_date = _date_field(
        _("Siste dato (valgfritt)"),
        required=False,
        help_text=_("Tom: planen løper til den endres."),
    )
    service_areas = AreaChoiceField(
        queryset=ServiceArea.objects.none(),
        label=_("Tjenesteområder"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Merknader til senioren (valgfritt)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    override_reason = forms.CharField(
        label=_("Begrunnelse for å lage planen likevel"),
        help_text=_(
            "For eksempel en hastehenvisning fra kommunen. Minst 10 tegn; vises på brukerkortet."
        ),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        seniors,
        areas,
        single: bool = False,
        needs_override: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(ModelChoiceField, self.fields["senior"]).queryset = seniors
        cast(ModelMultipleChoiceField, self.fields["service_areas"]).queryset = areas
        # "Ett enkelt besøk" (going with someone to the doctor): a plan with one date.
        self.single = single
        if single:
            for name in ("weekdays", "every_n_weeks", "last_date"):
                del self.fields[name]
            self.fields["first_date"].label = _("Dato")
        self.needs_override = needs_override
        if not needs_override:
            del self.fields["override_reason"]

    @classmethod
    def initial_for(cls, plan: VisitPlan) -> dict[str, Any]:
        return {
            "senior": plan.senior_id,
            "weekdays": plan.weekday_list,
            "start_time": plan.start_time,
            "duration_minutes": plan.duration_minutes,
            "every_n_weeks": plan.every_n_weeks,
            "first_date": plan.first_date,
            "last_date": plan.last_date,
            "service_areas": list(plan.service_areas.values_list("pk", flat=True)),
            "notes": plan.notes,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("first_date"), data.get("last_date")
        if first and last and last < first:
            self.add_error("last_date", _("Siste dato kan ikke være før første dato."))
        start = data.get("start_time")
        if start and not time(7) <= start <= time(21):
            self.add_error("start_time", _("Velg et tidspunkt mellom 07.00 og 21.00."))
        if self.needs_override and len(data.get("override_reason", "").strip()) < (
            OVERRIDE_MIN_LENGTH
        ):
            self.add_error(
                "override_reason",
                _("Skriv hvorfor planen lages likevel (minst %(n)s tegn).")
                % {"n": OVERRIDE_MIN_LENGTH},
            )
        return data

    def plan_fields(self) -> PlanFields:
        data = self.cleaned_data
        first = data["first_date"]
        return PlanFields(
            senior=data["senior"],
            weekdays=(first.weekday(),) if self.single else tuple(sorted(data["weekdays"])),
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            every_n_weeks=1 if self.single else data["every_n_weeks"],
            first_date=first,
            last_date=first if self.single else data["last_date"],
            areas=tuple(data["service_areas"]),
            notes=data["notes"],
            override_reason=data.get("override_reason", ""),
        )


class ClashConfirmForm(forms.Form):
    """ "Lagre likevel": the leader has seen the plan's clashes (exactly these) and saves."""

    confirm_clashes = forms.BooleanField(label=_("Lagre likevel"), required=False)
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def confirmed(self, fingerprint: str) -> bool:
        return (
            self.is_valid()
            and self.cleaned_data["confirm_clashes"]
            and self.cleaned_data["fingerprint"] == fingerprint
        )


class MoveForm(forms.Form):
    date = _date_field(_("Ny dato"))
    start_time = _time_field(_("Nytt klokkeslett"))
    duration_minutes = _duration_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date") and data.get("start_time") and self.starts_at() < timezone.now():
            self.add_error("date", _("Tidspunktet har allerede vært."))
        return data

    def starts_at(self) -> datetime:
        return local_datetime(self.cleaned_data["date"], self.cleaned_data["start_time"])


class CancelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Hvem avlyste?"),
        choices=[(k.value, k.label) for k in CHOSEN_CANCEL_KINDS],
        widget=forms.RadioSelect,
        initial=CancelKind.CUSTOMER,
    )
    reason = forms.CharField(
        label=_("Begrunnelse"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Skriv en kort begrunnelse for avlysningen.")},
    )


class ReassignForm(forms.Form):
    senior = SeniorChoiceField(queryset=Membership.objects.none(), label=_("Ny senior"))

    def __init__(self, *args: Any, seniors, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ModelChoiceField, self.fields["senior"]).queryset = seniors


class WeekFilterForm(forms.Form):
    avdeling = forms.TypedChoiceField(label=_("Avdeling"), coerce=int, required=False)
    senior = forms.TypedChoiceField(label=_("Senior"), coerce=int, required=False, empty_value=None)
    vis = forms.ChoiceField(
        label=_("Vis"),
        required=False,
        choices=[
            ("", _("Alle besøk")),
            ("open", _("Planlagte og flyttede")),
            ("cancelled", _("Avlyste")),
            ("conflicts", _("Bare konflikter")),
            ("pagar", _("Pågår nå (sjekket inn)")),
            ("sen", _("Ikke startet i tide i dag")),
        ],
    )
    uke = _date_field(_("Uke med dato"), required=False)

    def __init__(self, *args: Any, departments, seniors, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["avdeling"]).choices = [
            (d.pk, d.name) for d in departments
        ]
        self.fields["avdeling"].widget.attrs["data-autosubmit"] = ""
        cast(forms.ChoiceField, self.fields["senior"]).choices = [("", _("Alle seniorer"))] + [
            (s.pk, s.user.name) for s in seniors
        ]

    def value(self, name: str, default: Any = None) -> Any:
        """The cleaned value of `name`, or `default` when it is empty or invalid."""
        if not self.is_bound:
            return default
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name) or default


class AvailabilityForm(forms.Form):
    """One optional window (from–to) per weekday."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, name in WEEKDAYS:
            self.fields[f"from_{number}"] = _time_field(_("%(day)s fra") % {"day": name}, False)
            self.fields[f"to_{number}"] = _time_field(_("%(day)s til") % {"day": name}, False)

    @staticmethod
    def initial_from(windows) -> dict[str, time]:
        initial: dict[str, time] = {}
        for w in windows:
            initial.setdefault(f"from_{w.weekday}", w.start_time)
            initial.setdefault(f"to_{w.weekday}", w.end_time)
        return initial

    def rows(self) -> list[tuple[StrOrPromise, Any, Any]]:
        return [(name, self[f"from_{n}"], self[f"to_{n}"]) for n, name in WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for number, _name in WEEKDAYS:
            start, end = data.get(f"from_{number}"), data.get(f"to_{number}")
            if (start is None) != (end is None):
                self.add_error(f"to_{number}", _("Fyll inn både fra og til, eller ingen av dem."))
            elif start is not None and start >= end:
                self.add_error(f"to_{number}", _("«Til» må være etter «fra»."))
        return data

    def windows(self) -> list[tuple[int, time, time]]:
        data = self.cleaned_data
        return [
            (n, data[f"from_{n}"], data[f"to_{n}"])
            for n, _name in WEEKDAYS
            if data.get(f"from_{n}") is not None and data.get(f"to_{n}") is not None
        ]


class MyAvailabilityForm(AvailabilityForm):
    """The senior's own: per weekday a checkbox and from–to (the times count when ticked)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, name in WEEKDAYS:
            self.fields[f"day_{number}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"from_{number}"].label = _("Fra")
            self.fields[f"to_{number}"].label = _("Til")

    @staticmethod
    def initial_from(windows) -> dict[str, Any]:
        initial: dict[str, Any] = dict(AvailabilityForm.initial_from(windows))
        for w in windows:
            initial[f"day_{w.weekday}"] = True
        return initial

    def days(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"day_{n}"], self[f"from_{n}"], self[f"to_{n}"]) for n, _name in WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        for number, _name in WEEKDAYS:
            if not data.get(f"day_{number}"):
                # Not ticked: the times are ignored, whatever is left in them.
                data[f"from_{number}"] = data[f"to_{number}"] = None
                self.errors.pop(f"from_{number}", None)
                self.errors.pop(f"to_{number}", None)
            elif (
                data.get(f"from_{number}") is None
                and data.get(f"to_{number}") is None
                and f"to_{number}" not in self.errors
                and f"from_{number}" not in self.errors
            ):
                self.add_error(f"to_{number}", _("Skriv når du kan, fra og til."))
        return super().clean()


class AbsenceForm(forms.Form):
    """A period away: from, to (both days included), an optional note."""

    starts_on = _date_field(_("Borte fra og med"))
    ends_on = _date_field(_("Til og med"))
    note = forms.CharField(
        label=_("Merknad (valgfritt)"),
        max_length=200,
        required=False,
        help_text=_("For eksempel «bortreist» eller «på sykehus». Lederen ser dette."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].error_messages["required"] = _("Skriv datoen du reiser.")
        self.fields["ends_on"].error_messages["required"] = _("Skriv den siste dagen du er borte.")


def week_param(value: str | None) -> date | None:
    """A date from the `uke` query parameter, or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class ConcernForm(forms.Form):
    """ "Noe lederen bør vite" in the visit log: optional, but a category needs its text and
    a text its category (visits.concerns)."""

    concern_category = forms.ChoiceField(
        label=_("Hva gjelder det?"),
        required=False,
        choices=ConcernCategory.choices,
        widget=forms.RadioSelect,
    )
    concern_text = forms.CharField(
        label=_("Hva bør lederen vite?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bare lederne for avdelingen leser dette. Haster det, ring lederen."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        category = data.get("concern_category") or ""
        text = (data.get("concern_text") or "").strip()
        if text and not category and "concern_category" not in self.errors:
            self.add_error("concern_category", _("Velg hva meldingen til lederen gjelder."))
        if category and not text and "concern_text" not in self.errors:
            self.add_error("concern_text", _("Skriv kort hva lederen bør vite."))
        return data


class VisitLogForm(ConcernForm):
    """The senior's log of one visit: prefilled times, ticks, the notebook entry."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    checked_in = forms.TimeField(
        label=_("Kom"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    checked_out = forms.TimeField(
        label=_("Gikk"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    done_areas = forms.MultipleChoiceField(
        label=_("Hva gjorde dere?"), required=False, widget=forms.CheckboxSelectMultiple
    )
    went_well = forms.CharField(
        label=_("Notatbok: hva gikk bra?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    could_change = forms.CharField(
        label=_("Notatbok: hva kan endres?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    share_with_relatives = forms.BooleanField(
        label=_("Notatet kan deles med pårørende"), required=False
    )
    km = km_field(_("Kilometer kjørt (hvis du kjørte)"))
    expense_amount = forms.DecimalField(
        label=_("Utlegg i kroner, f.eks. notatboken"),
        required=False,
        min_value=Decimal("1"),
        max_value=Decimal("5000"),
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "min_value": _("Beløpet må være minst 1 krone."),
            "max_value": _("Utlegg over 5000 kroner føres ikke her. Snakk med lederen din."),
            "max_decimal_places": _("Skriv beløpet med høyst to desimaler, f.eks. 89,90."),
        },
    )
    expense_description = forms.CharField(
        label=_("Hva kjøpte du?"), required=False, max_length=120, initial=_("Notatbok")
    )
    receipt = forms.FileField(
        label=_("Bilde av kvitteringen"),
        required=False,
        validators=[FileExtensionValidator(RECEIPT_EXTENSIONS), validate_receipt_content],
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    # Shown only when the hours are far above the plan (visits.logging.MANY_HOURS_MARGIN).
    confirm_hours = forms.BooleanField(label=_("Ja, timene stemmer"), required=False)

    def __init__(self, *args: Any, areas, may_share: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["done_areas"]).choices = [
            (str(a.pk), a.name) for a in areas
        ]
        if not may_share:
            self.fields["share_with_relatives"].disabled = True
            self.fields["share_with_relatives"].help_text = _(
                "Ingen pårørende har samtykket til deling av besøksboken."
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("expense_amount") and not data.get("receipt"):
            self.add_error("receipt", _("Ta bilde av kvitteringen for utlegget."))
        receipt = data.get("receipt")
        if receipt and receipt.size > RECEIPT_MAX_BYTES:
            self.add_error("receipt", _("Bildet av kvitteringen er for stort (over 8 MB)."))
        return data


class OnBehalfLogForm(VisitLogForm):
    """The log form as a leader fills it in for the senior ("Før for senioren")."""

    reason = forms.CharField(
        label=_("Hvorfor fører du besøket for senioren?"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Skriv hvorfor du fører besøket for senioren.")},
    )
    field_order = ["reason"]


class CloseForm(forms.Form):
    """ "Lukk uten rapport": why the visit is closed without a report."""

    close_reason = forms.CharField(
        label=_("Hvorfor lukkes besøket uten rapport?"),
        max_length=300,
        help_text=_("For eksempel: besøket ble ikke gjennomført, senioren var syk."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Skriv hvorfor besøket lukkes uten rapport.")},
    )


class NotHappenedForm(ConcernForm):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Hvorfor ble det ikke noe av?"), max_length=300)


class FeedbackForm(forms.Form):
    """The feedback SMS as the senior will send it (prefilled from the template)."""

    body = forms.CharField(
        label=_("Meldingen"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Skriv en kort melding.")},
    )
    relatives_body = forms.CharField(
        label=_("Meldingen til pårørende"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, relatives: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not relatives:  # only when the recipient gets the thanks and relatives the summary
            del self.fields["relatives_body"]


class SmsTemplatesForm(forms.Form):
    """The organization's own wording of the two feedback messages."""

    feedback_relative = forms.CharField(
        label=_("Til pårørende (den som er kunde, og andre som har samtykket)"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kontaktpersonen (leder og telefon) legges alltid til nederst."),
    )
    feedback_thanks = forms.CharField(
        label=_("Til brukeren, når brukeren selv er kunde"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        from visits.feedback import PLACEHOLDERS

        super().clean()
        data = self.cleaned_data
        for name in ("feedback_relative", "feedback_thanks"):
            unknown = sorted(
                {p for p in re.findall(r"\{([^{}]*)\}", data.get(name, ""))} - set(PLACEHOLDERS)
            )
            if unknown:
                self.add_error(
                    name,
                    _("Ukjent felt: %(names)s. Bruk bare feltene i listen.")
                    % {"names": ", ".join("{" + u + "}" for u in unknown)},
                )
        return data

    def bodies(self) -> dict[str, str]:
        return {
            "feedback_relative": self.cleaned_data["feedback_relative"],
            "feedback_thanks": self.cleaned_data["feedback_thanks"],
        }


class ConcernAnswerForm(forms.Form):
    """What the leader did about a concern (required)."""

    answer = forms.CharField(
        label=_("Hva ble gjort?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Senioren som meldte fra, ser svaret ditt."),
        error_messages={"required": _("Skriv hva som ble gjort.")},
    )


class ConcernAlertForm(forms.Form):
    """ "Varsle meg om meldinger fra seniorene": in the app only, by e-mail or by SMS."""

    channel = forms.ChoiceField(
        label=_("Varsle meg om meldinger fra seniorene"),
        choices=ConcernAlert.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg hvordan du vil bli varslet.")},
    )
