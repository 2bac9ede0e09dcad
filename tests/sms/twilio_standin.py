"""A local HTTP stand-in for Twilio's REST API, and the real Twilio backend pointed at it.

The stand-in answers with whatever the test queues up (`StandIn.replies`) and keeps
every request the real `twilio.rest.Client` made, so tests assert on the wire.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from twilio.rest import Client

from seniorene.sms.backends import TwilioBackend


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class StandIn:
    server: ThreadingHTTPServer
    replies: list[tuple[int, dict]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering (to provoke a read timeout)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


def start_standin() -> StandIn:
    standin: StandIn

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            standin.seen.append(Seen("POST", self.path, dict(self.headers), form))
            if standin.delay:
                time.sleep(standin.delay)
            status, payload = (
                standin.replies.pop(0)
                if standin.replies
                else (201, created_reply(len(standin.seen)))
            )
            body = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the read-timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    standin = StandIn(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return standin


def created_reply(n: int) -> dict:
    return {"sid": f"SM{n:032d}", "status": "queued", "error_code": None}


def error_reply(status: int, code: int, message: str) -> tuple[int, dict]:
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class StandInTwilioBackend(TwilioBackend):
    """The production backend, with the real client's API address set to the stand-in."""

    base_url = ""

    @classmethod
    def make_client(cls) -> Client:
        client = super().make_client()
        client.api.base_url = cls.base_url
        return client
