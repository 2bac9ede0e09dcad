"""Local stand-ins for Twilio's REST API and an SMTP server, for `make load-cluster`.

Each counts what it received per key: the SMS by the message id in its status
callback (`?m=<id>`, `messaging.services.status_callback_url`), the e-mails by
(to, subject). The Celery workers talk to them through the production code
paths: the real `twilio.rest.Client` (its API address pointed here) and Django's
SMTP backend (EMAIL_HOST/EMAIL_PORT).
"""

from __future__ import annotations

import email
import json
import os
import socketserver
import threading
from collections import Counter
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from twilio.rest import Client

from seniorene.sms.backends import TwilioBackend


class Received:
    """What a stand-in received, by key (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def add(self, key: str) -> int:
        with self.lock:
            self.counts[key] += 1
            return sum(self.counts.values())

    def snapshot(self) -> Counter[str]:
        with self.lock:
            return Counter(self.counts)


def start_twilio() -> tuple[str, Received]:
    """Answer Twilio's "create message" like Twilio (201, a message sid); return (url, received)."""
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            callback = form.get("StatusCallback", [""])[0]
            key = parse_qs(urlsplit(callback).query).get("m", ["?"])[0]
            n = received.add(key)
            body = json.dumps({"sid": f"SM{n:032d}", "status": "queued", "error_code": None})
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", received


def start_smtp() -> tuple[int, Received]:
    """A minimal SMTP server (no TLS, no auth) that keeps (to, subject); return (port, received)."""
    received = Received()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(f"{line}\r\n".encode())

        def handle(self) -> None:
            self.reply("220 standin ESMTP")
            recipients: list[str] = []
            while line := self.rfile.readline():
                verb = line.decode("utf-8", "replace").strip().split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.reply("250-standin")
                    self.reply("250 8BITMIME")
                elif verb == "RCPT":
                    recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    message = email.message_from_bytes(data)
                    subject = str(make_header(decode_header(message.get("Subject", ""))))
                    for to in recipients:
                        received.add(f"{to} | {subject}")
                    recipients = []
                    self.reply("250 OK queued")
                elif verb == "QUIT":
                    self.reply("221 Bye")
                    return
                else:  # HELO, MAIL, RSET, NOOP
                    self.reply("250 OK")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1], received


class StandInTwilioBackend(TwilioBackend):
    """The production backend, with the real client's API address set to the stand-in."""

    @classmethod
    def make_client(cls) -> Client:
        client = super().make_client()
        client.api.base_url = os.environ["BENCH_TWILIO_URL"]
        return client
