from __future__ import annotations

from django.db import migrations

from seniorene.accounts.rls import EnableTenantRLS

# Lets the public calendar (ICS) view find the organization of a feed key before
# any tenant is set; it reveals nothing but that one id (the key alone is not
# enough to read the feed: the URL also carries an HMAC of it).
CALENDAR_LOOKUP = """
CREATE OR REPLACE FUNCTION seniorene_calendar_feed_organization(feed_key text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT organization_id FROM visits_calendarfeed WHERE key = feed_key
$$;
"""


def create_lookup(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CALENDAR_LOOKUP)


def drop_lookup(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS seniorene_calendar_feed_organization(text)")


class Migration(migrations.Migration):
    dependencies = [("visits", "0003_plans_and_visits"), ("accounts", "0002_row_level_security")]

    operations = [
        EnableTenantRLS(model)
        for model in (
            "visitplan",
            "planservicearea",
            "visit",
            "visitservicearea",
            "senioravailability",
            "calendarfeed",
            "watchdognotice",
        )
    ] + [migrations.RunPython(create_lookup, drop_lookup)]
