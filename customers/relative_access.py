"""The relative's own page: signed, expiring, revocable links bound to one relative.

Interface fixed for issue 21; the body is filled in by the relative-page work (helper h3).
Messages to relatives (visits.feedback, visits.change_notices) put the link from
`relative_page_url` in their text; sending a new SMS renews the link's 30 days.
"""

from __future__ import annotations

from datetime import datetime

from customers.models import Relative


def relative_page_url(*, relative: Relative, now: datetime) -> str | None:
    """The absolute URL (SITE_URL) of `relative`'s own page, for an SMS to them.

    None when the relative may not have a page (no active consent of any kind, no
    mobile number, or the recipient has ended). Issuing renews the link for 30 days.
    """
    return None  # h3 fills this in before it lands (until then: no link)
