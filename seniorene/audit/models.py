"""What happened (AuditEvent) and who looked (ViewRecord), per organization."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seniorene.accounts.models import TenantModel


class AuditEvent(TenantModel):
    """Who did what to which object, and when. Rows are only ever added."""

    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    action = models.CharField(_("handling"), max_length=60)
    object_type = models.CharField(_("objekttype"), max_length=60, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=40, blank=True)
    object_repr = models.CharField(_("objekt"), max_length=200, blank=True)
    details = models.JSONField(_("detaljer"), default=dict, blank=True)

    class Meta:
        verbose_name = _("hendelse")
        verbose_name_plural = _("hendelser")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class ViewRecord(TenantModel):
    """A person opened a sensitive page or downloaded a sensitive file."""

    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("hvem")
    )
    what = models.CharField(_("hva"), max_length=60)
    object_type = models.CharField(_("objekttype"), max_length=60)
    object_id = models.CharField(_("objekt-id"), max_length=40)
    object_repr = models.CharField(_("objekt"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("innsyn")
        verbose_name_plural = _("innsyn")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.viewer_id} {self.what}"
