"""Jobs offered to seniors: their events in plain words (from `OpeningsConfig.ready`)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openings.models import AnswerChoice, OpeningKind
from seniorene.audit.sentences import Facts, describe, kind


def _opening(f: Facts) -> str:
    """The job as stored ("Bli kjent-møte Sagene (open)") without its status at the time."""
    return re.sub(r" \((open|filled|withdrawn)\)$", "", f.obj)


def _job(f: Facts) -> str:
    what = f.choice("kind", OpeningKind.choices)
    return _("en ledig jobb (%(kind)s)") % {"kind": what.lower()} if what else _("en ledig jobb")


def _published(f: Facts) -> str:
    return _("%(who)s la ut %(job)s til %(n)s seniorer") % {
        "who": f.who,
        "job": _job(f),
        "n": f.count("reaches"),
    }


def _withdrawn(f: Facts) -> str:
    if f.details.get("by_system"):
        return _("Den ledige jobben %(obj)s ble trukket tilbake av systemet") % {"obj": _opening(f)}
    return _("%(who)s trakk tilbake den ledige jobben %(obj)s") % {
        "who": f.who,
        "obj": _opening(f),
    }


def _chosen(f: Facts) -> str:
    return _("%(who)s valgte %(senior)s til %(job)s") % {
        "who": f.who,
        "senior": f.member("senior"),
        "job": _job(f),
    }


def _answered(f: Facts) -> str:
    answer = f.choice("answer", AnswerChoice.choices, default="?")
    return _("%(who)s svarte «%(answer)s» på den ledige jobben %(obj)s") % {
        "who": f.who,
        "answer": answer,
        "obj": _opening(f),
    }


_CHANGES = {
    "opted_in": gettext_lazy("%(who)s vil gjerne ta omsorgsjobber"),
    "updated": gettext_lazy("%(who)s endret hvilke omsorgsjobber hen ønsker"),
    "paused": gettext_lazy("%(who)s tok pause fra omsorgsjobber"),
    "resumed": gettext_lazy("%(who)s vil gjerne ta omsorgsjobber igjen"),
    "withdrawn": gettext_lazy("%(who)s ønsker ikke lenger omsorgsjobber"),
}


def _interest(f: Facts) -> str:
    text = _CHANGES.get(str(f.details.get("change")), _CHANGES["updated"])
    return str(text) % {"who": f.who}


def register() -> None:
    kind("jobber", gettext_lazy("Ledige jobber"))
    jobs = {"kind": "jobber"}
    describe("opening.published", _published, label=gettext_lazy("Ledig jobb lagt ut"), **jobs)
    describe(
        "opening.withdrawn", _withdrawn, label=gettext_lazy("Ledig jobb trukket tilbake"), **jobs
    )
    describe(
        "opening.chosen",
        _chosen,
        label=gettext_lazy("Senior valgt til ledig jobb"),
        members=("senior",),
        **jobs,
    )
    describe("opening.answered", _answered, label=gettext_lazy("Svar på ledig jobb"), **jobs)
    describe(
        "job_interest.changed",
        _interest,
        label=gettext_lazy("Ønske om omsorgsjobber endret"),
        **jobs,
    )
