"""Django admin, for platform staff (the beat schedule itself is django-celery-beat's
"Periodic tasks"; organizations see their runs on the "Jobber" page)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from seniorene.jobs.models import JobClaim, JobRun, JobSettings


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin[JobRun]):
    list_display = ["job", "organization", "for_date", "status", "started_at", "handled", "failed"]
    list_filter = ["job", "status", "organization"]
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(JobClaim)
class JobClaimAdmin(admin.ModelAdmin[JobClaim]):
    list_display = ["key", "organization", "status", "attempts", "created_at", "done_at"]
    list_filter = ["status", "organization"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in JobClaim._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(JobSettings)
class JobSettingsAdmin(admin.ModelAdmin[JobSettings]):
    list_display = ["organization", "late_start_minutes", "updated_at"]
