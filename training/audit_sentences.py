"""Training's events in plain words (registered from `TrainingConfig.ready`)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seniorene.audit.sentences import Facts, describe, kind, month_words


def _meeting(f: Facts) -> str:
    """ "teammøtet for desember 2024", from the details or the stored "2024-12"."""
    words = f.month or month_words(f.obj)
    if not words:
        return _("et teammøte")
    return _("teammøtet for %(month)s") % {"month": words}


def _module_saved(created: bool) -> Callable[[Facts], str]:
    def render(f: Facts) -> str:
        values = {"who": f.who, "obj": f.obj, "v": f.count("version")}
        if created:
            return _("%(who)s opprettet opplæringsmodulen «%(obj)s»") % values
        if f.details.get("new_version"):
            return _("%(who)s endret opplæringsmodulen «%(obj)s» (ny versjon %(v)s)") % values
        return _("%(who)s endret opplæringsmodulen «%(obj)s»") % values

    return render


def _meeting_saved(created: bool) -> Callable[[Facts], str]:
    def render(f: Facts) -> str:
        values = {"who": f.who, "meeting": _meeting(f)}
        if created:
            return _("%(who)s la inn %(meeting)s") % values
        return _("%(who)s endret %(meeting)s") % values

    return render


def _invites_sent(f: Facts) -> str:
    return _("Invitasjoner til %(meeting)s ble sendt til %(n)s seniorer") % {
        "meeting": _meeting(f),
        "n": f.count("sent"),
    }


def _sent_now(f: Facts) -> str:
    return _("%(who)s sendte invitasjonene til %(meeting)s nå (%(n)s sendt, %(failed)s feilet)") % {
        "who": f.who,
        "meeting": _meeting(f),
        "n": f.count("sent"),
        "failed": f.count("failed"),
    }


def _attendance(f: Facts) -> str:
    return _("%(who)s førte oppmøte på %(meeting)s (%(n)s kom)") % {
        "who": f.who,
        "meeting": _meeting(f),
        "n": f.count("attended"),
    }


def _seeded(f: Facts) -> str:
    return _("Standardmodulene for opplæring ble lagt inn (%(n)s moduler)") % {
        "n": f.count("created")
    }


def _posten(done: str) -> Callable[[Facts], str]:
    def render(f: Facts) -> str:
        values = {"who": f.who, "month": f.month}
        if done == "created":
            return _("%(who)s begynte på Seniorposten for %(month)s") % values
        if done == "updated":
            return _("%(who)s endret utkastet til Seniorposten for %(month)s") % values
        return _("%(who)s sendte Seniorposten for %(month)s til seniorene") % values

    return render


def register() -> None:
    kind("opplaering", gettext_lazy("Opplæring og teammøter"))
    learn = {"kind": "opplaering"}
    describe(
        "training.module_completed",
        gettext_lazy("%(who)s fullførte opplæringsmodulen «%(obj)s»"),
        label=gettext_lazy("Modul fullført"),
        **learn,
    )
    describe(
        "training.declaration_accepted",
        gettext_lazy("%(who)s godtok erklæringen «%(obj)s»"),
        label=gettext_lazy("Erklæring godtatt"),
        **learn,
    )
    describe(
        "training.defaults_seeded", _seeded, label=gettext_lazy("Standardmoduler lagt inn"), **learn
    )
    describe(
        "training.module_created",
        _module_saved(created=True),
        label=gettext_lazy("Modul opprettet"),
        **learn,
    )
    describe(
        "training.module_updated",
        _module_saved(created=False),
        label=gettext_lazy("Modul endret"),
        **learn,
    )
    describe(
        "training.team_meeting_created",
        _meeting_saved(created=True),
        label=gettext_lazy("Teammøte lagt inn"),
        **learn,
    )
    describe(
        "training.team_meeting_updated",
        _meeting_saved(created=False),
        label=gettext_lazy("Teammøte endret"),
        **learn,
    )
    describe(
        "training.team_meeting_invites_sent",
        _invites_sent,
        label=gettext_lazy("Invitasjoner til teammøte sendt"),
        **learn,
    )
    describe(
        "training.team_meeting_sent_now",
        _sent_now,
        label=gettext_lazy("Teammøte sendt nå"),
        **learn,
    )
    describe(
        "training.team_meeting_attendance_saved",
        _attendance,
        label=gettext_lazy("Oppmøte på teammøte ført"),
        **learn,
    )
    for action, done, label in (
        ("training.seniorposten_created", "created", gettext_lazy("Seniorposten påbegynt")),
        ("training.seniorposten_updated", "updated", gettext_lazy("Seniorposten endret")),
        ("training.seniorposten_sent", "sent", gettext_lazy("Seniorposten sendt")),
    ):
        describe(action, _posten(done), label=label, **learn)
