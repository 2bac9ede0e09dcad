"""Django admin, for platform superusers only (organizations use the outbox page)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from messaging.models import SmsMessage, StaffSmsConsent


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
