"""The status "claimed": taken by a batch send task, not yet handed to the provider (the
sweeper puts such a message back in the queue when its worker died). Choices only: no
change to the table."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sms', '0004_smstemplate'),
    ]

    operations = [
        migrations.AlterField(
            model_name='smsmessage',
            name='status',
            field=models.CharField(choices=[('queued', 'I kø'), ('claimed', 'Tatt ut til sending'), ('sending', 'Sendes'), ('sent', 'Sendt'), ('delivered', 'Levert'), ('failed', 'Feilet'), ('cancelled', 'Avbrutt'), ('blocked_no_consent', 'Stoppet: mangler samtykke'), ('uncertain', 'Uavklart: sjekk hos leverandøren')], default='queued', max_length=20, verbose_name='status'),
        ),
    ]
