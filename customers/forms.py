from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from phonenumber_field.formfields import PhoneNumberField

from customers.models import (
    NOTE_MAX,
    UNKNOWN_SOURCE_LABEL,
    CareRecipient,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    CustomerKind,
    InquirySource,
    Partner,
    RecipientStatus,
    Relative,
)
from seniorene.accounts.models import Department, Membership, MembershipDepartment, Role
from seniorene.accounts.scope import DepartmentScope
from seniorene.forms import DateField, ModelChoiceField, ModelMultipleChoiceField

PHONE_ERROR = _("Skriv et gyldig norsk telefonnummer, for eksempel 912 34 567.")
NO_MARKUP = _("Teksten kan ikke inneholde tegnene < eller >.")


def _no_markup(value: str) -> str:
    if "<" in value or ">" in value:
        raise forms.ValidationError(NO_MARKUP)
    return value.strip()


def _phone_field(label: StrOrPromise, required: bool = False) -> PhoneNumberField:
    return PhoneNumberField(
        label=label,
        region="NO",
        required=required,
        error_messages={"invalid": PHONE_ERROR},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def visible_departments(membership: Membership):
    rows = Department.objects.for_organization(membership.organization_id).filter(is_active=True)
    return DepartmentScope.of(membership).filter(rows, "pk")


class MemberChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.name


class LeaderChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.name


class RecipientForm(forms.ModelForm):
    phone = _phone_field(_("Telefon"))
    postal_code = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    date_of_birth = DateField(
        label=_("Fødselsdato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"],
        error_messages={"invalid": _("Skriv datoen som dd.mm.åååå, for eksempel 03.04.1941.")},
    )
    key_notes = forms.CharField(
        label=_("Viktige merknader"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Det seniorene må vite før besøket: nøkkel, dørkode, hørsel, allergier."),
        error_messages={
            "max_length": _("Merknadene kan være høyst %(limit_value)d tegn (nå %(show_value)d).")
        },
    )

    class Meta:
        model = CareRecipient
        fields = [
            "name",
            "date_of_birth",
            "address",
            "postal_code",
            "city",
            "phone",
            "department",
            "contact_person",
            "key_notes",
            "inquiry_source",
            "inquiry_partner",
            "inquiry_source_note",
        ]

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        department = cast(forms.ModelChoiceField, self.fields["department"])
        department.queryset = visible_departments(membership)
        department.empty_label = None
        leaders = Membership.objects.for_organization(membership.organization_id).filter(
            role__in=[Role.LEADER, Role.LEAD], is_active=True
        )
        self.fields["contact_person"] = LeaderChoiceField(
            queryset=leaders.select_related("user").order_by("user__name"),
            required=False,
            label=_("Kontaktperson for pårørende"),
            help_text=_("Avdelingslederen som pårørende kan ringe."),
        )
        if not self.instance.pk:
            # A new card's contact person is the department leader (issue 21): the leader
            # filling it in, else the first department's leader (by name); `clean` fills
            # in the chosen department's leader when it is left empty.
            first = department.queryset.first()
            if membership.role == Role.LEADER:
                self.fields["contact_person"].initial = membership.pk
            elif first is not None:
                self.fields["contact_person"].initial = self._department_leader(first.pk)
        seniors = Membership.objects.for_organization(membership.organization_id).filter(
            role=Role.SENIOR, is_active=True
        )
        scope = DepartmentScope.of(membership)
        if not scope.is_all:
            seniors = scope.filter(seniors, "membershipdepartment__department_id").distinct()
        self.fields["seniors"] = MemberChoiceField(
            queryset=seniors.select_related("user").order_by("user__name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Seniorer som besøker"),
        )
        if self.instance.pk:
            self.fields["seniors"].initial = list(
                self.instance.seniors.values_list("pk", flat=True)
            )
        self.fields["postal_code"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})
        self._inquiry_fields(membership)

    def _inquiry_fields(self, membership: Membership) -> None:
        """How the inquiry came: a new recipient must say (no default: the leader chooses);
        an older one without it may stay "Ukjent"."""
        creating = not self.instance.pk
        choices: list[tuple[str, StrOrPromise]] = list(InquirySource.choices)
        if not creating:
            choices.insert(0, ("", UNKNOWN_SOURCE_LABEL))
        self.fields["inquiry_source"] = forms.ChoiceField(
            label=_("Hvordan kom henvendelsen?"),
            choices=choices,
            required=creating,
            widget=forms.RadioSelect,
            error_messages={"required": _("Velg hvordan henvendelsen kom.")},
        )
        partners = Partner.objects.for_organization(membership.organization_id)
        current = self.instance.inquiry_partner_id if not creating else None
        partners = partners.filter(Q(is_active=True) | Q(pk=current)).order_by("name")
        self.fields["inquiry_partner"] = ModelChoiceField(
            queryset=partners,
            required=False,
            label=_("Hvilken samarbeidspartner?"),
            empty_label=_("Velg samarbeidspartner"),
            help_text=_("Bare når henvendelsen kom via en samarbeidspartner.")
            if partners.exists()
            else _(
                "Ingen samarbeidspartnere er registrert ennå. Velg «Annet» og skriv navnet, "
                "så kan administrasjonen legge den inn."
            ),
        )
        self.fields["inquiry_source_note"] = forms.CharField(
            label=_("Utdyp (valgfritt)"),
            required=False,
            max_length=200,
            help_text=_("For eksempel hvilken messe, eller hva «annet» var."),
        )

    def clean_inquiry_source_note(self) -> str:
        return _no_markup(self.cleaned_data["inquiry_source_note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("inquiry_source")
        if source == InquirySource.PARTNER and not data.get("inquiry_partner"):
            self.add_error(
                "inquiry_partner", _("Velg hvilken samarbeidspartner henvendelsen kom via.")
            )
        if source != InquirySource.PARTNER:
            data["inquiry_partner"] = None
        if not self.instance.pk and not data.get("contact_person") and data.get("department"):
            data["contact_person"] = self._department_leader(data["department"].pk)
        return data

    def _department_leader(self, department_id: int) -> Membership | None:
        """The department's active leader first by name (the default contact person)."""
        return (
            Membership.objects.for_organization(self.membership.organization_id)
            .filter(
                role=Role.LEADER,
                is_active=True,
                membershipdepartment__department_id=department_id,
            )
            .order_by("user__name", "pk")
            .first()
        )

    def clean_name(self) -> str:
        return _no_markup(self.cleaned_data["name"])

    def clean_address(self) -> str:
        return _no_markup(self.cleaned_data["address"])

    def clean_city(self) -> str:
        return _no_markup(self.cleaned_data["city"])

    def clean_postal_code(self) -> str:
        value = self.cleaned_data["postal_code"].strip()
        if value and (len(value) != 4 or not (value.isascii() and value.isdigit())):
            raise forms.ValidationError(_("Postnummeret har fire sifre."))
        return value

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("Fødselsdatoen kan ikke være i fremtiden."))
        if born.year < today.year - 120:
            raise forms.ValidationError(_("Sjekk fødselsåret: personen ville vært over 120 år."))
        return born


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Ny status"), choices=RecipientStatus.choices)
    reason = forms.CharField(
        label=_("Begrunnelse"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RelativeForm(forms.ModelForm):
    phone = _phone_field(_("Mobil"))

    class Meta:
        model = Relative
        fields = ["name", "relation", "phone", "email", "contact_during_visits", "ordered_service"]

    def clean_name(self) -> str:
        return _no_markup(self.cleaned_data["name"])


ORGANIZATION_KINDS = (CustomerKind.MUNICIPALITY, CustomerKind.NURSING_HOME)
_ORGANIZATION_FIELDS = (
    "name",
    "org_number",
    "invoice_reference",
    "contact_name",
    "contact_phone",
    "contact_email",
)
# The fields that matter for each kind of customer (the project number for every kind).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    CustomerKind.RECIPIENT: (),
    CustomerKind.RELATIVE: ("relative",),
    CustomerKind.MUNICIPALITY: _ORGANIZATION_FIELDS,
    CustomerKind.NURSING_HOME: _ORGANIZATION_FIELDS,
}
KIND_SPECIFIC = ("relative", *_ORGANIZATION_FIELDS)


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Hvem bestiller og betaler?"),
        choices=CustomerKind.choices,
        widget=forms.RadioSelect,
    )
    relative = ModelChoiceField(
        queryset=Relative.objects.none(), required=False, label=_("Pårørende som er kunde")
    )
    name = forms.CharField(label=_("Navn på kommune/sykehjem"), max_length=150, required=False)
    org_number = forms.CharField(label=_("Organisasjonsnummer"), max_length=11, required=False)
    invoice_reference = forms.CharField(label=_("Fakturareferanse"), max_length=100, required=False)
    project_number = forms.CharField(
        label=_("Prosjektnummer i Tripletex"),
        max_length=30,
        required=False,
        help_text=_("Timer, kilometer og utlegg eksporteres med dette prosjektnummeret."),
    )
    contact_name = forms.CharField(label=_("Kontaktperson"), max_length=150, required=False)
    contact_phone = _phone_field(_("Kontaktperson telefon"))
    contact_email = forms.EmailField(label=_("Kontaktperson e-post"), required=False)

    def __init__(self, *args: Any, recipient: CareRecipient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ModelChoiceField, self.fields["relative"]).queryset = recipient.relatives.all()

    def kind_fields(self) -> list[tuple[forms.BoundField, str]]:
        """Each field with the kinds it belongs to ("" for every kind), for the template:
        `static/js/customer-kind.js` hides the others; without JavaScript all show and
        `clean` ignores those that do not belong to the chosen kind."""
        kinds_of: dict[str, list[str]] = {}
        for kind, names in KIND_FIELDS.items():
            for name in names:
                kinds_of.setdefault(name, []).append(str(kind))
        return [
            (self[name], " ".join(kinds_of[name]) if name in kinds_of else "")
            for name in self.fields
        ]

    def clean(self) -> dict[str, Any]:
        """Keep only what matters for the chosen kind: the other fields are emptied and their
        errors dropped (what a leader typed before changing the kind is not saved)."""
        super().clean()
        kind = self.cleaned_data.get("kind")
        if kind not in KIND_FIELDS:
            return self.cleaned_data
        keep = set(KIND_FIELDS[kind])
        for name in KIND_SPECIFIC:
            if name not in keep:
                self.errors.pop(name, None)
                self.cleaned_data[name] = None if name == "relative" else ""
        given = self.cleaned_data.get
        if (
            kind == CustomerKind.RELATIVE
            and not given("relative")
            and "relative" not in self.errors
        ):
            self.add_error("relative", _("Velg hvilken pårørende som er kunde."))
        if kind in ORGANIZATION_KINDS and not given("name") and "name" not in self.errors:
            self.add_error("name", _("Skriv navnet på kommunen eller sykehjemmet."))
        return self.cleaned_data

    def clean_org_number(self) -> str:
        value = self.cleaned_data["org_number"].replace(" ", "")
        if value and (len(value) != 9 or not (value.isascii() and value.isdigit())):
            raise forms.ValidationError(_("Organisasjonsnummeret har ni sifre."))
        return value

    def clean_name(self) -> str:
        return _no_markup(self.cleaned_data["name"])


class ConsentForm(forms.Form):
    """One person's consent to one or more purposes at once: one giver, method and time
    shared; each purpose becomes its own row (`services.consents_give`)."""

    person = forms.ChoiceField(label=_("Hvem kan motta"))
    # Named "purpose" (not "purposes"): a post with one purpose, as before, still works.
    purpose = forms.MultipleChoiceField(
        label=_("Formål (kryss av for alle det er sagt ja til)"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kryss av for minst ett formål.")},
    )
    given_by = forms.ChoiceField(
        label=_("Samtykket er gitt av"),
        choices=ConsentGiver.choices,
        widget=forms.RadioSelect,
        initial=ConsentGiver.RECIPIENT,
    )
    given_by_name = forms.CharField(
        label=_("Navn på verge/fullmektig"), max_length=150, required=False
    )
    method = forms.ChoiceField(
        label=_("Hvordan"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        initial=ConsentMethod.VERBAL,
    )

    def __init__(self, *args: Any, recipient: CareRecipient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipient = recipient
        choices = [("self", _("%(name)s (brukeren selv)") % {"name": recipient.name})]
        choices += [(str(r.pk), str(r)) for r in recipient.relatives.all()]
        cast(forms.ChoiceField, self.fields["person"]).choices = choices
        # What each person has already said yes to (active consents), by purpose label.
        labels = dict(ConsentPurpose.choices)
        given: dict[str, list[str]] = {}
        for relative_id, purpose in (
            recipient.consents.filter(withdrawn_at__isnull=True)
            .order_by("purpose")
            .values_list("relative_id", "purpose")
        ):
            key = "self" if relative_id is None else str(relative_id)
            given.setdefault(key, []).append(str(labels.get(purpose, purpose)))
        self.already_given = [(label, given[key]) for key, label in choices if key in given]
        person = self.data.get("person") if self.is_bound else self.initial.get("person")
        chosen = given.get(str(person or "self"), [])
        if chosen:
            cast(forms.MultipleChoiceField, self.fields["purpose"]).choices = [
                (value, f"{label} ({_('allerede gitt')})" if str(label) in chosen else label)
                for value, label in ConsentPurpose.choices
            ]

    def clean_given_by_name(self) -> str:
        return _no_markup(self.cleaned_data["given_by_name"])

    def relative(self) -> Relative | None:
        person = self.cleaned_data["person"]
        return None if person == "self" else self.recipient.relatives.get(pk=int(person))


class RecipientFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk"), required=False, max_length=100)
    department = ModelChoiceField(
        queryset=Department.objects.none(), required=False, label=_("Avdeling")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle unntatt avsluttet"))]
        + list(RecipientStatus.choices)
        + [("all", _("Alle"))],
    )
    # Labelled by the member's name, like the contact person (LeaderChoiceField).
    senior = LeaderChoiceField(
        queryset=Membership.objects.none(), required=False, label=_("Senior")
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = cast(ModelChoiceField, self.fields["department"])
        department.queryset = visible_departments(membership)
        department.empty_label = _("Alle avdelinger")
        seniors = Membership.objects.for_organization(membership.organization_id).filter(
            role=Role.SENIOR
        )
        scope = DepartmentScope.of(membership)
        if not scope.is_all:
            # A leader filters by the seniors of the departments they lead.
            seniors = seniors.filter(
                pk__in=scope.filter(MembershipDepartment.objects.all()).values("membership_id")
            )
        senior = cast(LeaderChoiceField, self.fields["senior"])
        senior.queryset = seniors.select_related("user").order_by("user__name")
        senior.empty_label = _("Alle seniorer")


class PartnerForm(forms.ModelForm):
    phone = _phone_field(_("Telefon"))

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "contact_name",
            "phone",
            "email",
            "follow_up",
            "notes",
            "is_active",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = Membership.objects.for_organization(membership.organization_id).filter(
            role__in=[Role.ADMIN, Role.LEAD, Role.LEADER], is_active=True
        )
        self.fields["follow_up"] = LeaderChoiceField(
            queryset=staff.select_related("user").order_by("user__name"),
            required=False,
            label=_("Følges opp av"),
            empty_label=_("Ingen valgt"),
            help_text=_("Hvem hos oss som holder kontakten."),
        )
        self.fields["name"].label = _("Organisasjon")
        self.fields["contact_name"].label = _("Kontaktperson")
        self.fields["email"].label = _("E-post")
        self.fields["notes"].label = _("Notater")
        self.fields["is_active"].label = _("Aktiv samarbeidspartner")
        self.fields["is_active"].help_text = _(
            "Bare aktive kan velges når en ny bruker registreres."
        )

    def clean_name(self) -> str:
        return _no_markup(self.cleaned_data["name"])

    def clean_contact_name(self) -> str:
        return _no_markup(self.cleaned_data["contact_name"])


class PartnerMeetingForm(forms.Form):
    held_on = DateField(
        label=_("Dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"],
        error_messages={
            "required": _("Skriv datoen for møtet."),
            "invalid": _("Skriv datoen som dd.mm.åååå, for eksempel 03.04.2026."),
        },
    )
    note = forms.CharField(
        label=_("Notat"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hva ble sagt, hva er avtalt videre."),
    )
    attendees = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Med fra oss"),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.for_organization(membership.organization_id).filter(
            is_active=True
        )
        attendees = cast(MemberChoiceField, self.fields["attendees"])
        attendees.queryset = members.select_related("user").order_by("user__name")

    def clean_held_on(self) -> date:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("Et møte som er holdt, kan ikke ha en dato fram i tid."))
        return held_on
