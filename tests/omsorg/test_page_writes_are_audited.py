"""The pages that write (service areas, criteria, a PDF made again) do it through a service
that writes its own audit row."""

from __future__ import annotations

import pytest
from django.utils import timezone

from omsorg.models import Criterion, IntakeInterview, PdfStatus, ServiceArea
from seniorene.audit.models import AuditEvent
from tests.factories import CareRecipientFactory, IntakeInterviewFactory
from tests.training.helpers import clear_for_assignment

pytestmark = pytest.mark.django_db


def actions(obj) -> list[str]:
    rows = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(rows.order_by("pk").values_list("action", flat=True))


def test_adding_and_editing_a_service_area_is_audited(world, client_for):
    admin = client_for(world.home.admin)
    assert admin.post("/tjenesteomrader/", {"name": "Turgåing", "position": 1}).status_code == 302
    area = ServiceArea.objects.get(organization=world.home.organization, name="Turgåing")
    edit = {"name": "Turer", "position": 1, "is_active": "on"}
    assert admin.post(f"/tjenesteomrader/{area.pk}/", edit).status_code == 302
    assert actions(area) == ["service_area.created", "service_area.updated"]
    assert AuditEvent.objects.filter(action="service_area.updated").get().actor == (
        world.home.admin.user
    )


def test_adding_and_retiring_a_criterion_is_audited(world, client_for):
    admin = client_for(world.home.admin)
    new = {"kind": "screening", "text": "Bor i kommunen", "help_text": "", "position": 9}
    assert admin.post("/kriterier/", {**new, "is_active": "on"}).status_code == 302
    criterion = Criterion.objects.get(organization=world.home.organization, text="Bor i kommunen")
    assert admin.post(f"/kriterier/{criterion.pk}/", new).status_code == 302
    criterion.refresh_from_db()
    assert criterion.is_active is False
    assert actions(criterion) == ["criterion.created", "criterion.updated"]


def test_making_a_failed_pdf_again_is_audited_and_a_ready_one_is_left_alone(
    world, client_for, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    clear_for_assignment(world.home.senior_a)
    recipient = CareRecipientFactory(department=world.home.dept_a, seniors=[world.home.senior_a])
    interview = IntakeInterviewFactory(recipient=recipient, senior=world.home.senior_a)
    IntakeInterview.objects.filter(pk=interview.pk).update(
        status="completed", completed_at=timezone.now(), pdf_status=PdfStatus.FAILED
    )
    leader = client_for(world.home.leader_a)
    url = f"/bli-kjent/{interview.pk}/pdf/lag-paa-nytt/"
    assert leader.post(url).status_code == 302
    interview.refresh_from_db()
    assert interview.pdf_status == PdfStatus.READY
    assert actions(interview) == ["interview.pdf_retried"]
    assert leader.post(url).status_code == 302
    assert actions(interview) == ["interview.pdf_retried"]
