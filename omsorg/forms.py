from __future__ import annotations

from datetime import datetime, time
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from omsorg.models import (
    Criterion,
    DeclineReason,
    Informed,
    IntakeInterview,
    Outcome,
    Preparer,
    ServiceArea,
)
from seniorene.accounts.models import Membership
from seniorene.forms import DateField, ModelChoiceField

YES_NO = [("yes", _("Ja")), ("no", _("Nei"))]


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


class ScreeningForm(forms.Form):
    note = forms.CharField(
        label=_("Merknad (valgfritt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"c_{c.pk}"] = forms.ChoiceField(
                label=c.text,
                help_text=c.help_text,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Svar ja eller nei.")},
            )
            self.fields[f"n_{c.pk}"] = forms.CharField(
                label=_("Merknad"), required=False, max_length=500
            )

    def answers(self) -> dict[int, tuple[bool, str]]:
        return {
            c.pk: (self.cleaned_data[f"c_{c.pk}"] == "yes", self.cleaned_data[f"n_{c.pk}"])
            for c in self.criteria
        }


class SeniorChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.name


class BookingForm(forms.Form):
    senior = SeniorChoiceField(queryset=Membership.objects.none(), label=_("Senior"))
    date = DateField(
        label=_("Dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    start = forms.TimeField(
        label=_("Klokkeslett"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Varighet i minutter (høyst 60)"),
        min_value=15,
        max_value=60,
        initial=60,
        error_messages={"max_value": _("Bli kjent-møtet varer høyst én time (60 minutter).")},
    )
    relative_attends = forms.BooleanField(label=_("Pårørende er med"), required=False)
    prepared_by = forms.ChoiceField(
        label=_("Hvem forbereder brukeren på besøket?"),
        choices=Preparer.choices,
        widget=forms.RadioSelect,
        initial=Preparer.SENIOR,
    )

    reason = forms.CharField(
        label=_("Begrunnelse for møtet"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hvorfor trengs dette møtet? Lederne ser begrunnelsen på brukerkortet."),
    )

    def __init__(self, *args: Any, seniors, cautions: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(ModelChoiceField, self.fields["senior"]).queryset = seniors
        self.cautions = cautions or []
        if self.cautions:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("Skriv en begrunnelse for møtet.")
        else:
            del self.fields["reason"]

    def starts_at(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["date"], self.cleaned_data["start"])
        )

    def confirm_key(self) -> str:
        """What "Book likevel" confirms (the button's value): this senior at this time for
        this long. Changing any of them asks again."""
        data = self.cleaned_data
        return f"{data['senior'].pk}:{self.starts_at().isoformat()}:{data['duration_minutes']}"

    def clean(self) -> dict[str, Any]:
        super().clean()
        _check_meeting_time(self)
        return self.cleaned_data


def _check_meeting_time(form: forms.Form) -> None:
    """A meeting's date and time: not past, and between 07.00 and 21.00."""
    data = form.cleaned_data
    if data.get("date") and data.get("start"):
        when = timezone.make_aware(datetime.combine(data["date"], data["start"]))
        if when < timezone.now():
            form.add_error("date", _("Tidspunktet har allerede vært."))
        if not time(7) <= data["start"] <= time(21):
            form.add_error("start", _("Velg et tidspunkt mellom 07.00 og 21.00."))


class MeetingMoveForm(forms.Form):
    """A new time for one booked Bli kjent meeting (the leader's)."""

    date = DateField(
        label=_("Ny dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    start = forms.TimeField(
        label=_("Nytt klokkeslett"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Varighet i minutter (høyst 60)"),
        min_value=15,
        max_value=60,
        error_messages={"max_value": _("Bli kjent-møtet varer høyst én time (60 minutter).")},
    )
    reason = forms.CharField(
        label=_("Begrunnelse (valgfritt)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def starts_at(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["date"], self.cleaned_data["start"])
        )

    def confirm_key(self) -> str:
        """What "Flytt likevel" confirms (the button's value): this time for this long."""
        return f"{self.starts_at().isoformat()}:{self.cleaned_data['duration_minutes']}"

    def clean(self) -> dict[str, Any]:
        super().clean()
        _check_meeting_time(self)
        return self.cleaned_data

    @classmethod
    def initial_for(cls, interview: IntakeInterview) -> dict[str, Any]:
        local = timezone.localtime(interview.starts_at)
        return {
            "date": local.date(),
            "start": local.time(),
            "duration_minutes": interview.duration_minutes,
        }


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrunnelse (valgfritt)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class InterviewForm(forms.ModelForm):
    q2_informed = forms.ChoiceField(
        label=IntakeInterview._meta.get_field("q2_informed").verbose_name,
        choices=Informed.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    q3_prepared_by = forms.ChoiceField(
        label=IntakeInterview._meta.get_field("q3_prepared_by").verbose_name,
        choices=Preparer.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    outcome = forms.ChoiceField(
        label=_("Utfall av møtet (må velges før du leverer)"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    decline_reason = forms.ChoiceField(
        label=_("Hvis brukeren takker nei: hvorfor?"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    decline_note = forms.CharField(
        label=_("Beskriv kort (må fylles ut ved «Annet»)"), max_length=300, required=False
    )
    recontact_on = DateField(
        label=_("Kontakt brukeren igjen (valgfritt dato)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=_("Lederen ser brukeren under «Kontakt igjen» på Følg opp fra denne dagen."),
    )
    km = forms.DecimalField(
        label=_("Kilometer kjørt til møtet (registreres med formål «bli kjent møte»)"),
        min_value=0,
        max_value=2000,
        decimal_places=1,
        required=False,
        localize=True,  # "12,5" as written in Norway
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    class Meta:
        model = IntakeInterview
        fields = [
            "q2_informed",
            "q3_prepared_by",
            "q4_contact_name",
            "q4_contact_phone",
            "q5_likes",
            "q6_avoid",
            "q7_cognitive",
            "q8_falls",
            "q9_frequency",
        ]
        widgets = {
            "q5_likes": forms.Textarea(attrs={"rows": 3}),
            "q6_avoid": forms.Textarea(attrs={"rows": 3}),
            "q7_cognitive": forms.Textarea(attrs={"rows": 3}),
            "q8_falls": forms.Textarea(attrs={"rows": 3}),
            "q4_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = list(self.instance.criterion_answers.all())
        for answer in self.answers:
            self.fields[f"k_{answer.pk}"] = forms.ChoiceField(
                label=answer.wording,
                choices=YES_NO,
                widget=forms.RadioSelect,
                required=False,
                initial=_yes_no(answer.met),
            )
        if self.instance.km is not None:
            self.fields["km"].initial = self.instance.km
        outcome = ["outcome", "decline_reason", "decline_note", "recontact_on"]
        for name in outcome:
            value = getattr(self.instance, name)
            if value:
                self.fields[name].initial = value
        # The questions, the three criteria, km, then what the meeting came to.
        self.order_fields([*self.Meta.fields, *(f"k_{a.pk}" for a in self.answers), "km", *outcome])

    def criteria(self) -> dict[int, bool | None]:
        result: dict[int, bool | None] = {}
        for answer in self.answers:
            value = self.cleaned_data.get(f"k_{answer.pk}")
            result[answer.pk] = None if not value else value == "yes"
        return result

    def answers_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}

    def outcome_data(self) -> dict[str, Any]:
        """The outcome as `interview_complete` takes it (keyword arguments)."""
        data = self.cleaned_data
        return {
            "outcome": data.get("outcome") or "",
            "decline_reason": data.get("decline_reason") or "",
            "decline_note": data.get("decline_note") or "",
            "recontact_on": data.get("recontact_on"),
        }


class ServiceAreaForm(forms.ModelForm):
    class Meta:
        model = ServiceArea
        fields = ["name", "is_training", "is_active", "position"]

    def clean_name(self) -> str:
        """A name the organization does not use already (a clear message, not a 500)."""
        name = self.cleaned_data["name"].strip()
        clash = (
            ServiceArea.objects.for_organization(self.instance.organization_id)
            .filter(name__iexact=name)
            .exclude(pk=self.instance.pk)
        )
        if clash.exists():
            raise forms.ValidationError(
                _("Det finnes allerede et tjenesteområde med dette navnet.")
            )
        return name


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["kind", "text", "help_text", "position", "is_active"]


class NotificationFilterForm(forms.Form):
    department = ModelChoiceField(queryset=None, required=False, label=_("Avdeling"))
    date_from = DateField(
        label=_("Fra dato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = DateField(
        label=_("Til dato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, departments, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = cast(ModelChoiceField, self.fields["department"])
        department.queryset = departments
        department.empty_label = _("Alle avdelinger")


def _period_date(label: StrOrPromise) -> DateField:
    return DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"],
        error_messages={
            "required": _("Skriv en dato."),
            "invalid": _("Skriv datoen som dd.mm.åååå, for eksempel 01.01.2026."),
        },
    )


class FunnelPeriodForm(forms.Form):
    """The funnel's period: inquiries registered from `fra` to `til`, both days included;
    `avdeling`: one of the organization's departments, or every one."""

    fra = _period_date(_("Fra og med"))
    til = _period_date(_("Til og med"))
    avdeling = ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Avdeling"),
        empty_label=_("Alle avdelinger"),
        error_messages={"invalid_choice": _("Velg en avdeling fra listen.")},
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ModelChoiceField, self.fields["avdeling"]).queryset = departments

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fra"), data.get("til")
        if start and end and start > end:
            self.add_error("til", _("Til-datoen kan ikke være før fra-datoen."))
        return data
