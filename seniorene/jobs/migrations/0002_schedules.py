"""Put the jobs in the beat schedule (django-celery-beat's database), Europe/Oslo civil time.

See `seniorene.jobs.schedule`; ``manage.py jobs_schedule`` does the same, idempotently.
The jobs come from the registry (each app's ``jobs.py``). Jobs on an interval are left
to ``jobs_schedule``, and the rows of jobs that have a beat task of their own were made
by their app's migration (training.0003, sms.0003), with the same name and task: going
back removes only the fan-out rows this migration made first.
"""

from __future__ import annotations

from django.db import migrations

from seniorene.jobs.schedule import schedule_install, schedule_remove


def schedule(apps, schema_editor):
    schedule_install(
        apps.get_model("django_celery_beat", "CrontabSchedule"),
        apps.get_model("django_celery_beat", "PeriodicTask"),
    )


def unschedule(apps, schema_editor):
    schedule_remove(apps.get_model("django_celery_beat", "PeriodicTask"), fan_out_only=True)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
