"""One way to send e-mail, and one rule for which failures are worth another try.

Every e-mail the product sends is a template under ``templates/<app>/email/``, rendered
in the organization's language (Bokmål), sent from ``DEFAULT_FROM_EMAIL``. Whether a
failure is retried is decided here only: a server that was away for a moment or
answered "try later" (SMTP 4xx) is transient; a refused address (SMTP 5xx, e.g. 550) or
a bug is not, and fails the item for a person to look at.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError
from django.template.loader import render_to_string
from django.utils import translation

# Errors worth another try later: the mail server or the database was away for a moment.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
    OperationalError,
)


def is_transient(exc: BaseException) -> bool:
    """True for errors worth another try: the above, and SMTP 4xx answers ("try later")."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500 or isinstance(exc, smtplib.SMTPConnectError)
    return isinstance(exc, TRANSIENT_ERRORS)


def mail_send(
    *,
    to: Iterable[str],
    subject: str,
    template: str,
    context: Mapping[str, Any],
    language: str | None = None,
) -> None:
    """Render `template` with `context` and send it to `to`: in the site's language
    (Bokmål), or `language` (an invitation goes out in the language of the page it was sent
    from)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        body = render_to_string(template, dict(context))
    send_mail(subject=subject, message=body, from_email=None, recipient_list=list(to))
