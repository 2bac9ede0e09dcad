"""Cap the size of a request body before anything reads it.

Django checks an uploaded file's size only once the whole body has arrived (on disk, in a
temporary file), and DATA_UPLOAD_MAX_MEMORY_SIZE covers only the non-file fields. This
middleware answers 413 (a Norwegian page) as soon as the request says it is larger than
the view accepts, and stops a body that turns out larger than it said.

Views that take files declare their own cap with ``@upload_limit(bytes)``; every other
view gets DATA_UPLOAD_MAX_MEMORY_SIZE. The middleware sits before CsrfViewMiddleware,
whose ``process_view`` is the first thing that reads the body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 1024 * 1024

View = TypeVar("View", bound=Callable[..., Any])


def upload_limit(max_file_bytes: int) -> Callable[[View], View]:
    """Let the decorated view take a body of one file up to `max_file_bytes` and its form."""

    def decorate(view: View) -> View:
        view.max_upload_bytes = max_file_bytes  # type: ignore[attr-defined]
        return view

    return decorate


def upload_limit_for(view: Callable[..., Any]) -> int:
    """The largest file `view` takes (a view without files: the cap on form data)."""
    return getattr(view, "max_upload_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def body_limit_for(view: Callable[..., Any]) -> int:
    """The largest request body `view` accepts."""
    return upload_limit_for(view) + FORM_OVERHEAD_BYTES


class _CappedStream:
    """The request's input stream that refuses to give more than `limit` bytes in all."""

    def __init__(self, stream: Any, limit: int, request: HttpRequest) -> None:
        self._stream = stream
        self._limit = limit
        self._request = request
        self._read = 0

    def _count(self, chunk: bytes) -> bytes:
        self._read += len(chunk)
        if self._read > self._limit:
            self._request.body_too_large = True  # type: ignore[attr-defined]
            raise RequestDataTooBig("Request body exceeded the upload limit.")
        return chunk

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._limit - self._read + 1  # enough to notice one byte too many
        return self._count(self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._limit - self._read + 1
        return self._count(self._stream.readline(size))

    def __iter__(self) -> Any:
        return iter(self.readline, b"")

    def close(self) -> None:
        self._stream.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def too_large(request: HttpRequest) -> HttpResponse:
    """The Norwegian 413 page."""
    allowed = getattr(request, "upload_limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    megabytes = max(1, allowed // (1024 * 1024))
    response = render(request, "413.html", {"megabytes": megabytes}, status=413)
    # The rest of the body is never read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response


class RequestBodyLimitMiddleware:
    """Answer 413 to a body above the view's cap, before the view (or CSRF) reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "body_too_large", False):
            # The body grew past the cap while being read: whatever answered (400) becomes 413.
            return too_large(request)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        limit = body_limit_for(view)
        request.upload_limit = upload_limit_for(view)  # type: ignore[attr-defined]
        raw = request.META.get("CONTENT_LENGTH") or ""
        try:
            declared = int(raw)
        except ValueError:
            declared = None
        if declared is not None and declared > limit:
            return too_large(request)
        if hasattr(request, "_stream"):
            # No (or a false) Content-Length: count what is actually read (the capped
            # stream reads like the one it wraps).
            request._stream = _CappedStream(request._stream, limit, request)  # type: ignore[assignment]
        return None
