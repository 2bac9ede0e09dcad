"""Record every user's login address as verified (issue 16).

People joined through an e-mailed invitation, which verified the address; with it
recorded, allauth lets a new address replace it only once that one is confirmed.
"""

from __future__ import annotations

from django.db import migrations


def verify_login_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.all().iterator():
        if EmailAddress.objects.filter(user=user, verified=True).exists():
            continue
        email = user.email.lower()
        EmailAddress.objects.filter(user=user).exclude(email=email).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_verbose_name"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_login_addresses, migrations.RunPython.noop)]
