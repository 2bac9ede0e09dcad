"""The visits' jobs: reminders, digests, nudges, late starts, the watchdog, plan expansion.

Registered with the core's job registry (`seniorene.jobs.registry`), which feeds the
beat schedule and the admin's "Jobber" page. Times are civil Oslo time; nothing runs
between 02:00 and 03:00 (the hour DST skips or repeats).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.registry import Crontab, JobSpec, Tally, job_register
from visits import concern_notices, first_visit, reminders
from visits.planning import plans_expand
from visits.watchdog import leaders_of, watchdog_email


def watchdog_run(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """The planning issue's daily watchdog e-mail to each leader (claimed per leader and day)."""
    with tenant_context(organization_id):
        leader_ids = leaders_of(organization_id)
    for membership_id in leader_ids:
        with tenant_context(organization_id):
            tally.add(watchdog_email(membership_id=membership_id, now=now))


def plans_expand_run(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Make the visits of the rolling horizon (safe to repeat: existing visits are kept)."""
    with tenant_context(organization_id):
        result = plans_expand(organization_id=organization_id)
    tally.handled += result.created + result.updated + result.restored + result.cancelled
    tally.notes.append(
        f"created {result.created}, updated {result.updated}, "
        f"restored {result.restored}, cancelled {result.cancelled}"
    )


job_register(
    JobSpec(
        name="reminders",
        label=_("Påminnelse til brukeren dagen før"),
        run=reminders.reminders_send,
        day_offset=1,
        schedule=Crontab(minute="0", hour="17"),
        beat_name="Jobb: påminnelse til brukere om morgendagens besøk",
        position=10,
    )
)
job_register(
    JobSpec(
        name="prepare_call",
        label=_("Pårørende ringer før første besøk (spørsmål 3)"),
        run=first_visit.prepare_sms_send,
        day_offset=1,
        schedule=Crontab(minute="5", hour="17"),
        beat_name="Jobb: be pårørende ringe før første besøk",
        position=15,
    )
)
job_register(
    JobSpec(
        name="reminder_recheck",
        label=_("Trekk tilbake påminnelser om avlyste og flyttede besøk"),
        run=reminders.reminders_recheck,
        schedule=Crontab(minute="*/5", hour="*"),
        beat_name="Jobb: trekk tilbake påminnelser om endrede besøk",
        position=20,
    )
)
job_register(
    JobSpec(
        name="senior_digest",
        label=_("Morgendagens besøk til seniorene"),
        run=reminders.senior_digests_send,
        day_offset=1,
        schedule=Crontab(minute="0", hour="18"),
        beat_name="Jobb: morgendagens besøk til seniorene",
        position=30,
    )
)
job_register(
    JobSpec(
        name="unlogged_senior",
        label=_("Purring på besøk som ikke er ført (senior)"),
        run=reminders.unlogged_senior_nudges,
        schedule=Crontab(minute="*/15", hour="*"),
        beat_name="Jobb: purring til senior på besøk som ikke er ført",
        position=40,
    )
)
job_register(
    JobSpec(
        name="unlogged_leader",
        label=_("Besøk som ikke ble ført i går (leder)"),
        run=reminders.unlogged_leader_digests,
        day_offset=-1,
        schedule=Crontab(minute="30", hour="7"),
        beat_name="Jobb: besøk som ikke ble ført i går, til leder",
        position=50,
    )
)
job_register(
    JobSpec(
        name="late_start",
        label=_("Varsel om besøk som ikke har startet"),
        run=reminders.late_start_alerts,
        schedule=Crontab(minute="*/5", hour="*"),
        beat_name="Jobb: varsel til leder om besøk som ikke har startet",
        position=60,
    )
)
job_register(
    JobSpec(
        name="watchdog",
        label=_("Brukere uten kommende besøk (leder)"),
        run=watchdog_run,
        schedule=Crontab(minute="0", hour="7"),
        beat_name="Jobb: brukere uten kommende besøk, til leder",
        position=70,
    )
)
job_register(
    JobSpec(
        name="expand_plans",
        label=_("Lag besøk fra besøksplanene"),
        run=plans_expand_run,
        schedule=Crontab(minute="30", hour="1"),
        beat_name="Jobb: lag besøk fra besøksplanene",
        position=80,
    )
)
job_register(
    JobSpec(
        name="concern_escalate",
        label=_("Meldinger til leder: ubesvart i 24 timer (fagleder)"),
        run=concern_notices.concerns_escalate,
        schedule=Crontab(minute="*/15", hour="*"),
        beat_name="Jobb: ubesvarte meldinger fra seniorene, til fagleder",
        position=65,
        keep_one_empty_run=True,
    )
)
