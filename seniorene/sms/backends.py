"""Where an SMS goes, chosen by ``settings.SMS_BACKEND`` like Django's e-mail backends.

The transport only: it knows numbers and texts, never an app's model (the outbox
lives in the ``messaging`` app, which calls this). A backend's
`send(to=, body=, status_callback=, reference=)` hands one message to the provider and
returns the provider's id for it, or raises one of the three errors below. Which
error it raises decides what the caller does next, so the choice must be honest:

- `SmsPermanentError`: the provider refused it and will refuse it again → failed.
- `SmsTransientError`: the provider certainly did not take it, try later → retried.
- `SmsUncertainError`: it may have gone out → never retried (R8), left for a person.
"""

from __future__ import annotations

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

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
    def send(self, *, to: str, body: str, status_callback: str, reference: str) -> str:
        """Hand one message to the provider; return the provider's id for it.

        `to` is an E.164 number, `status_callback` the public URL the provider reports
        delivery to, and `reference` the caller's own id for the message.
        """
        raise NotImplementedError


def get_backend() -> SmsBackend:
    """The configured backend: "outbox", "twilio", or a dotted path (tests)."""
    name = settings.SMS_BACKEND
    backend: SmsBackend = import_string(BACKENDS.get(name, name))()
    return backend


class OutboxBackend(SmsBackend):
    """The default: nothing leaves the building; the outbox page shows the message."""

    def send(self, *, to: str, body: str, status_callback: str, reference: str) -> str:
        return f"outbox-{reference}"


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

    def send(self, *, to: str, body: str, status_callback: str, reference: str) -> str:
        try:
            created = self.client.messages.create(
                to=to, from_=settings.TWILIO_FROM, body=body, status_callback=status_callback
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
