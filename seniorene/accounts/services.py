"""Invitations, memberships and departments: every change writes its audit row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from seniorene.accounts.models import (
    Department,
    Invitation,
    Membership,
    Organization,
    Role,
    User,
)
from seniorene.accounts.policy import Perm, has_perm, invitable_roles, sees_all_departments
from seniorene.audit.services import audit_happened_since, audit_record
from seniorene.mail import mail_send


def _check_departments(*, by: Membership, role: str, departments: Sequence[Department]) -> None:
    if any(d.organization_id != by.organization_id for d in departments):
        raise PermissionDenied
    if not sees_all_departments(by) and not {d.pk for d in departments} <= by.department_ids:
        raise ValidationError(_("Du kan bare velge dine egne avdelinger."))
    if role in (Role.LEADER, Role.SENIOR) and not departments:
        raise ValidationError(_("Avdelingsledere og seniorer må høre til minst én avdeling."))


def invitation_create(
    *,
    by: Membership,
    email: str,
    name: str,
    role: str,
    departments: Sequence[Department],
) -> Invitation:
    """Invite `email` to `by`'s organization with `role`, and e-mail the link."""
    if role not in invitable_roles(by):
        raise PermissionDenied
    _check_departments(by=by, role=role, departments=departments)
    email = email.strip().lower()
    if Membership.objects.filter(
        organization_id=by.organization_id, user__email__iexact=email, is_active=True
    ).exists():
        raise ValidationError(
            _("%(email)s er allerede medlem av organisasjonen.") % {"email": email}
        )
    if (
        not has_perm(by, Perm.MANAGE_MEMBERS)
        and Membership.objects.filter(
            organization_id=by.organization_id, user__email__iexact=email, is_active=False
        ).exists()
    ):
        raise ValidationError(
            _(
                "%(email)s er deaktivert i organisasjonen. Bare administrasjonen kan ta "
                "personen inn igjen."
            )
            % {"email": email}
        )
    with transaction.atomic():
        # An older unused invitation to the same address stops working.
        Invitation.objects.for_organization(by.organization_id).filter(
            email__iexact=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organization_id=by.organization_id,
            email=email,
            name=name.strip(),
            role=role,
            invited_by=by.user,
        )
        invitation.departments.set(
            departments, through_defaults={"organization_id": by.organization_id}
        )
        audit_record(
            organization=by.organization,
            actor=by.user,
            action="invitation.created",
            obj=invitation,
            details={"role": role, "departments": sorted(d.pk for d in departments)},
        )
        transaction.on_commit(lambda: invitation_send(invitation=invitation))
    return invitation


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:accept_invitation", args=[invitation.token])


def invitation_send(*, invitation: Invitation) -> None:
    """E-mail the invitation link."""
    ctx = {
        "invitation": invitation,
        "organization": invitation.organization,
        "url": invitation_url(invitation),
        "days": settings.INVITATION_DAYS,
    }
    mail_send(
        to=[invitation.email],
        subject=_("Invitasjon til Seniorene Omsorg – %(org)s") % {"org": invitation.organization},
        template="accounts/email/invitation.txt",
        context=ctx,
        language=translation.get_language(),
    )


# A resend waits this long after the last sending (so a double click or an impatient
# leader does not flood the invitee's inbox).
INVITATION_RESEND_MINUTES = 10


def invitation_resend(*, invitation: Invitation, by: Membership) -> Invitation:
    """E-mail a pending or expired invitation again, valid `INVITATION_DAYS` from now.

    The link stays the same (so the first e-mail's link works too, and no e-mail leads to a
    dead end); only who may invite its role may resend it, at most once every
    `INVITATION_RESEND_MINUTES`. Audited as "invitation.resent".
    """
    if invitation.role not in invitable_roles(by):
        raise PermissionDenied
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("Invitasjonen er allerede godtatt."))
        if invitation.revoked_at is not None:
            raise ValidationError(
                _("Invitasjonen er trukket tilbake. Send en ny invitasjon i stedet.")
            )
        _check_departments(
            by=by, role=invitation.role, departments=list(invitation.departments.all())
        )
        if Membership.objects.filter(
            organization_id=invitation.organization_id,
            user__email__iexact=invitation.email,
            is_active=True,
        ).exists():
            raise ValidationError(
                _("%(email)s er allerede medlem av organisasjonen.") % {"email": invitation.email}
            )
        now = timezone.now()
        recently = audit_happened_since(
            organization_id=invitation.organization_id,
            obj=invitation,
            actions=["invitation.created", "invitation.resent"],
            since=now - timedelta(minutes=INVITATION_RESEND_MINUTES),
        )
        if recently:
            raise ValidationError(
                _(
                    "Invitasjonen ble sendt for mindre enn %(n)s minutter siden. Vent litt før "
                    "du sender den igjen; e-post kan bruke noen minutter."
                )
                % {"n": INVITATION_RESEND_MINUTES}
            )
        was_expired = invitation.expires_at <= now
        invitation.expires_at = now + timedelta(days=settings.INVITATION_DAYS)
        invitation.save(update_fields=["expires_at"])
        audit_record(
            organization=by.organization,
            actor=by.user,
            action="invitation.resent",
            obj=invitation,
            details={"was_expired": was_expired, "expires_at": invitation.expires_at.isoformat()},
        )
        transaction.on_commit(lambda: invitation_send(invitation=invitation))
    return invitation


