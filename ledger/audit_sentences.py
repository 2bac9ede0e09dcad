"""The ledger's events in plain words (registered from `LedgerConfig.ready`)."""

from __future__ import annotations

from datetime import date

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seniorene.audit.sentences import Facts, describe, kind


def month_words(value: object) -> str:
    """ "2024-12" as "desember 2024" (anything else as it is)."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        return dateformat.format(date(year, month, 1), "F Y").lower()
    except (TypeError, ValueError):
        return str(value or "")


def _export(f: Facts) -> str:
    return _("%(who)s lastet ned Tripletex-filen for %(month)s (%(n)s rader)") % {
        "who": f.who,
        "month": month_words(f.details.get("month")),
        "n": f.count("rows"),
    }


def register() -> None:
    kind("timer", gettext_lazy("Timer, kilometer og utlegg"))
    describe(
        "export.tripletex",
        _export,
        kind="timer",
        label=gettext_lazy("Tripletex-fil lastet ned"),
    )
