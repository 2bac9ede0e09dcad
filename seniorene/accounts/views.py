"""Organization switching, invitations, members and departments (admin pages)."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seniorene.accounts import services
from seniorene.accounts.access import (
    get_department_for_user,
    get_invitation_for_user,
    get_membership_for_user,
)
from seniorene.accounts.decorators import public, require
from seniorene.accounts.forms import (
    AcceptInvitationForm,
    DepartmentForm,
    InvitationForm,
    MembershipForm,
)
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.middleware import SESSION_KEY
from seniorene.accounts.models import Department, Invitation, Membership, User
from seniorene.accounts.policy import Perm, has_perm
from seniorene.accounts.tenancy import (
    db_set_tenant,
    organization_for_invitation_token,
    tenant_context,
)
from seniorene.forms import add_errors, redirect_target


@require_POST
@require(Perm.USE_APP)
def switch_organization(request: AuthedRequest) -> HttpResponse:
    """Make another of the user's organizations the active one."""
    wanted = request.POST.get("organization", "")
    ids = {str(m.organization_id): m.organization_id for m in request.memberships}
    if wanted in ids:  # compared as text: no number is parsed from the user's input
        request.session[SESSION_KEY] = ids[wanted]
        # Remembered for the next login (written as that organization: row-level security).
        with tenant_context(ids[wanted], request.user.pk):
            Membership.objects.filter(user=request.user, organization_id=ids[wanted]).update(
                last_chosen_at=timezone.now()
            )
        db_set_tenant(request.organization.pk, request.user.pk, local=True)
    return HttpResponseRedirect(
        redirect_target(request, request.POST.get("next", ""), reverse("home"))
    )


@require(Perm.MANAGE_MEMBERS)
def members(request: AuthedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.for_organization(request.organization)
        .select_related("user")
        .prefetch_related("departments")
        .order_by("-is_active", "user__name")
    )
    ctx = {"memberships": memberships}
    return render(request, "accounts/members.html", ctx)


@require(Perm.MANAGE_MEMBERS)
def member_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    member = get_membership_for_user(request, pk)
    initial = {"role": member.role, "departments": list(member.department_ids)}
    form = MembershipForm(request.POST or None, membership=request.membership, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=member,
                by=request.membership,
                role=form.cleaned_data["role"],
                departments=list(form.cleaned_data["departments"]),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("accounts:members")
    ctx = {"member": member, "form": form}
    return render(request, "accounts/member_edit.html", ctx)


@require_POST
@require(Perm.MANAGE_MEMBERS)
def member_set_active(request: AuthedRequest, pk: int) -> HttpResponse:
    member = get_membership_for_user(request, pk)
    try:
        if request.POST.get("active") == "1":
            services.membership_reactivate(membership=member, by=request.membership)
            messages.success(request, _("%(name)s er aktiv igjen.") % {"name": member.user})
        else:
            services.membership_deactivate(membership=member, by=request.membership)
            messages.success(
                request,
                _("%(name)s er deaktivert. Historikken er beholdt.") % {"name": member.user},
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:members")


@require(Perm.INVITE_SENIORS)
def invitations(request: AuthedRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                by=request.membership,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                departments=list(form.cleaned_data["departments"]),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Invitasjonen er sendt til %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:invitations")
    sent = Invitation.objects.for_organization(request.organization).select_related("invited_by")
    if not has_perm(request.membership, Perm.INVITE_STAFF):
        sent = sent.filter(invited_by=request.user)
    ctx = {"form": form, "invitations": sent.prefetch_related("departments")[:100]}
    return render(request, "accounts/invitations.html", ctx)


@require_POST
@require(Perm.INVITE_SENIORS)
def invitation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_user(request, pk)
    services.invitation_revoke(invitation=invitation, by=request.membership)
    messages.success(request, _("Invitasjonen er trukket tilbake."))
    return redirect("accounts:invitations")


@require_POST
@require(Perm.INVITE_SENIORS)
def invitation_resend(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send a pending or expired invitation again (the same link, valid for longer)."""
    invitation = get_invitation_for_user(request, pk)
    try:
        invitation = services.invitation_resend(invitation=invitation, by=request.membership)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Invitasjonen er sendt på nytt til %(email)s. Den gjelder til %(date)s.")
            % {
                "email": invitation.email,
                "date": date_format(timezone.localtime(invitation.expires_at), "j. F"),
            },
        )
    return redirect("accounts:invitations")


@public
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the link: set a name and password, then log in."""
    organization_id = organization_for_invitation_token(token)
    if organization_id is None:
        raise Http404
    db_set_tenant(
        organization_id, request.user.pk if request.user.is_authenticated else None, local=True
    )
    invitation = Invitation.objects.select_related("organization").get(token=token)
    if not invitation.is_usable():
        return render(request, "accounts/invitation_unusable.html", {"invitation": invitation})
    existing = User.objects.filter(email__iexact=invitation.email).exists()
    if existing and not request.user.is_authenticated:
        messages.info(
            request,
            _("Du har allerede en konto. Logg inn med %(email)s for å godta invitasjonen.")
            % {"email": invitation.email},
        )
        return redirect(f"{reverse('account_login')}?next={request.path}")
    form: AcceptInvitationForm | None = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"name": invitation.name}
    )
    if existing:
        form = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                name=form.cleaned_data["name"] if form else "",
                password=form.cleaned_data["password1"] if form else None,
                user=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        request.session[SESSION_KEY] = membership.organization_id
        if not request.user.is_authenticated:
            perform_login(request, membership.user, redirect_url="/hjem/")
            request.session[SESSION_KEY] = membership.organization_id
        messages.success(
            request, _("Velkommen til %(org)s!") % {"org": invitation.organization.name}
        )
        return redirect("home")
    ctx = {"invitation": invitation, "form": form}
    return render(request, "accounts/accept_invitation.html", ctx)


@require(Perm.MANAGE_DEPARTMENTS)
def departments(request: AuthedRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(
                organization=request.organization,
                by=request.user,
                department=None,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Avdelingen er opprettet."))
            return redirect("accounts:departments")
    rows = Department.objects.for_organization(request.organization)
    ctx = {"form": form, "departments": rows}
    return render(request, "accounts/departments.html", ctx)


@require(Perm.MANAGE_DEPARTMENTS)
def department_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    department = get_department_for_user(request, pk)
    initial = {"name": department.name, "email": department.email}
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(
                organization=request.organization,
                by=request.user,
                department=department,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Avdelingen er lagret."))
            return redirect("accounts:departments")
    ctx = {"form": form, "department": department}
    return render(request, "accounts/department_edit.html", ctx)
