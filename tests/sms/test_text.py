"""The pure text rules: GSM-7 cleaning, segment counts, phone numbers and STOPP replies."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from customers.models import ConsentPurpose
from messaging.models import SMS_CONSENT_PURPOSES, SmsPurpose
from messaging.services import sms_render
from seniorene.sms.text import (
    GSM7,
    UCS2,
    is_stop_request,
    normalise_body,
    normalise_phone,
    segments,
)


def test_every_consent_purpose_is_an_sms_purpose():
    assert set(ConsentPurpose.values) <= set(SmsPurpose.values)
    assert {"visit_summary_sms", "reminder_sms"} == SMS_CONSENT_PURPOSES


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Hei\u00a0Kari", "Hei Kari"),
        ("\u201cFint\u201d og \u2018greit\u2019", "\"Fint\" og 'greit'"),
        ("«torsdag»", '"torsdag"'),
        ("kl. 11.00\u201312.00 \u2014 takk", "kl. 11.00-12.00 - takk"),
        ("Vent\u2026", "Vent..."),
        ("Blåbær, ærlig, Øystein, ÆØÅ, é", "Blåbær, ærlig, Øystein, ÆØÅ, é"),
        ("a\u030aker", "åker"),  # a + combining ring → å (GSM-7)
        ("  linje 1  \r\nlinje\u200b 2\t\n", "linje 1\nlinje 2"),
    ],
)
def test_it_replaces_typography_that_forces_ucs2_and_keeps_norwegian_letters(raw, clean):
    assert normalise_body(raw) == clean


def test_a_cleaned_norwegian_message_is_gsm7():
    text = normalise_body("Hei! Besøket gikk fint \u2013 vi gikk en tur i «parken». Hilsen Åse")
    assert segments(text) == (GSM7, 1)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", (GSM7, 0)),
        ("a" * 160, (GSM7, 1)),
        ("æøå" * 53 + "Å", (GSM7, 1)),  # 160 basic characters
        ("a" * 161, (GSM7, 2)),
        ("a" * 306, (GSM7, 2)),
        ("a" * 307, (GSM7, 3)),
        ("€" * 80, (GSM7, 1)),  # extension characters take two septets
        ("€" * 81, (GSM7, 2)),
        ("a" * 152 + "[" + "a" * 10, (GSM7, 2)),  # "[" is not split across parts
        ("a" * 156 + "{}", (GSM7, 1)),  # 160 septets
        ("a" * 157 + "{}", (GSM7, 2)),  # 161 septets
        ("ć" * 70, (UCS2, 1)),
        ("ć" * 71, (UCS2, 2)),
        ("ć" * 134, (UCS2, 2)),
        ("ć" * 135, (UCS2, 3)),
        ("Takk 🙂", (UCS2, 1)),
        ("🙂" * 35, (UCS2, 1)),  # 70 UTF-16 units
        ("a" * 66 + "🙂", (UCS2, 1)),  # 68 units: fits one message of 70
    ],
)
def test_it_counts_segments_like_the_networks(body, expected):
    assert segments(body) == expected


def test_an_emoji_is_not_split_across_parts():
    # 66 + 2 units would overflow a 67-unit part, so the emoji starts the next one.
    assert segments("a" * 66 + "🙂" + "a" * 70) == (UCS2, 3)
    assert segments("a" * 65 + "🙂" + "a" * 67) == (UCS2, 2)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("004791234567", "+4791234567"),
        ("+46701234567", "+46701234567"),
    ],
)
def test_it_normalises_phone_numbers_to_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "123", "abc", "+47 12"])
def test_it_refuses_what_is_not_a_phone_number(raw):
    with pytest.raises(ValidationError, match="Ugyldig mobilnummer"):
        normalise_phone(raw)


STOP = [
    "STOPP",
    "stopp",
    "Stop",
    "STOP",
    "STOPP SMS",
    "stopp sms",
    "  STOPP  ",
    "Stopp.",
    "stopp!!!",
    "«STOPP»",
    "Stopp, takk",
    "STOPP SMS TAKK!",
    "nei takk stopp",
    "Nei takk, stopp!",
    "avslutt",
    "Avslutt.",
    "AVMELD",
    "avmeld sms",
    "meld av",
    "Meld meg av",
    "Stop please",
    "please stop",
    "STOPALL",
    "unsubscribe",
    "Slutt med sms",
    "stopp 🙏",
    "ＳＴＯＰＰ",  # full-width letters from some phones
    "Ikke send meg flere meldinger",
    "END",
    "cancel",
]
NOT_STOP = [
    "",
    "   ",
    "Stoppeklokke",
    "ikke stopp",
    "stopp ikke",
    "Ikke stopp!",
    "don't stop",
    "Kan dere stoppe ved butikken?",
    "Hvorfor stoppet besøket?",
    "Bussen stopper her",
    "Takk for besøket!",
    "nonstop",
    "stop by tomorrow",
    "Stopp, dere kommer for sent i dag",
    "Det var slutt på melken",
    "nei takk",
    "The end of the visit was nice",
    "cancel the visit on friday",
]


@pytest.mark.parametrize("text", STOP)
def test_it_understands_stop_requests(text):
    assert is_stop_request(text)


@pytest.mark.parametrize("text", NOT_STOP)
def test_it_does_not_mistake_other_replies_for_stop(text):
    assert not is_stop_request(text)


def test_the_team_meeting_text_renders_in_bokmaal_and_fits_gsm7():
    body = sms_render(
        purpose="team_meeting",
        context={
            "name": "Åse",
            "organization": SimpleNamespace(name="Seniorene Øst"),
            "meeting": SimpleNamespace(link="https://meet.example.no/abc"),
            "when": datetime(2026, 3, 12, 10, 0, tzinfo=ZoneInfo("Europe/Oslo")),
        },
    )
    assert body == (
        "Hei Åse! Månedens teamsmøte i Seniorene Øst: torsdag 12. mars kl. 10.00. "
        "Lenke: https://meet.example.no/abc\nSvar STOPP for å slutte å få SMS."
    )
    assert segments(body) == (GSM7, 1)
