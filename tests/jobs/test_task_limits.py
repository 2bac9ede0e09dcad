"""Every task of ours is acknowledged late and has time limits that fit the broker's
visibility timeout: a task is redelivered only when its worker died, never while it runs."""

from __future__ import annotations

from django.conf import settings

from seniorene.celery import app

OURS = ("seniorene.", "customers.", "omsorg.", "visits.", "training.")


def test_every_task_has_time_limits_well_inside_the_visibility_timeout():
    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    ours = {name: task for name, task in app.tasks.items() if name.startswith(OURS)}
    assert "seniorene.jobs.tasks.run_job" in ours
    for name, task in ours.items():
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert soft is not None, name
        assert hard is not None, name
        assert soft < hard, name
        assert hard < visibility, name
        assert task.acks_late or app.conf.task_acks_late, name
    assert app.conf.task_reject_on_worker_lost
