"""A backend for tests that records every send, in this process or (for workers) in a file.

With ``SMS_TEST_DIR`` set (the worker tests), each send appends the message id to
``sends.log`` there, and the send can be made to hang at a marker so a test can
kill the worker at that exact point:

- ``hang-before-<id>``: the worker has claimed the message and called the backend,
  but the provider has not got it yet;
- ``hang-after-<id>``: the provider has it (the send is recorded) but the worker
  has not stored the answer yet.

While it hangs it touches ``reached-before-<id>`` / ``reached-after-<id>``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from seniorene.sms.backends import SmsBackend


@dataclass(frozen=True)
class Sent:
    """What the backend was given: the outbox row's id (`pk`), number and text."""

    pk: int
    to_phone: str
    body: str
    status_callback: str


SENT: list[Sent] = []


def _hang_while(marker: Path, reached: Path) -> None:
    if not marker.exists():
        return
    reached.touch()
    deadline = time.monotonic() + 25
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


class RecordingBackend(SmsBackend):
    def send(self, *, to: str, body: str, status_callback: str, reference: str) -> str:
        message = Sent(int(reference), to, body, status_callback)
        directory = os.environ.get("SMS_TEST_DIR")
        if not directory:
            SENT.append(message)
            return f"rec-{message.pk}"
        folder = Path(directory)
        _hang_while(folder / f"hang-before-{message.pk}", folder / f"reached-before-{message.pk}")
        delay = float(os.environ.get("SMS_TEST_SEND_SECONDS", "0"))
        if delay:
            time.sleep(delay)
        fd = os.open(folder / "sends.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{message.pk}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        _hang_while(folder / f"hang-after-{message.pk}", folder / f"reached-after-{message.pk}")
        return f"rec-{message.pk}"


class ScriptedBackend(SmsBackend):
    """Raises (or returns) what `script` says, one entry per call; records successful sends."""

    script: list[Exception | None] = []
    calls: list[int] = []

    def send(self, *, to: str, body: str, status_callback: str, reference: str) -> str:
        message = Sent(int(reference), to, body, status_callback)
        ScriptedBackend.calls.append(message.pk)
        outcome = ScriptedBackend.script.pop(0) if ScriptedBackend.script else None
        if outcome is not None:
            raise outcome
        SENT.append(message)
        return f"scripted-{message.pk}"
