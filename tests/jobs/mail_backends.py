"""An e-mail backend for tests whose server refuses every recipient for good (SMTP 550)."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RejectingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"No such user") for m in messages})
