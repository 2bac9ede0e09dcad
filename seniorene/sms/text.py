"""Pure text rules for SMS: GSM-7 cleaning, segment counting, phone numbers, STOPP replies."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 basic character set (without the escape code) and its extension table,
# whose characters take two septets each. Æ Ø Å æ ø å are basic: Norwegian is GSM-7.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("\f^{}\\[~]|€")

# Typography that would force the whole message into UCS-2 (70 instead of 160
# characters a segment), and its plain GSM-7 equivalent.
_PLAIN = {
    **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2008\u2009\u200a\u202f\u205f\t", " "),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
    "\u2026": "...",
    "\u2022": "-",
}
_PLAIN_TABLE = str.maketrans(_PLAIN)


def normalise_body(text: str) -> str:
    """`text` with UCS-2-forcing typography replaced by GSM-7; letters (æøå, é) kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_PLAIN_TABLE)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def segments(body: str) -> tuple[str, int]:
    """The encoding ("GSM-7" or "UCS-2") and number of SMS segments `body` takes.

    One segment holds 160 GSM-7 septets or 70 UCS-2 units; a long message is split
    into parts of 153 or 67 (the rest is the concatenation header). An extension
    character (€, [, ], {, }, …) takes two septets and is never split across parts;
    neither is a character outside the BMP (two UTF-16 units, e.g. an emoji).
    """
    if not body:
        return GSM7, 0
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in body):
        encoding, single, part = GSM7, 160, 153
        units = [2 if c in GSM_EXTENDED else 1 for c in body]
    else:
        encoding, single, part = UCS2, 70, 67
        units = [2 if ord(c) > 0xFFFF else 1 for c in body]
    if sum(units) <= single:
        return encoding, 1
    count, used = 1, 0
    for size in units:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return encoding, count


def normalise_phone(value: Any) -> str:
    """`value` (a string or PhoneNumber; Norwegian if no country code) in E.164, or raise."""
    raw = str(getattr(value, "as_e164", "") or value or "").strip()
    try:
        number = phonenumbers.parse(raw, "NO")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Ugyldig mobilnummer."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Ugyldig mobilnummer."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- STOPP ------------------------------------------------------------------------

# A reply is a stop request when it is one of these words (with only polite filler
# around it, and no negation): Norwegian and English, as people actually write them.
_STOP_WORDS = frozenset(
    {"stopp", "stop", "stopall", "avslutt", "avmeld", "avmelding", "unsubscribe", "slutt"}
)
# Words that mean stop only when they are the whole message (Twilio's standard keywords).
_STOP_ALONE = frozenset({"cancel", "end", "quit", "optout"})
_FILLER = frozenset(
    {
        "sms", "smser", "smsene", "er", "melding", "meldinger", "meldingene", "varsel",
        "varsler", "takk", "nei", "ja", "please", "pls", "vennligst", "nå", "na", "all",
        "alle", "mer", "flere", "fler", "med", "å", "sende", "send", "meg", "oss",
        "til", "dette", "nummeret", "nummer", "mitt", "fra", "dere", "messages", "texts",
    }
)  # fmt: skip
_NEGATIONS = frozenset({"ikke", "ikkje", "not", "dont", "don", "never", "aldri"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def is_stop_request(text: str) -> bool:
    """True when an incoming SMS asks us to stop sending ("STOPP", "avmeld", "Stop please")."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())
    # "meld av" / "meld meg av" is one word in meaning.
    joined = " ".join(words)
    joined = re.sub(r"\bmeld (?:meg |oss )?av\b", "avmeld", joined)
    words = joined.split()
    if not words or len(words) > 8:
        return False
    if words[:2] == ["ikke", "send"]:
        return all(w in _FILLER for w in words[2:])  # "Ikke send meg flere meldinger"
    if _NEGATIONS & set(words):
        return False  # "ikke stopp", "don't stop"
    if len(words) == 1 and words[0] in _STOP_ALONE:
        return True
    return any(w in _STOP_WORDS for w in words) and all(
        w in _STOP_WORDS or w in _FILLER for w in words
    )
