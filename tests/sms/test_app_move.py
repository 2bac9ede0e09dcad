"""Messaging moved out of the core (issue 17) without touching the database.

The app is ``messaging`` with the label "sms" it had as ``seniorene.sms``: the same
tables, migration history, content types and task names, so a database filled
before the move is read as it was. The core keeps only the transport
(``seniorene.sms.backends``) and text cleaning, which take plain values.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from celery import current_app
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django_celery_beat.models import PeriodicTask

from messaging.models import SmsMessage, SmsTemplate, StaffSmsConsent
from messaging.tasks import send_sms, sms_sweep
from seniorene.sms.backends import OutboxBackend

# The migrations that moved with the app; later ones are added under the same label.
MOVED_MIGRATIONS = {
    "0001_initial",
    "0002_row_level_security",
    "0003_sweep_schedule",
    "0004_smstemplate",
}
APPS = {"customers", "messaging", "ledger", "training", "omsorg", "visits"}


def test_the_messaging_app_keeps_the_sms_label_and_its_tables():
    config = apps.get_app_config("sms")
    assert config.name == "messaging"
    assert {model._meta.db_table for model in config.get_models()} == {
        "sms_smsmessage",
        "sms_staffsmsconsent",
        "sms_smstemplate",
        "sms_inboundsms",  # issue 21: replies are kept
        "sms_inboundsmsread",
        "sms_unmatchedinboundsms",
    }
    assert "seniorene.sms" not in settings.INSTALLED_APPS
    # Messaging stands above customers.
    assert settings.INSTALLED_APPS.index("messaging") > settings.INSTALLED_APPS.index("customers")


def test_the_migrations_moved_with_the_app_under_the_same_names():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    on_disk = {name for app, name in loader.disk_migrations if app == "sms"}
    assert on_disk >= MOVED_MIGRATIONS
    assert min(on_disk - MOVED_MIGRATIONS) > max(MOVED_MIGRATIONS)
    assert loader.disk_migrations["sms", "0001_initial"].__module__ == (
        "messaging.migrations.0001_initial"
    )


@pytest.mark.django_db
def test_the_recorded_history_and_content_types_are_the_labels():
    applied = {
        name for app, name in MigrationRecorder(connection).applied_migrations() if app == "sms"
    }
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert applied == {name for app, name in loader.disk_migrations if app == "sms"}
    assert applied >= MOVED_MIGRATIONS
    for model in (SmsMessage, StaffSmsConsent, SmsTemplate):
        content_type = ContentType.objects.get_for_model(model)
        assert (content_type.app_label, content_type.model) == ("sms", model._meta.model_name)


@pytest.mark.django_db
def test_queued_and_scheduled_tasks_still_find_their_task_by_name():
    assert send_sms.name == "seniorene.sms.tasks.send_sms"
    assert sms_sweep.name == "seniorene.sms.tasks.sms_sweep"
    scheduled = PeriodicTask.objects.get(task__endswith="sms_sweep")  # written by sms.0003
    for name, task in [(scheduled.task, sms_sweep), ("seniorene.sms.tasks.send_sms", send_sms)]:
        found = current_app.tasks[name]
        assert (found.__module__, found.__name__) == ("messaging.tasks", task.__name__)


def test_the_transport_takes_plain_values_and_names_no_model():
    sid = OutboxBackend().send(
        to="+4791234567", body="Hei", status_callback="https://x.example/cb", reference="42"
    )
    assert sid == "outbox-42"
    core = Path(settings.BASE_DIR) / "seniorene" / "sms"
    for path in core.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & APPS, (path.name, names)
