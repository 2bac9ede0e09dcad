"""The Twilio backend: the real `twilio.rest.Client` against a local stand-in of Twilio's API."""

from __future__ import annotations

import base64
import socket

import pytest

from messaging import services
from messaging.models import SmsMessage, SmsStatus
from messaging.tasks import send_sms
from seniorene.sms.backends import SmsTransientError, get_backend
from tests.sms.conftest import SITE_URL, TWILIO_SID, TWILIO_TOKEN
from tests.sms.helpers import queue_to_relative, relative_with_consent
from tests.sms.twilio_standin import StandInTwilioBackend, error_reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("daytime")]


@pytest.fixture
def message(world) -> SmsMessage:
    return queue_to_relative(
        relative_with_consent(world.home.dept_a), body="Hei Kari! Besøket gikk fint."
    )


def send(message: SmsMessage) -> str:
    result = services.sms_send(message_id=message.pk)
    message.refresh_from_db()
    return result


def test_the_real_client_posts_what_twilio_expects(message, standin):
    assert send(message) == SmsStatus.SENT
    [request] = standin.seen
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.form == {
        "To": [message.to_phone],
        "From": ["+4759440000"],
        "Body": ["Hei Kari! Besøket gikk fint."],
        "StatusCallback": [f"{SITE_URL}/sms/twilio/status/?m={message.pk}"],
    }
    credentials = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert request.headers["User-Agent"].startswith("twilio-python/9.")
    assert message.provider_sid == f"SM{1:032d}"
    assert message.status == SmsStatus.SENT


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (21211, "Ugyldig mobilnummer"),
        (21610, "Mottakeren har meldt seg av (STOP)"),
        (21614, "Nummeret er ikke et mobilnummer"),
        (21408, "Sending til dette landet er ikke slått på"),
    ],
)
def test_a_permanent_twilio_error_fails_the_message_without_retry(message, standin, code, reason):
    standin.replies = [error_reply(400, code, "Twilio says no")]
    assert send(message) == SmsStatus.FAILED
    assert (message.error_code, message.error_message) == (str(code), reason)
    # Neither a retry nor a duplicate task reaches Twilio again.
    assert send_sms.apply(args=[message.pk], throw=False).get() == "not_claimed"
    assert len(standin.seen) == 1


@pytest.mark.parametrize("status", [503, 500, 429])
def test_a_transient_twilio_error_is_retried(message, standin, status):
    standin.replies = [error_reply(status, 20500 if status != 429 else 20429, "busy")]
    with pytest.raises(SmsTransientError):
        services.sms_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 1)
    # The task's retry goes through when Twilio is back.
    standin.replies = [error_reply(status, 20500, "still busy")]
    assert send_sms.apply(args=[message.pk], throw=False).get() == SmsStatus.SENT
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.SENT, 3)
    assert len(standin.seen) == 3


def test_twilio_down_for_good_fails_after_five_attempts(message, standin):
    standin.replies = [error_reply(503, 20500, "down")] * 5
    for _attempt in range(4):
        with pytest.raises(SmsTransientError):
            services.sms_send(message_id=message.pk)
    assert send(message) == SmsStatus.FAILED
    assert (message.attempts, message.error_code) == (5, "20500")
    assert len(standin.seen) == 5


def test_a_refused_connection_never_reached_twilio_so_it_is_retried(message, twilio_settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    StandInTwilioBackend.base_url = f"http://127.0.0.1:{port}"
    twilio_settings.SMS_BACKEND = "tests.sms.twilio_standin.StandInTwilioBackend"
    with pytest.raises(SmsTransientError) as caught:
        services.sms_send(message_id=message.pk)
    assert caught.value.code == "connection"
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED


def test_a_read_timeout_may_have_sent_it_so_it_is_not_retried(message, standin, monkeypatch):
    monkeypatch.setattr(StandInTwilioBackend, "timeout", 0.3)
    standin.delay = 1.0
    assert send(message) == SmsStatus.UNCERTAIN
    assert message.error_code == "timeout"
    standin.delay = 0
    assert send(message) == "not_claimed"
    assert len(standin.seen) == 1


def test_without_twilio_settings_the_default_backend_is_the_outbox(settings):
    assert settings.SMS_BACKEND == "outbox"
    assert type(get_backend()).__name__ == "OutboxBackend"
