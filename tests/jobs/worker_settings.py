"""Settings for the Celery workers and beats that tests/jobs/test_worker.py starts: the SMS
worker tests' (recording backend, a visibility timeout of one second), with every task
sent to the test's own queue, so that what a job enqueues reaches the test's workers."""

import os

from tests.sms.worker_settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["JOBS_TEST_QUEUE"]
