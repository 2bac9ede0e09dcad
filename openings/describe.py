"""A job in words, as seniors and leaders read it (and the notices say it): when and how
often, never who or where beyond the area."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from openings.models import JobOpening, OpeningKind
from visits.models import WEEKDAYS, mask_to_weekdays


def opening_when(opening: JobOpening) -> str:
    """ "tirsdag og torsdag kl. 11.00, hver uke, fra 19.1.2027 (60 minutter)"; a Bli kjent
    job: "tirsdag 19.1.2027 kl. 11.00 (60 minutter)"."""
    start = opening.start_time.strftime("%H.%M")
    minutes = opening.duration_minutes
    if opening.kind == OpeningKind.INTAKE:
        return _("%(day)s kl. %(time)s (%(minutes)s minutter)") % {
            "day": date_format(opening.first_date, "l j.n.Y"),
            "time": start,
            "minutes": minutes,
        }
    names = dict(WEEKDAYS)
    days = get_text_list([str(names[d]) for d in mask_to_weekdays(opening.weekdays)], _("og"))
    if opening.every_n_weeks == 1:
        every = _("hver uke")
    elif opening.every_n_weeks == 2:
        every = _("annenhver uke")
    else:
        every = _("hver %(n)s. uke") % {"n": opening.every_n_weeks}
    return _("%(days)s kl. %(time)s, %(every)s, fra %(first)s (%(minutes)s minutter)") % {
        "days": days,
        "time": start,
        "every": every,
        "first": date_format(opening.first_date, "j.n.Y"),
        "minutes": minutes,
    }


def opening_where(opening: JobOpening) -> str:
    """ "0457 Sagene": the postal code and the area, nothing closer."""
    return " ".join(p for p in (opening.postal_code, opening.area) if p)
