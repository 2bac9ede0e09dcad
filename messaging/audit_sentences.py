"""The SMS outbox's events in plain words (registered from `MessagingConfig.ready`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging.models import SmsAudience, SmsPurpose, SmsStatus
from seniorene.audit.sentences import Facts, describe, kind

# An SmsMessage is stored as "SMS 12 (visit_summary_sms, queued)": the codes are read from
# the details in words instead.
_SMS = re.compile(r"^(SMS \d+)")


def sms_words(f: Facts) -> str:
    """ "SMS 12 (oppsummering etter besøk)"."""
    found = _SMS.match(f.obj)
    label = found[1] if found else _("En SMS")
    purpose = f.choice("purpose", SmsPurpose.choices)
    if not purpose:
        return label
    purpose = purpose.removesuffix(" på SMS")
    return f"{label} ({purpose[:1].lower()}{purpose[1:]})"


def _queued(f: Facts) -> str:
    audience = f.choice("audience", SmsAudience.choices).lower()
    values = {"who": f.who, "sms": sms_words(f), "to": audience}
    if audience:
        return _("%(who)s sendte %(sms)s til %(to)s — i kø") % values
    return _("%(who)s sendte %(sms)s — i kø") % values


def _sent(f: Facts) -> str:
    return _("%(sms)s ble sendt til leverandøren (forsøk %(n)s)") % {
        "sms": sms_words(f),
        "n": f.count("attempts") or 1,
    }


def _with_code(text: Promise) -> Callable[[Facts], str]:
    def render(f: Facts) -> str:
        code = str(f.details.get("code") or "")[:40]
        line = str(text) % {"sms": sms_words(f)}
        return _("%(line)s (kode %(code)s)") % {"line": line, "code": code} if code else line

    return render


def _cancelled(f: Facts) -> str:
    if "count" in f.details:  # the recipient ended or paused: their queue emptied
        return _("%(who)s stanset %(n)s SMS i kø til %(obj)s og de pårørende") % {
            "who": f.who,
            "n": f.count("count"),
            "obj": f.obj,
        }
    return _("%(sms)s ble stanset før sending (nummeret eller brukerens status er endret)") % {
        "sms": sms_words(f)
    }


def _staff_consent_withdrawn(f: Facts) -> str:
    if f.details.get("note") == "stop":
        return _("%(obj)s svarte STOPP og får ikke lenger SMS fra tjenesten") % {"obj": f.obj}
    return _("%(who)s trakk samtykket til SMS for %(obj)s") % {"who": f.who, "obj": f.obj}


def _stop(f: Facts) -> str:
    return _("Et STOPP-svar kom inn: %(n)s samtykker og %(staff)s medarbeidersamtykker trukket") % {
        "n": f.count("consents"),
        "staff": f.count("staff"),
    }


def _reply_received(f: Facts) -> str:
    if f.details.get("known"):
        return _("Et SMS-svar kom inn (%(obj)s)") % {"obj": f.obj}
    return _("Et SMS-svar kom inn fra et nummer vi ikke kjenner igjen (%(obj)s)") % {"obj": f.obj}


def _reply_handled(f: Facts) -> str:
    if f.details.get("with_note"):
        return _("%(who)s behandlet %(obj)s og skrev et notat") % {"who": f.who, "obj": f.obj}
    return _("%(who)s behandlet %(obj)s") % {"who": f.who, "obj": f.obj}


def register() -> None:
    kind("sms", gettext_lazy("SMS"))
    sms = {"kind": "sms"}
    describe("sms.queued", _queued, label=gettext_lazy("SMS sendt (i kø)"), **sms)
    describe("sms.sent", _sent, label=gettext_lazy("SMS sendt til leverandøren"), **sms)
    describe(
        "sms.failed",
        _with_code(gettext_lazy("%(sms)s feilet")),
        label=gettext_lazy("SMS feilet"),
        **sms,
    )
    describe(
        "sms.undelivered",
        _with_code(gettext_lazy("%(sms)s kom ikke fram")),
        label=gettext_lazy("SMS kom ikke fram"),
        **sms,
    )
    describe(
        "sms.uncertain",
        _with_code(gettext_lazy("%(sms)s: uvisst om den ble sendt, sjekk hos leverandøren")),
        label=gettext_lazy("SMS uavklart"),
        **sms,
    )
    describe("sms.cancelled", _cancelled, label=gettext_lazy("SMS stanset"), **sms)
    # A send refused at the last moment is audited as `sms.<status>`: cancelled (above) or
    # blocked for want of consent.
    describe(
        f"sms.{SmsStatus.BLOCKED_NO_CONSENT.value}",
        lambda f: _("%(sms)s ble stoppet: samtykke mangler") % {"sms": sms_words(f)},
        label=gettext_lazy("SMS stoppet: mangler samtykke"),
        **sms,
    )
    describe(
        "sms.staff_consent_given",
        gettext_lazy("%(who)s ga samtykke til SMS for %(obj)s"),
        label=gettext_lazy("Medarbeider samtykket til SMS"),
        **sms,
    )
    describe(
        "sms.staff_consent_withdrawn",
        _staff_consent_withdrawn,
        label=gettext_lazy("Medarbeider trakk samtykket til SMS"),
        **sms,
    )
    describe("sms.stop_received", _stop, label=gettext_lazy("STOPP-svar mottatt"), **sms)
    describe("sms.reply_received", _reply_received, label=gettext_lazy("SMS-svar mottatt"), **sms)
    describe("sms.reply_handled", _reply_handled, label=gettext_lazy("SMS-svar behandlet"), **sms)
