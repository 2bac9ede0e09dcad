"""Put the daily team-meeting job in the beat schedule (django-celery-beat's database).

Daily at 08:00 Oslo time: on the 1st it sends the month's link; later days reach a
meeting set after the 1st and seniors who joined since. Nobody gets it twice.
"""

from __future__ import annotations

from django.db import migrations

TASK = "training.tasks.send_team_meeting_invites_all"
NAME = "Teamsmøte: send månedens lenke"


def schedule(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = crontab_model.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Oslo",
    )
    task_model.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_row_level_security"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
