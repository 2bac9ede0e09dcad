"""Django and allauth strings whose Bokmål translation is missing or poor upstream.

Listing them here keeps them in ``locale/nb`` through ``makemessages``; our
catalogue comes first in LOCALE_PATHS, so these translations win.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

OVERRIDES = [
    # Django 5.2 changed this msgid to %d; its nb catalogue still has the old one.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_noop("Sign In"),
]
