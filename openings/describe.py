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
    job on one day: "tirsdag 19.1.2027 kl. 11.00 (60 minutter)", on one of several days:
    "tirsdag eller torsdag kl. 11.00, fra 19.1.2027 (60 minutter)" (as the senior reads it)."""
    start = opening.start_time.strftime("%H.%M")
    minutes = opening.duration_minutes
    names = dict(WEEKDAYS)
    weekdays = mask_to_weekdays(opening.weekdays)
    if opening.kind == OpeningKind.INTAKE:
        if len(weekdays) > 1:
            return _("%(days)s kl. %(time)s, fra %(first)s (%(minutes)s minutter)") % {
                "days": get_text_list([str(names[d]) for d in weekdays], _("eller")),
                "time": start,
                "first": date_format(opening.first_date, "j.n.Y"),
                "minutes": minutes,
            }
        return _("%(day)s kl. %(time)s (%(minutes)s minutter)") % {
            "day": date_format(opening.first_date, "l j.n.Y"),
            "time": start,
            "minutes": minutes,
        }
    days = get_text_list([str(names[d]) for d in weekdays], _("og"))
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
