"""What a receipt file really is, read from its first bytes (never from its name).

An upload must be the kind of file its name says (an HTML page named kvittering.jpg is
refused); the receipt view shows a file in the browser only when its content is a
picture, and offers anything else as a download.
"""

from __future__ import annotations

from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Content type by the file's first bytes.
JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
HEIC, PDF = "image/heic", "application/pdf"
# Shown in the browser: pictures it can draw. PDFs (which can carry scripts) and HEIC
# (which browsers do not draw) are downloaded.
INLINE_TYPES = frozenset({JPEG, PNG, WEBP})
# The content each accepted file name ending must have.
TYPE_OF_EXTENSION = {
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "webp": WEBP,
    "heic": HEIC,
    "heif": HEIC,
    "pdf": PDF,
}
EXTENSION_OF_TYPE = {JPEG: "jpg", PNG: "png", WEBP: "webp", HEIC: "heic", PDF: "pdf"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff(head: bytes) -> str | None:
    """The content type that `head` (a file's first bytes) starts, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def sniff_file(file: IO[bytes]) -> str | None:
    """The content type of an open file, read from its start; the position is kept."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    try:
        return sniff(file.read(32))
    finally:
        file.seek(position)


def validate_receipt_content(upload) -> None:
    """Refuse a receipt whose content is not the picture or PDF its name says."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = TYPE_OF_EXTENSION.get(extension)
    found = sniff_file(upload)
    if found is None or (expected is not None and found != expected):
        raise ValidationError(
            _(
                "Filen er ikke et bilde av kvitteringen (JPEG, PNG, HEIC, WebP) eller en "
                "PDF, selv om navnet sier det. Ta bildet på nytt med kameraet."
            ),
            code="receipt_content",
        )
