"""The ledger's events in plain words (registered from `LedgerConfig.ready`)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seniorene.audit.sentences import Facts, describe, kind, month_words


def _export(f: Facts) -> str:
    return _("%(who)s lastet ned Tripletex-filen for %(month)s (%(n)s rader)") % {
        "who": f.who,
        "month": month_words(f.details.get("month")),
        "n": f.count("rows"),
    }


def _manual(what: str) -> Callable[[Facts], str]:
    def render(f: Facts) -> str:
        values = {"who": f.who, "senior": f.member("senior"), "obj": f.obj}
        if what == "km":
            return _("%(who)s førte kilometer for hånd for %(senior)s: %(obj)s") % values
        return _("%(who)s førte et utlegg for hånd for %(senior)s: %(obj)s") % values

    return render


def register() -> None:
    kind("timer", gettext_lazy("Timer, kilometer og utlegg"))
    describe(
        "export.tripletex",
        _export,
        kind="timer",
        label=gettext_lazy("Tripletex-fil lastet ned"),
    )
    describe(
        "ledger.manual_km",
        _manual("km"),
        kind="timer",
        label=gettext_lazy("Kilometer ført for hånd"),
        members=("senior",),
    )
    describe(
        "ledger.manual_expense",
        _manual("expense"),
        kind="timer",
        label=gettext_lazy("Utlegg ført for hånd"),
        members=("senior",),
    )
