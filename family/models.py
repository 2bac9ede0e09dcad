"""What relatives ask for from their own page: cancel or move a visit (issue 21).

More than `CANCEL_NOTICE_HOURS` ahead a relative cancels a visit themself
(`family.services.visit_cancel_by_relative`); closer than that, or to move a visit, they
send a `VisitRequest` that the department's leader answers from *Følg opp* or the card,
and the answer shows on the relative's page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient, Relative
from seniorene.accounts.models import TenantModel
from visits.models import Visit


class RequestKind(models.TextChoices):
    CANCEL = "cancel", _("Avlyse")
    MOVE = "move", _("Flytte")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Venter på svar")
    ANSWERED = "answered", _("Besvart")


class VisitRequest(TenantModel):
    """A relative's request to cancel or move one visit, and the leader's answer."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, related_name="visit_requests"
    )
    relative = models.ForeignKey(Relative, on_delete=models.CASCADE, related_name="visit_requests")
    kind = models.CharField(_("ønske"), max_length=10, choices=RequestKind.choices)
    wished_time = models.CharField(_("ønsket tidspunkt"), max_length=200, blank=True)
    note = models.TextField(_("melding"), blank=True, validators=[MaxLengthValidator(1000)])
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created_at = models.DateTimeField()
    answer = models.TextField(_("svar"), blank=True, validators=[MaxLengthValidator(1000)])
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ønske fra pårørende")
        verbose_name_plural = _("ønsker fra pårørende")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_id}"
