"""The choices of `JobRun.job` come from the job registry (a callable), so a job added by
an app needs no migration. No database change: choices live in Python only."""

from __future__ import annotations

from django.db import migrations, models

import seniorene.jobs.registry


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0002_schedules"),
    ]

    operations = [
        migrations.AlterField(
            model_name="jobrun",
            name="job",
            field=models.CharField(
                choices=seniorene.jobs.registry.job_choices, max_length=30, verbose_name="jobb"
            ),
        ),
    ]
