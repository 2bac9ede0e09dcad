"""Data-access export and anonymisation after the retention period."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from customers import services
from customers.models import CareRecipient, Relative, StatusChange
from seniorene.audit.models import AuditEvent, ViewRecord
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory

pytestmark = pytest.mark.django_db


def test_the_export_holds_everything_stored_about_the_recipient(world, client_for):
    relative = RelativeFactory(
        recipient__department=world.home.dept_a, recipient__name="Åse Ødegård", name="Ola Ås"
    )
    recipient = relative.recipient
    ConsentFactory(recipient=recipient, relative=relative, recorded_by=world.home.leader_a.user)
    client = client_for(world.home.leader_a)
    client.get(f"/brukere/{recipient.pk}/")
    response = client.get(f"/brukere/{recipient.pk}/innsyn.json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["recipient"]["name"] == "Åse Ødegård"
    assert data["relatives"][0]["name"] == "Ola Ås"
    assert data["consents"][0]["person"] == "Ola Ås"
    assert data["views"][0]["who"] == world.home.leader_a.user.name
    page = client.get(f"/brukere/{recipient.pk}/innsyn/").content.decode()
    assert "Alt vi lagrer om Åse Ødegård" in page
    assert "Ola Ås" in page
    assert ViewRecord.objects.filter(what__startswith="innsyn").count() == 2


def test_ended_recipients_are_anonymised_after_the_retention_period(world, settings):
    home = world.home
    recipient = CareRecipientFactory(
        department=home.dept_a,
        name="Astrid Ødegaard",
        phone="+4722334455",
        key_notes="Nøkkel i boksen",
    )
    RelativeFactory(recipient=recipient, name="Ingrid Ødegaard")
    services.recipient_change_status(
        recipient=recipient, by=home.leader_a, to_status="ended", reason="Flyttet til Bergen"
    )
    kept = CareRecipientFactory(department=home.dept_a, name="Fortsatt Aktiv")
    out = StringIO()
    call_command("anonymise_ended", stdout=out)
    assert "Anonymised 0" in out.getvalue()
    later = timezone.now() + timedelta(days=settings.RETENTION_DAYS_AFTER_END + 1)
    with time_machine.travel(later):
        call_command("anonymise_ended", stdout=out)
    recipient.refresh_from_db()
    assert recipient.anonymised_at is not None
    assert "Astrid" not in recipient.name
    assert recipient.phone == ""
    assert recipient.key_notes == ""
    assert recipient.address == ""
    assert Relative.objects.get(recipient=recipient).name == "Anonymisert"
    assert StatusChange.objects.get(recipient=recipient, to_status="ended").reason == ""
    assert not AuditEvent.objects.filter(object_repr__contains="Astrid").exists()
    # Counts for statistics remain, and other recipients are untouched.
    assert CareRecipient.objects.count() == 2
    assert StatusChange.objects.filter(recipient=recipient).exists()
    kept.refresh_from_db()
    assert kept.name == "Fortsatt Aktiv"
