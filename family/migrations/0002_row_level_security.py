from __future__ import annotations

from django.db import migrations

from seniorene.accounts.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("family", "0001_initial"), ("accounts", "0002_row_level_security")]

    operations = [EnableTenantRLS("visitrequest")]
