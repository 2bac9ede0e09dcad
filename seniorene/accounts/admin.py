"""Django admin, for platform superusers only (organizations use the product's own pages)."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from seniorene.accounts.decorators import mfa_reauthenticate_redirect, session_passed_mfa
from seniorene.accounts.models import Department, Membership, Organization, User
from seniorene.accounts.signals import organization_created


def platform_admin_has_permission(request: HttpRequest) -> bool:
    """Active platform staff, whose session passed the second factor if they have one."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return session_passed_mfa(request) or not is_mfa_enabled(user)


@secure_admin_login  # type: ignore[untyped-decorator]  # allauth has no types
def platform_admin_login(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> HttpResponse:
    """The admin's own password form never logs anyone in.

    `secure_admin_login` sends visitors to the product's login (rate limits, MFA) and
    refuses non-staff; staff who still owe the second factor confirm it first.
    """
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    if not platform_admin_has_permission(request):
        return mfa_reauthenticate_redirect(request, target)
    return redirect(target)


admin.site.has_permission = platform_admin_has_permission  # type: ignore[method-assign]
admin.site.login = platform_admin_login  # type: ignore[method-assign]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "name", "phone", "password"]}),
        ("Tilgang", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "name", "password1", "password2"]})]
    filter_horizontal = []
    list_filter = ["is_active", "is_staff"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "slug", "org_number"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # A new tenant starts with the manual's service areas, criteria and training:
            # the apps that own them seed them (seniorene/accounts/signals.py).
            from seniorene.accounts.tenancy import db_set_tenant

            db_set_tenant(obj.pk, request.user.pk, local=True)
            organization_created.send(sender=Organization, organization=obj)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "organization", "is_active"]
    list_filter = ["organization"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organization", "role", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    raw_id_fields = ["user"]
