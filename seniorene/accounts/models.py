"""Users, organizations (tenants), departments and memberships."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

if TYPE_CHECKING:
    from collections.abc import Iterable


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("E-mail is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. E-mail is the login; `name` is the whole name."""

    email = models.EmailField(_("e-post"), max_length=254, unique=True)
    name = models.CharField(_("navn"), max_length=150)
    phone = PhoneNumberField(_("mobil"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(_("plattformansatt"), default=False)
    date_joined = models.DateTimeField(_("registrert"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("brukerkonto")
        verbose_name_plural = _("brukerkontoer")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Organization(models.Model):
    """A tenant: Seniorene AS, a municipality, a volunteer centre."""

    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kortnavn"), max_length=60, unique=True)
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    contact_email = models.EmailField(_("e-post til administrasjonen"), blank=True)
    quiet_hours_start = models.PositiveSmallIntegerField(
        _("SMS tidligst (time)"), default=9, help_text=_("Lokal tid, 0–23.")
    )
    quiet_hours_end = models.PositiveSmallIntegerField(
        _("SMS senest (time)"), default=20, help_text=_("Lokal tid, 1–24.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_hours_start__lt=models.F("quiet_hours_end"))
                & models.Q(quiet_hours_end__lte=24),
                name="organization_quiet_hours_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    def for_organization(self, organization: Organization | int) -> Self:
        """Rows of `organization` only: the one place application scoping happens."""
        org_id = organization if isinstance(organization, int) else organization.pk
        return self.filter(organization_id=org_id)


class TenantModel(models.Model):
    """Base for every row that belongs to a tenant (R9).

    On PostgreSQL a row-level-security policy (migration ``accounts.0002``
    and each app's own) compares `organization_id` with the transaction's
    tenant setting.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisasjon")
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Department(TenantModel):
    name = models.CharField(_("navn"), max_length=120)
    email = models.EmailField(_("e-post"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("avdeling")
        verbose_name_plural = _("avdelinger")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="department_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrasjon")
    LEAD = "lead", _("Fagansvarlig")
    LEADER = "leader", _("Avdelingsleder")
    SENIOR = "senior", _("Senior")


class Membership(TenantModel):
    """A user's place in one organization: one role, and departments for leaders and seniors."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=10, choices=Role.choices)
    departments = models.ManyToManyField(
        Department,
        through="MembershipDepartment",
        related_name="memberships",
        blank=True,
        verbose_name=_("avdelinger"),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # When the user last switched to this organization: a new login lands in the one they
    # used last (the lead works in several), not the first by name.
    last_chosen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization_id})"

    @property
    def department_ids(self) -> set[int]:
        """Ids of this membership's departments, cached for the request."""
        cached = getattr(self, "_department_ids", None)
        if cached is None:
            cached = set(
                MembershipDepartment.objects.filter(membership=self).values_list(
                    "department_id", flat=True
                )
            )
            self._department_ids = cached
        return cached

    def set_departments(self, departments: Iterable[Department]) -> None:
        """Replace this membership's departments (all must be of its organization)."""
        departments = list(departments)
        if any(d.organization_id != self.organization_id for d in departments):
            raise ValueError("Department of another organization")
        self.departments.set(departments, through_defaults={"organization": self.organization})
        self._department_ids = {d.pk for d in departments}


class MembershipDepartment(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "department"], name="membership_department_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.department_id}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class Invitation(TenantModel):
    """An e-mailed, expiring link that creates a membership (and the user, if new)."""

    email = models.EmailField(_("e-post"))
    name = models.CharField(_("navn"), max_length=150)
    role = models.CharField(_("rolle"), max_length=10, choices=Role.choices)
    departments = models.ManyToManyField(
        Department,
        through="InvitationDepartment",
        related_name="+",
        blank=True,
        verbose_name=_("avdelinger"),
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitasjon")
        verbose_name_plural = _("invitasjoner")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    def is_usable(self, now: Any = None) -> bool:
        """True while the link may still be accepted."""
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class InvitationDepartment(TenantModel):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "department"], name="invitation_department_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} → {self.department_id}"
