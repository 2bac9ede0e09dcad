"""The evaluation's job: every morning, ask those who are due (`evaluations.services`).

Registered with the core's job registry (`seniorene.jobs.registry`): on the *Jobber* page and
in beat's schedule, at 09.10 Oslo time (the SMS also waits for the sending hours).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from evaluations.services import evaluations_send_run
from seniorene.jobs.registry import Crontab, JobSpec, job_register

job_register(
    JobSpec(
        name="evaluations",
        label=_("Evaluering: spør pårørende hvordan besøkene går"),
        run=evaluations_send_run,
        schedule=Crontab(minute="10", hour="9"),
        beat_name="Jobb: evaluering til pårørende",
        position=75,
    )
)
