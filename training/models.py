"""Training modules, what each senior has completed, and the monthly team meeting."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db import models
from django.utils.translation import gettext_lazy as _

from seniorene.accounts.models import Membership, TenantModel


class ModuleKind(models.TextChoices):
    VIDEO = "video", _("Video")
    READING = "reading", _("Lesestoff")
    DECLARATION = "declaration", _("Taushetserklæring")


def video_upload_to(instance: TrainingModule, filename: str) -> str:
    """Private path for an uploaded video: per organization, with an unguessable name."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"training/videos/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


@dataclass(frozen=True)
class TextBlock:
    """One block of a module's text: a heading, a paragraph or a bullet list."""

    kind: str  # "h2", "h3", "p" or "ul"
    text: str = ""
    items: tuple[str, ...] = ()


def text_blocks(text: str) -> list[TextBlock]:
    """Split plain module text into blocks.

    The text is stored plain (never HTML): ``# `` starts a heading, ``## `` a
    subheading, ``- `` a bullet; a blank line ends a paragraph. Templates
    render the blocks with autoescaping, so content cannot inject markup.
    """
    blocks: list[TextBlock] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(TextBlock("p", " ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(TextBlock("ul", items=tuple(items)))
            items.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(TextBlock("h3", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(TextBlock("h2", line[2:].strip()))
        elif line.startswith(("- ", "* ")):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif items and raw[:1].isspace():
            items[-1] = f"{items[-1]} {line}"  # an indented line continues the bullet
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return blocks


class TrainingModule(TenantModel):
    """One part of the training: a video, something to read, or the confidentiality declaration.

    `version` counts the declaration's texts: a new text is a new version and
    everyone must accept it again (R6). Other modules stay at version 1.
    """

    key = models.SlugField(
        _("nøkkel"),
        max_length=40,
        blank=True,
        help_text=_("Satt på standardmodulene, så de kan legges inn på nytt uten dobbelt."),
    )
    kind = models.CharField(_("type"), max_length=12, choices=ModuleKind.choices)
    title = models.CharField(_("tittel"), max_length=120)
    body = models.TextField(
        _("tekst"),
        blank=True,
        help_text=_("Vanlig tekst. «# » gir overskrift, «## » underoverskrift, «- » punktliste."),
    )
    video_url = models.URLField(_("lenke til video"), blank=True)
    video_file = models.FileField(_("videofil"), upload_to=video_upload_to, blank=True)
    is_required = models.BooleanField(_("påkrevd"), default=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    version = models.PositiveIntegerField(_("versjon"), default=1)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        verbose_name = _("opplæringsmodul")
        verbose_name_plural = _("opplæringsmoduler")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"],
                condition=~models.Q(key=""),
                name="training_module_key_unique",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(kind="declaration"),
                name="training_one_declaration",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="declaration")
                | models.Q(is_required=True, is_active=True),
                name="training_declaration_required",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_declaration(self) -> bool:
        return self.kind == ModuleKind.DECLARATION

    @property
    def is_printable(self) -> bool:
        """Reading modules (the course plans, the interview form) print as PDF."""
        return self.kind == ModuleKind.READING

    def blocks(self) -> list[TextBlock]:
        return text_blocks(self.body)

    def video_content_type(self) -> str:
        suffix = PurePosixPath(self.video_file.name or "").suffix.lower()
        return VIDEO_TYPES.get(suffix, "application/octet-stream")


VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
}


class TrainingCompletion(TenantModel):
    """A senior finished `module` (at its `version`); for the declaration, the signature."""

    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="completions")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="training_completions"
    )
    version = models.PositiveIntegerField(_("versjon"))
    completed_at = models.DateTimeField(_("fullført"))
    # The declaration only: the name the senior signed with and the exact text accepted.
    signed_name = models.CharField(_("signert med navn"), max_length=150, blank=True)
    accepted_text = models.TextField(_("godtatt tekst"), blank=True)

    class Meta:
        verbose_name = _("fullført modul")
        verbose_name_plural = _("fullførte moduler")
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "membership", "version"], name="training_completion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} ✓ {self.module_id} v{self.version}"


class TeamMeeting(TenantModel):
    """The monthly team meeting of an organization: one per month."""

    year = models.PositiveSmallIntegerField(_("år"))
    month = models.PositiveSmallIntegerField(_("måned"))
    starts_at = models.DateTimeField(_("tidspunkt"))
    link = models.URLField(_("møtelenke"), max_length=500)
    note = models.TextField(_("melding"), blank=True)
    minutes = models.TextField(_("referat"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("teamsmøte")
        verbose_name_plural = _("teamsmøter")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "month"], name="team_meeting_month_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="team_meeting_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class TeamMeetingInvite(TenantModel):
    """The meeting link to one senior: one row per meeting and person.

    Sending goes through the one send-once claim (``team-meeting:<invite id>``, see
    `seniorene.jobs.services.notice_send`), which also holds its attempts and last error;
    `sent_at` records when it went out."""

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE, related_name="invites")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    attended = models.BooleanField(_("kom"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitasjon til teamsmøte")
        verbose_name_plural = _("invitasjoner til teamsmøte")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="team_meeting_invite_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.membership_id}"


class PostenStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SENT = "sent", _("Sendt")


class Seniorposten(TenantModel):
    """The department leader's monthly letter to the department's seniors ("Seniorposten",
    in the manual sent "fra avdelingsleder i begynnelsen av hver måned"), one per department
    and month. A draft may be changed until it is sent; a sent letter is read-only.

    `body` is plain text (the training modules' small markup: ``# `` heading, ``- ``
    bullet, blank line between paragraphs); http(s) addresses become links when shown,
    everything else is escaped. The month's team meeting is filled in from `TeamMeeting`
    while it is a draft and kept (`meeting_starts_at`, `meeting_link`) when it is sent.
    Each senior gets it once per channel: the e-mail through the notice claim
    ``seniorposten:<id>:<senior>:email``, the SMS keyed ``seniorposten:<id>:<senior>:sms``.
    """

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    month = models.PositiveSmallIntegerField(_("måned"))
    title = models.CharField(_("tittel"), max_length=120)
    body = models.TextField(_("tekst"), max_length=6000)
    status = models.CharField(
        _("status"), max_length=10, choices=PostenStatus.choices, default=PostenStatus.DRAFT
    )
    meeting_starts_at = models.DateTimeField(_("teamsmøtet"), null=True, blank=True)
    meeting_link = models.URLField(_("lenke til teamsmøtet"), max_length=500, blank=True)
    written_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Seniorposten")
        verbose_name_plural = _("Seniorposten")
        ordering = ["-year", "-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "month"], name="seniorposten_month_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="seniorposten_month_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="seniorposten_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sent(self) -> bool:
        return self.status == PostenStatus.SENT
