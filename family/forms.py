from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers.relative_access import CODE_DIGITS


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Koden fra SMS-en"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_code(self) -> str:
        digits = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(digits) != CODE_DIGITS:
            raise ValidationError(_("Koden har %(n)s sifre.") % {"n": CODE_DIGITS})
        return digits


class NewLinkForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobilnummeret ditt"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Vi sender bare til nummeret vi har registrert på deg."),
    )


class VisitChangeForm(forms.Form):
    action = forms.ChoiceField(label=_("Hva ønsker du?"), widget=forms.RadioSelect)
    wished_time = forms.CharField(
        label=_("Når passer det bedre?"),
        max_length=200,
        required=False,
        help_text=_("For eksempel «torsdag etter kl. 12» eller «uka etter»."),
    )
    note = forms.CharField(
        label=_("Begrunnelse eller melding"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, may_cancel: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("move", _("Be om å flytte besøket"))]
        if may_cancel:
            choices.insert(0, ("cancel", _("Avlys besøket")))
        else:
            choices.insert(0, ("request_cancel", _("Be om å avlyse besøket")))
        action = self.fields["action"]
        if isinstance(action, forms.ChoiceField):
            action.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in ("cancel", "request_cancel") and not (data.get("note") or "").strip():
            self.add_error("note", _("Skriv kort hvorfor besøket avlyses."))
        if action == "move" and not (
            (data.get("wished_time") or "").strip() or (data.get("note") or "").strip()
        ):
            self.add_error("wished_time", _("Skriv når det passer bedre."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Svar til den pårørende"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Svaret vises på siden til den pårørende."),
    )
