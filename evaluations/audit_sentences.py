"""The relatives' evaluation: its events in plain words (from `EvaluationsConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.models import EvaluationReason, Helps
from seniorene.audit.sentences import Facts, describe, kind


def _number(f: Facts) -> str:
    number = f.obj.rpartition("#")[2]
    return number if number.isdigit() else "?"


def _sent(f: Facts) -> str:
    return _("Evaluering nr. %(n)s ble sendt (%(why)s)") % {
        "n": f.count("number") or _number(f),
        "why": f.choice("reason", EvaluationReason.choices, default="?").lower(),
    }


def _answered(f: Facts) -> str:
    values = {
        "n": _number(f),
        "score": f.count("satisfaction"),
        "helps": f.choice("helps", Helps.choices, default="?").lower(),
    }
    if f.details.get("comment"):
        return (
            _(
                "Evaluering nr. %(n)s ble besvart: fornøydhet %(score)s av 5, "
                "hjelper: %(helps)s, med kommentar"
            )
            % values
        )
    return (
        _("Evaluering nr. %(n)s ble besvart: fornøydhet %(score)s av 5, hjelper: %(helps)s")
        % values
    )


def register() -> None:
    kind("evaluering", gettext_lazy("Evaluering"))
    rounds = {"kind": "evaluering"}
    describe("evaluation.sent", _sent, label=gettext_lazy("Evaluering sendt"), **rounds)
    describe("evaluation.answered", _answered, label=gettext_lazy("Evaluering besvart"), **rounds)
    describe(
        "evaluation.read",
        lambda f: _("%(who)s leste evaluering nr. %(n)s") % {"who": f.who, "n": _number(f)},
        label=gettext_lazy("Evaluering lest"),
        **rounds,
    )
