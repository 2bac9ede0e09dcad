"""The log's filters: who, what kind, which Oslo days, and the object's name."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seniorene.accounts.models import Membership, Organization
from seniorene.audit import sentences
from seniorene.forms import DateField, plain_text


class LogFilterForm(forms.Form):
    """Read from the query string; a field that does not parse is left out with a notice."""

    q = forms.CharField(label=gettext_lazy("Søk etter objekt"), required=False, max_length=100)
    person = forms.TypedChoiceField(label=gettext_lazy("Person"), required=False, coerce=int)
    slag = forms.ChoiceField(label=gettext_lazy("Slag hendelse"), required=False)
    fra = DateField(label=gettext_lazy("Fra dato"), required=False)
    til = DateField(label=gettext_lazy("Til dato"), required=False)

    def __init__(self, data: Any, *, organization: Organization, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        people = (
            Membership.objects.for_organization(organization)
            .select_related("user")
            .order_by("user__name", "user__email")
        )
        everyone = ("", _("Alle"))
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            everyone,
            *((m.user_id, str(m.user)) for m in people),
        ]
        cast(forms.ChoiceField, self.fields["slag"]).choices = [
            ("", _("Alle slag")),
            *sentences.kind_choices(),
        ]
        self.fields["q"].widget.input_type = "search"
        for name in ("fra", "til"):
            self.fields[name].widget.input_type = "date"

    def filters(self) -> tuple[dict[str, Any], list[str]]:
        """The filters that parsed, and a Norwegian notice for each one left out."""
        self.is_valid()
        notices: list[str] = []
        chosen: dict[str, Any] = {}
        for name in self.fields:
            if name in self.errors:
                notices.append(self._notice(name))
            elif self.cleaned_data.get(name) not in (None, ""):
                chosen[name] = self.cleaned_data[name]
        if "person" in self.errors:
            person = self._foreign_person()
            if person is not None:  # a well-formed id not of ours: filtered, so nothing shows
                chosen["person"] = person
        if "q" in chosen:
            chosen["q"] = plain_text(chosen["q"], 100)
        since, until = chosen.get("fra"), chosen.get("til")
        if isinstance(since, date) and isinstance(until, date) and since > until:
            del chosen["fra"], chosen["til"]
            notices.append(_("Fra-datoen er etter til-datoen, så datoene er ikke brukt."))
        return chosen, notices

    def _foreign_person(self) -> int | None:
        raw = str(self.data.get("person", "")).strip()
        if not raw.isdecimal() or not raw.isascii():
            return None
        low, high = connection.ops.integer_field_range("BigAutoField")
        number = int(raw)
        return number if low <= number <= high else None

    def _notice(self, name: str) -> str:
        if name == "person":
            return _("Personen finnes ikke i organisasjonen, så listen er tom for dette valget.")
        if name == "slag":
            return _("Vi kjenner ikke igjen slaget av hendelse, så det er ikke brukt.")
        if name in ("fra", "til"):
            return _("«%(label)s» er ikke en gyldig dato, så den er ikke brukt.") % {
                "label": self.fields[name].label
            }
        return _("Søket er for langt eller har tegn som ikke kan brukes, så det er ikke brukt.")
