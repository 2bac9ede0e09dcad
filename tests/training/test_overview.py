"""Who is cleared for Omsorg work: per department, with what is missing, and as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from seniorene.accounts.models import Role
from tests.factories import MembershipFactory
from tests.training.helpers import clear_for_assignment
from training import services
from training.models import TrainingModule


@pytest.fixture
def trained(world):
    """senior_a is cleared; senior_a2 lacks the declaration; senior_b has done nothing."""
    home = world.home
    clear_for_assignment(home.senior_a)
    for module in TrainingModule.objects.filter(organization=home.organization):
        if not module.is_declaration:
            services.module_complete(membership=home.senior_a2, module=module)
    return home


def test_the_lead_sees_every_department_with_who_is_blocked_and_why(world, client_for, trained):
    html = client_for(trained.lead).get(reverse("training:overview")).content.decode()
    assert trained.dept_a.name in html
    assert trained.dept_b.name in html
    for senior in (trained.senior_a, trained.senior_a2, trained.senior_b):
        assert senior.user.name in html
    assert world.other.senior_a.user.name not in html
    assert "Klar" in html
    assert "Blokkert" in html
    assert "Taushetserklæring" in html
    assert "Video: Forberedelse" in html


def test_a_leader_sees_only_their_own_department(world, client_for, trained):
    html = client_for(trained.leader_a).get(reverse("training:overview")).content.decode()
    assert trained.senior_a2.user.name in html
    assert trained.senior_b.user.name not in html
    assert trained.dept_b.name not in html


def test_the_filter_shows_only_blocked_seniors(world, client_for, trained):
    html = (
        client_for(trained.lead)
        .get(reverse("training:overview"), {"vis": "blokkerte"})
        .content.decode()
    )
    assert trained.senior_a2.user.name in html
    assert trained.senior_a.user.name not in html


def test_the_csv_has_a_row_per_senior_and_department(world, client_for, trained):
    response = client_for(trained.lead).get(reverse("training:overview_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="opplaering-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Avdeling", "Navn", "E-post", "Fullført", "Påkrevd", "Status", "Mangler"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name[trained.senior_a.user.name][3:6] == ["6", "6", "Klar"]
    assert by_name[trained.senior_a2.user.name][3:] == ["5", "6", "Blokkert", "Taushetserklæring"]
    assert by_name[trained.senior_b.user.name][0] == trained.dept_b.name
    assert len(rows) == 4


def test_the_csv_cannot_smuggle_a_formula_into_a_spreadsheet(world, client_for, trained):
    trained.senior_a.user.name = '=HYPERLINK("http://x")'
    trained.senior_a.user.save(update_fields=["name"])
    text = client_for(trained.lead).get(reverse("training:overview_csv")).content.decode()
    assert "'=HYPERLINK" in text


def test_the_overview_takes_the_same_number_of_queries_for_many_seniors(
    world, client_for, trained, django_assert_max_num_queries
):
    client = client_for(trained.lead)
    client.get(reverse("training:overview"))  # warm the session and MFA caches
    for _ in range(15):
        clear_for_assignment(
            MembershipFactory(
                organization=trained.organization, role=Role.SENIOR, departments=[trained.dept_a]
            )
        )
    with django_assert_max_num_queries(14):
        response = client.get(reverse("training:overview"))
    assert response.status_code == 200


def test_a_senior_cannot_see_the_overview(world, client_for):
    assert client_for(world.home.senior_a).get(reverse("training:overview")).status_code == 403
