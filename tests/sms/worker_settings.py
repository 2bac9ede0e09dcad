"""Settings for the Celery workers that tests/sms/test_worker.py starts: the project's,
with the recording backend (sends counted in a file, see recording_backend.py) and a
visibility timeout of seconds instead of an hour, so that a fresh worker takes over
what a killed one held as soon as it starts, as production's would after an hour."""

from seniorene.settings import *  # noqa: F403

SMS_BACKEND = "tests.sms.recording_backend.RecordingBackend"
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 1}  # noqa: F405
