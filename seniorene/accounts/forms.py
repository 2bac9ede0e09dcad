from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from seniorene.accounts import services
from seniorene.accounts.models import Department, Membership, Role, User
from seniorene.accounts.policy import invitable_roles, sees_all_departments
from seniorene.forms import ModelMultipleChoiceField


def _department_field(membership: Membership) -> ModelMultipleChoiceField:
    qs = Department.objects.for_organization(membership.organization_id).filter(is_active=True)
    if not sees_all_departments(membership):
        qs = qs.filter(pk__in=membership.department_ids)
    return ModelMultipleChoiceField(
        queryset=qs,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Avdelinger"),
    )


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=150)
    email = forms.EmailField(label=_("E-post"))
    role = forms.ChoiceField(label=_("Rolle"))

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = invitable_roles(membership)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]  # type: ignore[attr-defined]
        # The least powerful role first in mind: a slip must not make someone an admin.
        self.fields["role"].initial = Role.SENIOR if Role.SENIOR in roles else roles[-1]
        self.fields["departments"] = _department_field(membership)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"] = _department_field(membership)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=120)
    email = forms.EmailField(label=_("E-post (valgfritt)"), required=False)


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Ditt navn"), max_length=150)
    password1 = forms.CharField(
        label=_("Velg passord"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 10 tegn. Ikke bare tall, og ikke et vanlig passord."),
    )
    password2 = forms.CharField(
        label=_("Gjenta passordet"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Passordene er ikke like."))
        elif p1:
            from seniorene.accounts.models import User

            try:
                validate_password(p1, User(email=self.email, name=data.get("name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class AddEmailForm(allauth_forms.AddEmailForm):  # type: ignore[misc]  # allauth has no types
    """allauth's form to change one's address, refusing one another account uses.

    allauth lets such an address through (so that the form does not reveal who has an
    account), and replacing the login address with it then broke a unique constraint.
    """

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise get_adapter().validation_error("email_taken")
        cleaned: str = super().clean_email()
        return cleaned

    def save(self, request: HttpRequest) -> EmailAddress:
        # allauth takes the one unverified address as the one waiting to replace the login,
        # and removes it when another is added: a login address never recorded as verified
        # (a platform admin made with createsuperuser) went with it, leaving no login
        # address at all. The address one logs in with is the one that stays until the new
        # one is confirmed, so record it as such first.
        services.email_address_verify(user=self.user)
        address: EmailAddress = super().save(request)
        return address
