"""Put the SMS sweeper in the beat schedule (django-celery-beat's database): every minute
it enqueues messages that waited for the sending hours and flags sends whose worker died."""

from __future__ import annotations

from django.db import migrations

TASK = "seniorene.sms.tasks.sms_sweep"  # the registered name of messaging.tasks.sms_sweep
NAME = "SMS: send ventende meldinger, finn avbrutte sendinger"


def schedule(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = interval_model.objects.get_or_create(every=1, period="minutes")
    task_model.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "interval": every_minute, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0002_row_level_security"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
