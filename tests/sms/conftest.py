from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.sms import recording_backend
from tests.sms.twilio_standin import StandInTwilioBackend, start_standin

OSLO = ZoneInfo("Europe/Oslo")
# A Tuesday at noon in Oslo: inside every organization's sending hours.
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=OSLO)
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "test-auth-token-0123456789"
SITE_URL = "https://omsorg.example.no"


@pytest.fixture
def daytime():
    """Freeze the clock at noon Oslo time (moves only when the test moves it)."""
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def recorder(settings):
    """Send through the recording backend; the list holds every message it was given."""
    settings.SMS_BACKEND = "tests.sms.recording_backend.RecordingBackend"
    recording_backend.SENT.clear()
    yield recording_backend.SENT
    recording_backend.SENT.clear()


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.TWILIO_FROM = "+4759440000"
    settings.SITE_URL = SITE_URL
    return settings


@pytest.fixture
def standin(twilio_settings):
    """A local Twilio stand-in, and SMS_BACKEND set to the real Twilio backend aimed at it."""
    server = start_standin()
    StandInTwilioBackend.base_url = server.url
    twilio_settings.SMS_BACKEND = "tests.sms.twilio_standin.StandInTwilioBackend"
    yield server
    server.server.shutdown()
    server.server.server_close()
