from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import COMMENT_MAX, SATISFACTION_WORDS, Helps


class AnswerForm(forms.Form):
    """The three questions: how satisfied (1–5, in words), does it help, a free comment."""

    satisfaction = forms.TypedChoiceField(
        label=_("Hvor fornøyd er du med besøkene?"),
        choices=(),  # set per form: the words follow the request's language
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg hvor fornøyd du er.")},
    )
    helps = forms.ChoiceField(
        label=_("Hjelper besøkene?"),
        choices=Helps.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Svar ja, delvis eller nei.")},
    )
    comment = forms.CharField(
        label=_("Vil du si noe mer? (frivillig)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": COMMENT_MAX}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["satisfaction"])
        field.choices = [(n, f"{n} – {words}") for n, words in SATISFACTION_WORDS.items()]
