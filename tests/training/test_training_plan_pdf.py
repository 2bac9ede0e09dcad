"""The physical and cognitive training plans print as PDF (the manual asks for it)."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from training import services
from training.models import TrainingModule


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


@pytest.fixture
def plans(world):
    services.training_seed_defaults(organization=world.home.organization)
    return {m.key: m for m in TrainingModule.objects.filter(organization=world.home.organization)}


def test_the_senior_prints_the_physical_training_plan(world, client_for, plans):
    module = plans["plan-fysisk"]
    response = client_for(world.home.senior_a).get(reverse("training:module_pdf", args=[module.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="plan-fysisk.pdf"'
    text = pdf_text(response.content)
    assert "Treningsplan: fysisk trening" in text
    assert world.home.organization.name in text
    for phrase in (
        "Reise seg fra stol",
        "Tåhev",
        "Balanse ved kjøkkenbenken",
        "Kort gåtur",
        "8–10 ganger, 2 runder",
        "ring 113",
    ):
        assert phrase in text


def test_the_cognitive_plan_has_the_four_kinds_of_tasks_of_the_interview_form(
    world, client_for, plans
):
    module = plans["plan-kognitiv"]
    response = client_for(world.home.leader_a).get(reverse("training:module_pdf", args=[module.pk]))
    text = pdf_text(response.content)
    for phrase in ("Ordkombinasjoner", "Bilde og ord", "Lyd og ord", "Skrive ned minner"):
        assert phrase in text


def test_the_module_page_offers_the_print_and_a_video_has_none(world, client_for, plans):
    client = client_for(world.home.senior_a)
    page = client.get(reverse("training:module", args=[plans["plan-fysisk"].pk])).content.decode()
    assert reverse("training:module_pdf", args=[plans["plan-fysisk"].pk]) in page
    video = plans["video-forberedelse"]
    assert client.get(reverse("training:module_pdf", args=[video.pk])).status_code == 404


def test_another_organization_cannot_print_our_plan(world, client_for, plans):
    url = reverse("training:module_pdf", args=[plans["plan-fysisk"].pk])
    assert client_for(world.other.senior_a).get(url).status_code == 404
