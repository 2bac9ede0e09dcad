"""The watchdog e-mail's once-a-day row becomes a notice claim (``watchdog:<leader>:<day>``).

Sent notices are carried over as sent claims first, so no leader gets the day's e-mail
twice across the upgrade; then the table goes.
"""

from django.db import migrations


def notices_to_claims(apps, schema_editor):
    WatchdogNotice = apps.get_model("visits", "WatchdogNotice")
    JobClaim = apps.get_model("jobs", "JobClaim")
    JobClaim.objects.bulk_create(
        [
            JobClaim(
                organization_id=n.organization_id,
                key=f"watchdog:{n.membership_id}:{n.day.isoformat()}",
                status="sent",
                attempts=1,
                claimed_at=n.sent_at,
                done_at=n.sent_at,
            )
            for n in WatchdogNotice.objects.filter(sent_at__isnull=False)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0009_ledger_moves_out"),
        ("jobs", "0003_job_choices_from_registry"),
    ]

    operations = [
        migrations.RunPython(notices_to_claims, migrations.RunPython.noop),
        migrations.DeleteModel(name="WatchdogNotice"),
    ]
