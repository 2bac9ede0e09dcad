"""Settings for `make load-cluster`'s Celery workers: production's, with SMS through the
real Twilio backend pointed at the local stand-in (bench/standins.py)."""

from seniorene.settings import *  # noqa: F403

SMS_BACKEND = "bench.standins.StandInTwilioBackend"
