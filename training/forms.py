from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seniorene.forms import DateField
from training.models import VIDEO_TYPES, ModuleKind, TeamMeeting, TrainingModule

MAX_VIDEO_BYTES = 500 * 1024 * 1024


class ModuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ModuleKind.choices)
    title = forms.CharField(label=_("Tittel"), max_length=120)
    body = forms.CharField(
        label=_("Tekst"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=TrainingModule._meta.get_field("body").help_text,
    )
    video_url = forms.URLField(
        label=_("Lenke til video"),
        required=False,
        assume_scheme="https",
        help_text=_("For video: en lenke, eller last opp en fil under."),
    )
    video_file = forms.FileField(
        label=_("Videofil"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(VIDEO_TYPES.values()))}),
        help_text=_("MP4, WebM eller MOV, høyst 500 MB. Filen vises bare for innloggede."),
    )
    is_required = forms.BooleanField(label=_("Påkrevd før oppdrag"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("I bruk"), required=False, initial=True)
    position = forms.IntegerField(label=_("Rekkefølge"), min_value=0, max_value=9999, initial=0)

    def __init__(self, *args: Any, module: TrainingModule | None = None, **kwargs: Any) -> None:
        if module is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": module.kind,
                    "title": module.title,
                    "body": module.body,
                    "video_url": module.video_url,
                    "video_file": module.video_file or None,
                    "is_required": module.is_required,
                    "is_active": module.is_active,
                    "position": module.position,
                },
            )
        super().__init__(*args, **kwargs)
        self.module = module
        if module is not None:
            # The type of an existing module never changes.
            self.fields["kind"].disabled = True
            self.fields["kind"].required = False
            if module.is_declaration:
                for name in ("is_required", "is_active", "video_url", "video_file"):
                    del self.fields[name]
                self.fields["body"].help_text = _(
                    "Endrer du teksten, blir det en ny versjon som alle seniorer må godta på nytt."
                )
            elif module.kind != ModuleKind.VIDEO:
                del self.fields["video_url"]
                del self.fields["video_file"]

    def clean_video_file(self) -> Any:
        upload = self.cleaned_data.get("video_file")
        if not isinstance(upload, UploadedFile):
            return upload  # no new file: the current one (or False to remove it)
        name = cast(str, upload.name)  # an upload always has a name and a size
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in VIDEO_TYPES:
            raise forms.ValidationError(_("Last opp en videofil (MP4, WebM eller MOV)."))
        if cast(int, upload.size) > MAX_VIDEO_BYTES:
            raise forms.ValidationError(_("Filen er større enn 500 MB."))
        return upload

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments for `module_save`."""
        data = self.cleaned_data
        module = self.module
        upload = data.get("video_file")
        return {
            "kind": module.kind if module is not None else data["kind"],
            "title": data["title"],
            "body": data.get("body", ""),
            "video_url": data.get("video_url", ""),
            "video_file": upload if isinstance(upload, UploadedFile) else None,
            "clear_video_file": upload is False,
            "is_required": data.get("is_required", True),
            "is_active": data.get("is_active", True),
            "position": data["position"],
        }


class DeclarationForm(forms.Form):
    signed_name = forms.CharField(
        label=_("Ditt fulle navn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirm = forms.BooleanField(
        label=_("Jeg har lest taushetserklæringen og lover å overholde den."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamMeetingForm(forms.Form):
    date = DateField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Klokkeslett"), widget=forms.TimeInput(attrs={"type": "time"}))
    link = forms.URLField(label=_("Møtelenke"), max_length=500, assume_scheme="https")
    note = forms.CharField(
        label=_("Kort melding (valgfritt)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kommer med i e-posten, for eksempel hva som tas opp."),
    )

    def __init__(self, *args: Any, meeting: TeamMeeting | None = None, **kwargs: Any) -> None:
        if meeting is not None:
            local = timezone.localtime(meeting.starts_at)
            kwargs.setdefault(
                "initial",
                {
                    "date": local.date(),
                    "time": local.time().replace(second=0, microsecond=0),
                    "link": meeting.link,
                    "note": meeting.note,
                },
            )
        super().__init__(*args, **kwargs)

    def starts_at(self) -> dt.datetime:
        """The chosen date and time as an aware datetime in Oslo time."""
        naive = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(naive)


def _months_around(today: dt.date, keep: tuple[int, int] | None) -> list[tuple[str, str]]:
    """Last month, this month and the next three as choices ("2026-03", "mars 2026"), with
    `keep` (a draft's own month) always among them."""
    from training.posten_selectors import month_name

    months = []
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    for _n in range(5):
        months.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    if keep is not None and keep not in months:
        months.insert(0, keep)
    return [(f"{y:04d}-{m:02d}", month_name(y, m)) for y, m in months]


class SeniorpostenForm(forms.Form):
    """A Seniorposten draft: for which department and month, a title and the text."""

    department = forms.TypedChoiceField(label=_("Avdeling"), coerce=int)
    month = forms.ChoiceField(label=_("Måned"))
    title = forms.CharField(
        label=_("Tittel"),
        max_length=120,
        required=False,
        help_text=_("Tomt: «Seniorposten» og måneden."),
    )
    body = forms.CharField(
        label=_("Tekst"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Vanlig tekst. Lenker som begynner med https:// blir klikkbare. «# » gir "
            "overskrift, «- » punktliste, en tom linje ny avsnitt. Månedens teamsmøte "
            "(tid og lenke) kommer med av seg selv."
        ),
    )

    def __init__(
        self,
        *args: Any,
        departments: list[Any],
        issue: Any = None,
        today: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        today = today or timezone.localdate()
        keep = (issue.year, issue.month) if issue is not None else None
        if issue is not None:
            kwargs.setdefault(
                "initial",
                {
                    "department": issue.department_id,
                    "month": f"{issue.year:04d}-{issue.month:02d}",
                    "title": issue.title,
                    "body": issue.body,
                },
            )
        else:
            kwargs.setdefault("initial", {"month": f"{today.year:04d}-{today.month:02d}"})
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            (d.pk, d.name) for d in departments
        ]
        cast(forms.ChoiceField, self.fields["month"]).choices = _months_around(today, keep)
        self.departments = {d.pk: d for d in departments}

    def year_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["month"].split("-")
        return int(year), int(month)

    def chosen_department(self) -> Any:
        return self.departments[self.cleaned_data["department"]]
