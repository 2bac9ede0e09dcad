"""Django admin, for platform superusers only (organizations use the outbox page)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from messaging.models import SmsMessage, StaffSmsConsent, UnmatchedInboundSms


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at runtime
    list_display = ["id", "organization", "purpose", "audience", "status", "send_after", "sent_at"]
    list_filter = ["status", "purpose", "organization"]
    search_fields = ["idempotency_key", "provider_sid"]
    readonly_fields = [f.name for f in SmsMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(StaffSmsConsent)
class StaffSmsConsentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["membership", "organization", "given_at", "withdrawn_at"]
    raw_id_fields = ["membership", "recorded_by"]


@admin.register(UnmatchedInboundSms)
class UnmatchedInboundSmsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """SMS from numbers no organization knows: platform staff read them and mark them handled
    (no organization's admin ever sees them; docs/design.md, "Replies are kept")."""

    list_display = ["received_at", "from_phone", "body", "handled_at"]
    list_filter = ["handled_at"]
    search_fields = ["from_phone", "provider_sid"]
    readonly_fields = ["from_phone", "body", "received_at", "provider_sid", "handled_by"]
    fields = [*readonly_fields, "handled_at", "handled_note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: UnmatchedInboundSms, form: object, change: bool
    ) -> None:
        if obj.handled_at and obj.handled_by_id is None:
            obj.handled_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
