"""The core's own events in plain words: accounts (invitations, members, departments), jobs."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seniorene.accounts.models import Role
from seniorene.audit.sentences import Facts, describe, kind


def _role(value: object) -> str:
    return str(dict(Role.choices).get(str(value), "")) or _("ukjent rolle")


# An invitation is stored as "siri@example.no (Senior)".
_INVITATION = re.compile(r"^(?P<email>.*) \((?P<role>[^()]*)\)$")


def _invitation(f: Facts) -> tuple[str, str]:
    """(the address, the role in lower case) of the invitation the event is about."""
    found = _INVITATION.match(f.obj)
    if not found:
        return f.obj or _("en ukjent adresse"), ""
    return found["email"], found["role"].lower()


def _invitation_created(f: Facts) -> str:
    email, role = _invitation(f)
    if "role" in f.details:
        role = _role(f.details["role"]).lower()
    return _("%(who)s inviterte %(email)s som %(role)s") % {
        "who": f.who,
        "email": email,
        "role": role or _("medarbeider"),
    }


def _invitation_resent(f: Facts) -> str:
    if f.details.get("was_expired"):
        text = _("%(who)s sendte invitasjonen til %(obj)s på nytt (den var utløpt)")
    else:
        text = _("%(who)s sendte invitasjonen til %(obj)s på nytt")
    return text % {"who": f.who, "obj": f.person}


def _invitation_revoked(f: Facts) -> str:
    if f.details.get("reason") == "membership.deactivated":
        text = _("%(who)s trakk tilbake invitasjonen til %(obj)s da medlemskapet ble avsluttet")
    else:
        text = _("%(who)s trakk tilbake invitasjonen til %(obj)s")
    return text % {"who": f.who, "obj": f.person}


def _invitation_accepted(f: Facts) -> str:
    email, role = _invitation(f)
    return _("%(who)s godtok invitasjonen til %(email)s og er med som %(role)s") % {
        "who": f.who,
        "email": email,
        "role": role or _("medarbeider"),
    }


def _membership_updated(f: Facts) -> str:
    before, after = f.details.get("before") or {}, f.details.get("after") or {}
    values = {"who": f.who, "obj": f.person}
    if isinstance(before, dict) and isinstance(after, dict):
        if before.get("role") != after.get("role"):
            values |= {"from": _role(before.get("role")), "to": _role(after.get("role"))}
            return _("%(who)s endret rollen til %(obj)s fra %(from)s til %(to)s") % values
        if before.get("departments") != after.get("departments"):
            return _("%(who)s endret avdelingene til %(obj)s") % values
    return _("%(who)s endret medlemskapet til %(obj)s") % values


def _late_start(f: Facts) -> str:
    return _("%(who)s satte varsel om besøk som ikke er startet til %(n)s minutter") % {
        "who": f.who,
        "n": f.count("late_start_minutes"),
    }


def register() -> None:
    kind("medarbeidere", gettext_lazy("Medarbeidere"))
    kind("innstillinger", gettext_lazy("Innstillinger"))
    staff = {"kind": "medarbeidere"}
    describe(
        "invitation.created", _invitation_created, label=gettext_lazy("Invitasjon sendt"), **staff
    )
    describe(
        "invitation.resent",
        _invitation_resent,
        label=gettext_lazy("Invitasjon sendt på nytt"),
        **staff,
    )
    describe(
        "invitation.revoked",
        _invitation_revoked,
        label=gettext_lazy("Invitasjon trukket tilbake"),
        **staff,
    )
    describe(
        "invitation.accepted",
        _invitation_accepted,
        label=gettext_lazy("Invitasjon godtatt"),
        **staff,
    )
    describe(
        "membership.updated",
        _membership_updated,
        label=gettext_lazy("Rolle eller avdeling endret"),
        **staff,
    )
    describe(
        "membership.deactivated",
        lambda f: _("%(who)s avsluttet medlemskapet til %(obj)s") % {"who": f.who, "obj": f.person},
        label=gettext_lazy("Medlemskap avsluttet"),
        **staff,
    )
    describe(
        "membership.reactivated",
        lambda f: _("%(who)s gjenåpnet medlemskapet til %(obj)s") % {"who": f.who, "obj": f.person},
        label=gettext_lazy("Medlemskap gjenåpnet"),
        **staff,
    )
    describe(
        "department.created",
        gettext_lazy("%(who)s opprettet avdelingen %(obj)s"),
        kind="innstillinger",
        label=gettext_lazy("Avdeling opprettet"),
    )
    describe(
        "department.updated",
        gettext_lazy("%(who)s endret navn eller e-post for avdelingen %(obj)s"),
        kind="innstillinger",
        label=gettext_lazy("Avdeling endret"),
    )
    describe(
        "jobs.settings_changed",
        _late_start,
        kind="innstillinger",
        label=gettext_lazy("Varsel om sene besøk endret"),
    )
