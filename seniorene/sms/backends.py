"""Where an SMS goes, chosen by ``settings.SMS_BACKEND`` like Django's e-mail backends.

A backend's `send(message)` hands one message to the provider and returns the
provider's id for it, or raises one of the three errors below. Which error it
raises decides what the gateway does next, so the choice must be honest:

- `SmsPermanentError`: the provider refused it and will refuse it again → failed.
- `SmsTransientError`: the provider certainly did not take it, try later → retried.
- `SmsUncertainError`: it may have gone out → never retried (R8), left for a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

if TYPE_CHECKING:
    from seniorene.sms.models import SmsMessage

BACKENDS = {
    "outbox": "seniorene.sms.backends.OutboxBackend",
    "twilio": "seniorene.sms.backends.TwilioBackend",
}


class SmsError(Exception):
    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = str(code)
        self.message = message


class SmsPermanentError(SmsError):
    """The provider refused the message for good (invalid number, opted out…)."""


class SmsTransientError(SmsError):
    """The provider did not take the message this time; trying again may work."""


class SmsUncertainError(SmsError):
    """The message may or may not have been taken (e.g. a timeout after sending)."""


class SmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Hand `message` to the provider; return its id for the message."""
        raise NotImplementedError


def get_backend() -> SmsBackend:
    """The configured backend: "outbox", "twilio", or a dotted path (tests)."""
    name = settings.SMS_BACKEND
    return import_string(BACKENDS.get(name, name))()


class OutboxBackend(SmsBackend):
    """The default: nothing leaves the building; the outbox page shows the message."""

    def send(self, message: SmsMessage) -> str:
        return f"outbox-{message.pk}"


def status_callback_url(message: SmsMessage) -> str:
    """Where Twilio reports delivery of `message`: the public address, with the message id."""
    return f"{settings.SITE_URL}{reverse('sms:twilio_status')}?m={message.pk}"


# Twilio errors that no retry can fix (https://www.twilio.com/docs/api/errors).
TWILIO_PERMANENT = {
    21211: "Ugyldig mobilnummer",
    21408: "Sending til dette landet er ikke slått på",
    21610: "Mottakeren har meldt seg av (STOP)",
    21612: "Kan ikke sende til dette nummeret",
    21614: "Nummeret er ikke et mobilnummer",
}


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the request provably never reached the server (refused, DNS, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class TwilioBackend(SmsBackend):
    """Twilio's REST API through the real `twilio.rest.Client`."""

    timeout = 15  # seconds; well inside the send task's soft time limit

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or self.make_client()

    @classmethod
    def make_client(cls) -> Client:
        return Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=cls.timeout),
        )

    def send(self, message: SmsMessage) -> str:
        try:
            created = self.client.messages.create(
                to=message.to_phone,
                from_=settings.TWILIO_FROM,
                body=message.body,
                status_callback=status_callback_url(message),
            )
        except TwilioRestException as exc:
            code = str(exc.code or exc.status)
            if exc.status == 429 or exc.status >= 500:
                raise SmsTransientError(code, str(exc.msg)[:300]) from exc
            reason = TWILIO_PERMANENT.get(exc.code or 0, str(exc.msg))
            raise SmsPermanentError(code, reason[:300]) from exc
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                raise SmsTransientError("connection", str(exc)[:300]) from exc
            raise SmsUncertainError("connection", str(exc)[:300]) from exc
        except requests.exceptions.Timeout as exc:  # a read timeout: it may have gone out
            raise SmsUncertainError("timeout", str(exc)[:300]) from exc
        return str(created.sid)
