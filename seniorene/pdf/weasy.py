"""The WeasyPrint side of `seniorene.pdf`: HTML to PDF with a fetcher for static files only."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in PDF templates resolve against this address; it never leaves the process.
BASE_URL = "https://pdf.invalid/"

# WeasyPrint logs every rendering step at INFO; only its warnings are worth a log line.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def static_path(name: str) -> Path | None:
    """The file of static asset `name` (finders in development, STATIC_ROOT in production).

    Only relative names inside the static folders: an absolute name ("/etc/passwd", which
    ``Path(root) / name`` would happily return) or one that climbs out is refused.
    """
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts or "\\" in name or "\x00" in name:
        return None
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / name).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


class StaticFilesFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """Serve ``STATIC_URL`` files from disk and ``data:`` URLs; refuse everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"})
        self.static_prefix = BASE_URL.rstrip("/") + settings.STATIC_URL

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(self.static_prefix):
            name = url[len(self.static_prefix) :].split("?")[0].split("#")[0]
            path = static_path(name)
            if path is None:
                raise ValueError(f"No static file {name!r}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        return super().fetch(url, headers)  # data: only; any other scheme raises ValueError


# The stylesheet of every PDF, parsed once per process (and again when the file changes).
PRINT_CSS = "css/print.css"
_parsed: dict[tuple[Path, float], Any] = {}


def print_stylesheet() -> Any:
    """`static/css/print.css` as a parsed WeasyPrint stylesheet.

    Parsing it (tokenising, compiling every selector) took about a tenth of a form's
    rendering when each PDF linked it; parsed once, every PDF reuses the same object.
    """
    path = static_path(PRINT_CSS)
    if path is None:
        raise ValueError(f"No static file {PRINT_CSS!r}")
    key = (path, path.stat().st_mtime)
    if key not in _parsed:
        _parsed.clear()
        _parsed[key] = CSS(
            string=path.read_text(encoding="utf-8"),
            base_url=BASE_URL.rstrip("/") + settings.STATIC_URL + PRINT_CSS,
            url_fetcher=StaticFilesFetcher(),
        )
    return _parsed[key]


def html_to_pdf(html: str, *, stylesheets: list[Any] | None = None) -> bytes:
    """The PDF of `html`, whose relative URLs resolve against `BASE_URL`.

    `stylesheets` are parsed WeasyPrint stylesheets applied after the document's own.
    """
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())
    pdf: bytes = document.write_pdf(stylesheets=stylesheets)
    return pdf
