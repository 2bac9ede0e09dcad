"""Django admin, for platform superusers only (the lead uses the product's own pages)."""

from __future__ import annotations

from django.contrib import admin

from training.models import TeamMeeting, TeamMeetingInvite, TrainingCompletion, TrainingModule


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "kind", "is_required", "is_active", "version"]
    list_filter = ["organization", "kind", "is_active"]


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(admin.ModelAdmin):
    list_display = ["membership", "module", "version", "completed_at"]
    list_filter = ["organization"]
    raw_id_fields = ["membership", "module"]


@admin.register(TeamMeeting)
class TeamMeetingAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "month", "starts_at"]
    list_filter = ["organization"]


@admin.register(TeamMeetingInvite)
class TeamMeetingInviteAdmin(admin.ModelAdmin):
    list_display = ["meeting", "membership", "sent_at"]
    raw_id_fields = ["meeting", "membership"]
