"""The receipt photo of an outlay, for those who may see it."""

from __future__ import annotations

from django.http import FileResponse, Http404

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm


@require(Perm.VIEW_RECEIPTS)
def receipt(request: AuthedRequest, pk: int) -> FileResponse:
    """The photo of an outlay's receipt (private file; access as for the outlay)."""
    from visits.access import get_expense_for_user
    from visits.receipts import EXTENSION_OF_TYPE, INLINE_TYPES, sniff_file

    expense = get_expense_for_user(request, pk)
    name = expense.receipt.name
    if not name:  # a FieldFile is falsy exactly when it has no name
        raise Http404
    # The content decides, never the file name: only a verified picture is shown in the
    # browser; anything else (a PDF, or a file that is not what its name says) downloads.
    stored = expense.receipt.storage.open(name, "rb")
    content_type = sniff_file(stored)
    inline = content_type in INLINE_TYPES
    extension = EXTENSION_OF_TYPE.get(content_type or "", "bin")
    response = FileResponse(
        stored,
        content_type=content_type or "application/octet-stream",
        as_attachment=not inline,
        filename=f"kvittering-{expense.pk}.{extension}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
