"""Visits' events in plain words (registered from `VisitsConfig.ready`).

What a visit log says (went well, could change, why it did not happen) may be about
health: it never reaches the audit row, and no sentence here reads it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seniorene.audit.sentences import Facts, describe, kind
from visits.models import CancelKind


def _cancelled(f: Facts) -> str:
    values = {"who": f.who, "visit": f.visit}
    if f.details.get("on_page"):
        return _("En pårørende avlyste besøket hos %(visit)s på pårørendesiden") % values
    why = f.choice("kind", CancelKind.choices)
    if why:
        values["why"] = why.lower()
        return _("%(who)s avlyste besøket hos %(visit)s (%(why)s)") % values
    return _("%(who)s avlyste besøket hos %(visit)s") % values


def _moved(f: Facts) -> str:
    return _("%(who)s flyttet besøket hos %(name)s fra %(from)s til %(to)s") % {
        "who": f.who,
        "name": f.visit_name,
        "from": f.day("from"),
        "to": f.day("to"),
    }


def _reassigned(f: Facts) -> str:
    return _("%(who)s ga besøket hos %(visit)s til %(to)s (før: %(from)s)") % {
        "who": f.who,
        "visit": f.visit,
        "to": f.member("to"),
        "from": f.member("from"),
    }


def _logged(happened: bool, on_behalf: bool) -> Callable[[Facts], str]:
    def render(f: Facts) -> str:
        values = {"who": f.who, "visit": f.visit, "senior": f.member("senior")}
        if happened and on_behalf:
            text = _("%(who)s førte besøket hos %(visit)s som gjennomført, for %(senior)s")
        elif happened:
            text = _("%(who)s førte besøket hos %(visit)s som gjennomført")
        elif on_behalf:
            text = _("%(who)s førte at besøket hos %(visit)s ikke ble noe av, for %(senior)s")
        else:
            text = _("%(who)s førte at besøket hos %(visit)s ikke ble noe av")
        line = text % values
        if f.details.get("many_hours"):
            hours = str(f.details["many_hours"])[:10]
            return _("%(line)s (uvanlig mange timer: %(hours)s)") % {"line": line, "hours": hours}
        return line

    return render


def _closed(f: Facts) -> str:
    return _("%(who)s lukket besøket hos %(visit)s uten rapport (senior: %(senior)s)") % {
        "who": f.who,
        "visit": f.visit,
        "senior": f.member("senior"),
    }


def _stopped(f: Facts) -> str:
    return _(
        "%(who)s stanset besøkene til %(obj)s: %(n)s besøk avlyst, %(plans)s planer avsluttet"
    ) % {
        "who": f.who,
        "obj": f.obj,
        "n": f.count("cancelled"),
        "plans": f.count("plans_ended"),
    }


def _plan_created(f: Facts) -> str:
    return _("%(who)s laget besøksplanen %(obj)s med %(senior)s (%(n)s besøk)") % {
        "who": f.who,
        "obj": f.obj,
        "senior": f.member("senior"),
        "n": f.count("visits"),
    }


def _plan_override(f: Facts) -> str:
    return _("%(who)s laget besøksplanen %(obj)s selv om %(n)s steg i opptaket manglet") % {
        "who": f.who,
        "obj": f.obj,
        "n": f.count("missing"),
    }


def _plan_updated(f: Facts) -> str:
    return _(
        "%(who)s endret besøksplanen %(obj)s "
        "(%(new)s nye, %(moved)s endrede og %(gone)s avlyste besøk)"
    ) % {
        "who": f.who,
        "obj": f.obj,
        "new": f.count("created"),
        "moved": f.count("updated"),
        "gone": f.count("cancelled"),
    }


def _plan_ended(f: Facts) -> str:
    return _("%(who)s avsluttet besøksplanen %(obj)s (%(n)s besøk avlyst)") % {
        "who": f.who,
        "obj": f.obj,
        "n": f.count("cancelled"),
    }


def _absence(added: bool) -> Callable[[Facts], str]:
    def render(f: Facts) -> str:
        values = {
            "who": f.who,
            "senior": f.member("senior"),
            "from": f.day("from"),
            "to": f.day("to"),
        }
        if added:
            return _("%(who)s førte fravær for %(senior)s fra %(from)s til %(to)s") % values
        return _("%(who)s slettet fraværet til %(senior)s fra %(from)s til %(to)s") % values

    return render


def _availability(f: Facts) -> str:
    return _("%(who)s satte når %(obj)s kan ta besøk (%(n)s tidsrom)") % {
        "who": f.who,
        "obj": f.person,
        "n": f.count("windows"),
    }


def _calendar(f: Facts) -> str:
    values = {"who": f.who, "obj": f.person}
    if f.details.get("reason") == "password_changed":
        return _("Kalenderlenken til %(obj)s ble byttet ut fordi passordet ble endret") % values
    return _("%(who)s byttet ut kalenderlenken til %(obj)s") % values


CORRECTED_FIELDS = {
    "checked_in_at": gettext_lazy("kom"),
    "checked_out_at": gettext_lazy("gikk"),
    "hours": gettext_lazy("timer"),
    "km": gettext_lazy("kilometer"),
    "amount": gettext_lazy("utlegg"),
    "description": gettext_lazy("hva utlegget var"),
}


def _corrected(f: Facts) -> str:
    names = [
        str(CORRECTED_FIELDS[name])
        for name in str(f.details.get("fields", "")).split(",")
        if name in CORRECTED_FIELDS
    ]
    values = {"who": f.who, "visit": f.visit, "what": ", ".join(names) or _("ingenting")}
    if f.details.get("after_lock") == "true":
        return (
            _(
                "%(who)s rettet %(what)s for besøket hos %(visit)s etter at måneden var sendt "
                "(rettingen går med neste eksport)"
            )
            % values
        )
    return _("%(who)s rettet %(what)s for besøket hos %(visit)s") % values


def _concern_raised(f: Facts) -> str:
    return _("%(who)s meldte «noe lederen bør vite» fra besøk nr. %(visit)s") % {
        "who": f.who,
        "visit": f.count("visit"),
    }


def _waited(minutes: int) -> str:
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    return _("%(h)s t %(m)s min") % {"h": minutes // 60, "m": minutes % 60}


def _concern_answered(f: Facts) -> str:
    return _("%(who)s svarte på en melding til leder fra besøk nr. %(visit)s etter %(waited)s") % {
        "who": f.who,
        "visit": f.count("visit"),
        "waited": _waited(f.count("minutes")),
    }


def _concern_escalated(f: Facts) -> str:
    return _(
        "En melding til leder fra besøk nr. %(visit)s var ubesvart etter 24 timer og ble "
        "sendt til fagleder (%(n)s)"
    ) % {"visit": f.count("visit"), "n": f.count("leads")}


CONCERN_CHANNELS = {
    "app": gettext_lazy("bare i appen"),
    "email": gettext_lazy("e-post"),
    "sms": gettext_lazy("SMS"),
}


def _concern_alerts(f: Facts) -> str:
    channel = CONCERN_CHANNELS.get(str(f.details.get("channel")), "")
    return _("%(who)s valgte å bli varslet om meldinger fra seniorene: %(how)s") % {
        "who": f.who,
        "how": channel or _("ukjent"),
    }


def register() -> None:
    kind("besok", gettext_lazy("Besøk"))
    kind("planer", gettext_lazy("Besøksplaner"))
    kind("medarbeidere", gettext_lazy("Medarbeidere"))
    kind("sms", gettext_lazy("SMS"))
    visit = {"kind": "besok"}
    describe("visit.cancelled", _cancelled, label=gettext_lazy("Besøk avlyst"), **visit)
    describe("visit.moved", _moved, label=gettext_lazy("Besøk flyttet"), **visit)
    describe(
        "visit.reassigned",
        _reassigned,
        label=gettext_lazy("Besøk gitt til en annen senior"),
        members=("from", "to"),
        **visit,
    )
    for action, label, happened, on_behalf in (
        ("visit.logged", gettext_lazy("Besøk ført som gjennomført"), True, False),
        ("visit.not_happened", gettext_lazy("Besøk ført som ikke blitt noe av"), False, False),
        (
            "visit.logged_on_behalf",
            gettext_lazy("Besøk ført som gjennomført for en senior"),
            True,
            True,
        ),
        (
            "visit.not_happened_on_behalf",
            gettext_lazy("Besøk ført som ikke blitt noe av for en senior"),
            False,
            True,
        ),
    ):
        describe(
            action,
            _logged(happened, on_behalf),
            label=label,
            members=("senior",),
            **visit,
        )
    describe(
        "visit.closed",
        _closed,
        label=gettext_lazy("Besøk lukket uten rapport"),
        members=("senior",),
        **visit,
    )
    describe(
        "visit.many_hours_seen",
        lambda f: (
            _("%(who)s så over besøket hos %(visit)s som ble ført med mange timer")
            % {"who": f.who, "visit": f.visit}
        ),
        label=gettext_lazy("Mange timer sett over"),
        **visit,
    )
    describe(
        "visits.stopped_for_recipient",
        _stopped,
        label=gettext_lazy("Besøk stanset for en bruker"),
        **visit,
    )
    plans = {"kind": "planer"}
    describe(
        "plan.created",
        _plan_created,
        label=gettext_lazy("Besøksplan laget"),
        members=("senior",),
        **plans,
    )
    describe(
        "plan.override",
        _plan_override,
        label=gettext_lazy("Besøksplan laget selv om noe manglet"),
        **plans,
    )
    describe("plan.updated", _plan_updated, label=gettext_lazy("Besøksplan endret"), **plans)
    describe("plan.ended", _plan_ended, label=gettext_lazy("Besøksplan avsluttet"), **plans)
    staff = {"kind": "medarbeidere"}
    describe(
        "absence.added",
        _absence(added=True),
        label=gettext_lazy("Fravær ført"),
        members=("senior",),
        **staff,
    )
    describe(
        "absence.deleted",
        _absence(added=False),
        label=gettext_lazy("Fravær slettet"),
        members=("senior",),
        **staff,
    )
    describe(
        "availability.set",
        _availability,
        label=gettext_lazy("Tider for besøk satt"),
        **staff,
    )
    describe("calendar.reset", _calendar, label=gettext_lazy("Kalenderlenke byttet"), **staff)
    describe(
        "sms.templates_changed",
        gettext_lazy("%(who)s endret SMS-tekstene som sendes etter besøk"),
        kind="sms",
        label=gettext_lazy("SMS-tekster endret"),
    )
    describe(
        "visit.corrected",
        _corrected,
        label=gettext_lazy("Ført besøk rettet (tider, km, utlegg)"),
        **visit,
    )
    kind("meldinger", gettext_lazy("Meldinger til leder"))
    concern = {"kind": "meldinger"}
    describe(
        "concern.raised",
        _concern_raised,
        label=gettext_lazy("Melding til leder sendt"),
        **concern,
    )
    describe(
        "concern.answered",
        _concern_answered,
        label=gettext_lazy("Melding til leder besvart"),
        **concern,
    )
    describe(
        "concern.escalated",
        _concern_escalated,
        label=gettext_lazy("Melding til leder sendt videre til fagleder"),
        **concern,
    )
    describe(
        "concern.alert_chosen",
        _concern_alerts,
        label=gettext_lazy("Varsling om meldinger valgt"),
        **concern,
    )
