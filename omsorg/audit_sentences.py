"""The intake's events in plain words (registered from `OmsorgConfig.ready`).

Free text (a reason for moving or cancelling, cautions) may be about health: it is never
part of a sentence, only whether there was one.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omsorg.models import Outcome, ScreeningOutcome
from seniorene.audit.sentences import Facts, describe, kind

# An interview is stored as "Bli kjent: Ingrid Østby (2024-12-03)" (the Oslo date).
_INTERVIEW = re.compile(r"^Bli kjent: (?P<name>.*) \((?P<day>\d{4}-\d{2}-\d{2})\)$")


def interview_words(f: Facts) -> str:
    """ "Bli kjent-møtet med Ingrid Østby 3. des. 2024"."""
    found = _INTERVIEW.match(f.obj)
    if not found:
        return f.obj or _("et Bli kjent-møte")
    try:
        day = dateformat.format(date.fromisoformat(found["day"]), "j. b Y")
    except ValueError:
        day = found["day"]
    return _("Bli kjent-møtet med %(name)s %(day)s") % {"name": found["name"], "day": day}


def _booked(f: Facts) -> str:
    name = _INTERVIEW.match(f.obj)
    return _("%(who)s avtalte Bli kjent med %(obj)s %(when)s, med %(senior)s") % {
        "who": f.who,
        "obj": name["name"] if name else f.obj,
        "when": f.day("starts_at"),
        "senior": f.member("senior"),
    }


def _moved(f: Facts) -> str:
    return _("%(who)s flyttet %(obj)s til %(when)s") % {
        "who": f.who,
        "obj": interview_words(f),
        "when": f.day("to"),
    }


def _cancelled(f: Facts) -> str:
    if "count" in f.details:  # the recipient ended or paused
        return _("%(who)s avlyste %(n)s Bli kjent-møter for %(obj)s") % {
            "who": f.who,
            "n": f.count("count"),
            "obj": f.obj,
        }
    return _("%(who)s avlyste %(obj)s") % {"who": f.who, "obj": interview_words(f)}


def _completed(f: Facts) -> str:
    outcome = f.choice("outcome", Outcome.choices, default=_("ukjent utfall"))
    return _("%(who)s gjennomførte %(obj)s: %(outcome)s") % {
        "who": f.who,
        "obj": interview_words(f),
        "outcome": outcome,
    }


def _screening(f: Facts) -> str:
    outcome = f.choice("outcome", ScreeningOutcome.choices, default=_("ukjent resultat")).lower()
    return _("%(who)s kartla %(obj)s: %(outcome)s") % {
        "who": f.who,
        "obj": f.obj,
        "outcome": outcome,
    }


def register() -> None:
    kind("blikjent", gettext_lazy("Kartlegging og Bli kjent"))
    kind("innstillinger", gettext_lazy("Innstillinger"))
    intake = {"kind": "blikjent"}
    describe("screening.recorded", _screening, label=gettext_lazy("Kartlegging ført"), **intake)
    describe(
        "interview.booked",
        _booked,
        label=gettext_lazy("Bli kjent avtalt"),
        members=("senior",),
        **intake,
    )
    describe("interview.moved", _moved, label=gettext_lazy("Bli kjent flyttet"), **intake)
    describe("interview.cancelled", _cancelled, label=gettext_lazy("Bli kjent avlyst"), **intake)
    describe(
        "interview.completed", _completed, label=gettext_lazy("Bli kjent gjennomført"), **intake
    )
    describe(
        "interview.recontacted",
        lambda f: (
            _("%(who)s førte at brukeren er kontaktet igjen etter %(obj)s")
            % {"who": f.who, "obj": interview_words(f)}
        ),
        label=gettext_lazy("Kontaktet igjen etter Bli kjent"),
        **intake,
    )
    describe(
        "interview.pdf_retried",
        lambda f: (
            _("%(who)s ba om å lage intervjuskjemaet (PDF) på nytt for %(obj)s")
            % {"who": f.who, "obj": interview_words(f)}
        ),
        label=gettext_lazy("Intervjuskjema laget på nytt"),
        **intake,
    )
    describe(
        "leader_notice.seen",
        gettext_lazy("%(who)s leste varselet om et gjennomført Bli kjent-møte"),
        label=gettext_lazy("Varsel om Bli kjent lest"),
        **intake,
    )
    describe(
        "notification.reviewed",
        gettext_lazy("%(who)s gikk gjennom varselet %(obj)s"),
        label=gettext_lazy("Varsel til administrasjonen gjennomgått"),
        **intake,
    )
    settings = {"kind": "innstillinger"}
    describe(
        "service_area.created",
        gettext_lazy("%(who)s la til tjenesteområdet «%(obj)s»"),
        label=gettext_lazy("Tjenesteområde lagt til"),
        **settings,
    )
    describe(
        "service_area.updated",
        gettext_lazy("%(who)s endret tjenesteområdet «%(obj)s»"),
        label=gettext_lazy("Tjenesteområde endret"),
        **settings,
    )
    describe(
        "criterion.created",
        gettext_lazy("%(who)s la til kriteriet «%(obj)s»"),
        label=gettext_lazy("Kriterium lagt til"),
        **settings,
    )
    describe(
        "criterion.updated",
        gettext_lazy("%(who)s endret kriteriet «%(obj)s»"),
        label=gettext_lazy("Kriterium endret"),
        **settings,
    )
