"""The customers app's events in plain words (registered from `CustomersConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import ConsentPurpose, CustomerKind, RecipientStatus
from seniorene.audit.sentences import Facts, describe, kind


def _purpose(f: Facts) -> str:
    return f.choice("purpose", ConsentPurpose.choices, default=_("et formål")).lower()


def _status_changed(f: Facts) -> str:
    values = {
        "who": f.who,
        "obj": f.obj,
        "from": f.choice("from", RecipientStatus.choices, default="?"),
        "to": f.choice("to", RecipientStatus.choices, default="?"),
    }
    return _("%(who)s endret status for %(obj)s fra «%(from)s» til «%(to)s»") % values


def _seniors_changed(f: Facts) -> str:
    values = {"who": f.who, "obj": f.obj, "added": f.count("added"), "removed": f.count("removed")}
    return (
        _("%(who)s endret seniorene for %(obj)s (%(added)s lagt til, %(removed)s fjernet)") % values
    )


def _recipient_updated(f: Facts) -> str:
    return _("%(who)s endret opplysninger om %(obj)s (%(n)s felt)") % {
        "who": f.who,
        "obj": f.obj,
        "n": f.count("fields"),
    }


def _customer_set(f: Facts) -> str:
    who_pays = f.choice("kind", CustomerKind.choices, default=_("ukjent")).lower()
    return _("%(who)s satte kunden for %(obj)s til: %(kind)s") % {
        "who": f.who,
        "obj": f.obj,
        "kind": who_pays,
    }


def _consent_given(f: Facts) -> str:
    return _("%(who)s registrerte samtykke til %(purpose)s for %(obj)s") % {
        "who": f.who,
        "obj": f.obj,
        "purpose": _purpose(f),
    }


def _consent_withdrawn(f: Facts) -> str:
    return _("%(who)s registrerte at samtykket til %(purpose)s for %(obj)s er trukket") % {
        "who": f.who,
        "obj": f.obj,
        "purpose": _purpose(f),
    }


def _partner_meeting(f: Facts) -> str:
    return _("%(who)s førte et møte %(day)s med %(obj)s (%(n)s fra oss)") % {
        "who": f.who,
        "obj": f.obj,
        "day": f.day("date"),
        "n": f.count("attendees"),
    }


def _page_revoked(f: Facts) -> str:
    return _("%(who)s stengte pårørendesiden for %(obj)s (%(n)s lenker)") % {
        "who": f.who,
        "obj": f.obj,
        "n": f.count("links"),
    }


def register() -> None:
    kind("brukere", gettext_lazy("Brukere"))
    kind("samtykke", gettext_lazy("Samtykke"))
    kind("parorende", gettext_lazy("Pårørende og pårørendesiden"))
    kind("partnere", gettext_lazy("Samarbeidspartnere"))
    users = {"kind": "brukere"}
    describe(
        "recipient.created",
        gettext_lazy("%(who)s registrerte en ny bruker: %(obj)s"),
        label=gettext_lazy("Bruker registrert"),
        **users,
    )
    describe(
        "recipient.updated",
        _recipient_updated,
        label=gettext_lazy("Opplysninger om bruker endret"),
        **users,
    )
    describe(
        "recipient.status_changed",
        _status_changed,
        label=gettext_lazy("Status for bruker endret"),
        **users,
    )
    describe(
        "recipient.seniors_changed",
        _seniors_changed,
        label=gettext_lazy("Seniorer for bruker endret"),
        **users,
    )
    describe(
        "recipient.anonymised",
        gettext_lazy("%(who)s anonymiserte brukeren %(obj)s"),
        label=gettext_lazy("Bruker anonymisert"),
        **users,
    )
    describe("customer.set", _customer_set, label=gettext_lazy("Kunde valgt"), **users)
    describe(
        "consent.given",
        _consent_given,
        kind="samtykke",
        label=gettext_lazy("Samtykke registrert"),
    )
    describe(
        "consent.withdrawn",
        _consent_withdrawn,
        kind="samtykke",
        label=gettext_lazy("Samtykke trukket"),
    )
    describe(
        "relative.created",
        gettext_lazy("%(who)s la til pårørende %(obj)s"),
        kind="parorende",
        label=gettext_lazy("Pårørende lagt til"),
    )
    describe(
        "relative.updated",
        gettext_lazy("%(who)s endret opplysninger om pårørende %(obj)s"),
        kind="parorende",
        label=gettext_lazy("Pårørende endret"),
    )
    describe(
        "relative_page.device_trusted",
        gettext_lazy("Pårørende %(obj)s tok pårørendesiden i bruk på en ny enhet"),
        kind="parorende",
        label=gettext_lazy("Pårørendesiden: ny enhet"),
    )
    describe(
        "relative_page.revoked",
        _page_revoked,
        kind="parorende",
        label=gettext_lazy("Pårørendesiden stengt"),
    )
    describe(
        "partner.created",
        gettext_lazy("%(who)s registrerte samarbeidspartneren %(obj)s"),
        kind="partnere",
        label=gettext_lazy("Samarbeidspartner registrert"),
    )
    describe(
        "partner.updated",
        gettext_lazy("%(who)s endret samarbeidspartneren %(obj)s"),
        kind="partnere",
        label=gettext_lazy("Samarbeidspartner endret"),
    )
    describe(
        "partner.meeting_added",
        _partner_meeting,
        kind="partnere",
        label=gettext_lazy("Møte med samarbeidspartner"),
    )