def invitation_revoke(*, invitation: Invitation, by: Membership) -> None:
    if invitation.accepted_at or invitation.revoked_at:
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        organization=by.organization, actor=by.user, action="invitation.revoked", obj=invitation
    )


def invitation_accept(
    *, invitation: Invitation, name: str, password: str | None, user: User | None = None
) -> Membership:
    """Turn a usable invitation into an active membership.

    A new address gets a user with `password`; an existing user (who must be
    logged in as that address, `user`) just gains the membership.
    """
    if not invitation.is_usable():
        raise ValidationError(_("Invitasjonen er utløpt eller allerede brukt."))
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is not None:
            if user is None or user.pk != existing.pk:
                raise PermissionDenied
            account = existing
            if not account.is_active:
                account.is_active = True
                account.save(update_fields=["is_active"])
        else:
            account = User.objects.create_user(invitation.email, password, name=name.strip())
        email_address_verify(user=account)
        membership, _created = Membership.objects.update_or_create(
            user=account,
            organization_id=invitation.organization_id,
            defaults={"role": invitation.role, "is_active": True, "deactivated_at": None},
        )
        membership.set_departments(invitation.departments.all())
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_record(
            organization=invitation.organization,
            actor=account,
            action="invitation.accepted",
            obj=invitation,
        )
    return membership


def email_address_verify(*, user: User) -> None:
    """Record `user`'s login address as verified: the invitation link reached it.

    allauth then lets a new address replace it only once that one is confirmed too.
    """
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        return
    email = user.email.lower()
    EmailAddress.objects.filter(user=user).exclude(email=email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )


def membership_update(
    *, membership: Membership, by: Membership, role: str, departments: Sequence[Department]
) -> Membership:
    """Change a member's role and departments."""
    if membership.pk == by.pk and role != membership.role:
        raise ValidationError(_("Du kan ikke endre din egen rolle."))
    _check_departments(by=by, role=role, departments=departments)
    before = {"role": membership.role, "departments": sorted(membership.department_ids)}
    membership.role = role
    membership.save(update_fields=["role"])
    membership.set_departments(departments)
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="membership.updated",
        obj=membership,
        details={
            "before": before,
            "after": {"role": role, "departments": sorted(d.pk for d in departments)},
        },
    )
    return membership


def membership_deactivate(*, membership: Membership, by: Membership) -> None:
    """End a membership; its history stays. A user with no active membership left is
    deactivated too, which ends their sessions at the next request."""
    if membership.pk == by.pk:
        raise ValidationError(_("Du kan ikke deaktivere deg selv."))
    if not membership.is_active:
        return
    now = timezone.now()
    membership.is_active = False
    membership.deactivated_at = now
    membership.save(update_fields=["is_active", "deactivated_at"])
    # Open invitations they sent, or that would bring them back, stop working:
    # re-admitting someone is the admin's call (membership_reactivate).
    user = membership.user
    open_invitations = Invitation.objects.for_organization(membership.organization_id).filter(
        Q(invited_by=user) | Q(email__iexact=user.email), accepted_at=None, revoked_at=None
    )
    for invitation in open_invitations:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            organization=by.organization,
            actor=by.user,
            action="invitation.revoked",
            obj=invitation,
            details={"reason": "membership.deactivated"},
        )
    if not Membership.objects.filter(user=user, is_active=True).exists() and not user.is_staff:
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit_record(
        organization=by.organization, actor=by.user, action="membership.deactivated", obj=membership
    )


def membership_reactivate(*, membership: Membership, by: Membership) -> None:
    if membership.is_active:
        return
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    if not membership.user.is_active:
        membership.user.is_active = True
        membership.user.save(update_fields=["is_active"])
    audit_record(
        organization=by.organization, actor=by.user, action="membership.reactivated", obj=membership
    )


def department_save(
    *, organization: Organization, by: User, department: Department | None, name: str, email: str
) -> Department:
    """Create a department, or rename one."""
    name = name.strip()
    clash = Department.objects.for_organization(organization).filter(name__iexact=name)
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    if clash.exists():
        raise ValidationError(_("Det finnes allerede en avdeling med dette navnet."))
    if department is None:
        department = Department.objects.create(organization=organization, name=name, email=email)
        action = "department.created"
    else:
        department.name = name
        department.email = email
        department.save(update_fields=["name", "email"])
        action = "department.updated"
    audit_record(organization=organization, actor=by, action=action, obj=department)
    return department
