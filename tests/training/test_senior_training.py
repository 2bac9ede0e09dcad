"""The senior's training page on the phone: what is left, one tap per module, the declaration."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from seniorene.audit.models import AuditEvent
from training import services
from training.models import TrainingCompletion, TrainingModule


@pytest.fixture
def modules(world):
    services.training_seed_defaults(organization=world.home.organization)
    return {m.key: m for m in TrainingModule.objects.filter(organization=world.home.organization)}


def test_the_page_shows_what_is_left_and_the_progress(world, client_for, modules):
    html = client_for(world.home.senior_a).get(reverse("training:my_training")).content.decode()
    assert "0 av 6 påkrevde deler fullført" in html
    assert 'class="is-senior"' in html
    assert "Før du kan få Omsorg-oppdrag, mangler du:" in html
    for title in ("Forberedelse", "Gjennomføring av besøket", "Treningsplan: fysisk trening"):
        assert title in html
    assert reverse("training:declaration") in html


def test_one_tap_marks_a_module_done(world, client_for, modules):
    senior = world.home.senior_a
    module = modules["video-forberedelse"]
    client = client_for(senior)
    page = client.get(reverse("training:module", args=[module.pk])).content.decode()
    assert "Jeg har sett videoen" in page
    assert module.video_url in page
    response = client.post(reverse("training:module_complete", args=[module.pk]))
    assert response.status_code == 302
    assert response.url == reverse("training:my_training")
    completion = TrainingCompletion.objects.get(membership=senior, module=module)
    assert completion.version == 1
    assert AuditEvent.objects.filter(action="training.module_completed").count() == 1
    html = client.get(reverse("training:my_training")).content.decode()
    assert "1 av 6 påkrevde deler fullført" in html
    # Tapping twice records nothing new.
    client.post(reverse("training:module_complete", args=[module.pk]))
    assert TrainingCompletion.objects.filter(membership=senior, module=module).count() == 1


def test_the_declaration_cannot_be_ticked_off_without_signing(world, client_for, modules):
    declaration = modules["taushetserklaering"]
    client = client_for(world.home.senior_a)
    response = client.post(reverse("training:module_complete", args=[declaration.pk]))
    assert response.status_code == 302
    assert not TrainingCompletion.objects.filter(module=declaration).exists()
    # Opening it as a module leads to the signing page.
    response = client.get(reverse("training:module", args=[declaration.pk]))
    assert response.url == reverse("training:declaration")


@time_machine.travel("2026-03-02 10:00 +01:00", tick=False)
def test_the_senior_accepts_the_declaration_with_name_date_and_version(world, client_for, modules):
    senior = world.home.senior_a
    client = client_for(senior)
    page = client.get(reverse("training:declaration")).content.decode()
    assert "Taushetsplikten gjelder også etter" in page
    assert "Versjon 1" in page
    response = client.post(
        reverse("training:declaration"),
        {"signed_name": "  Ragnhild   Øye ", "confirm": "on", "version": "1"},
    )
    assert response.status_code == 302
    accepted = TrainingCompletion.objects.get(membership=senior, module__kind="declaration")
    assert accepted.signed_name == "Ragnhild Øye"
    assert accepted.version == 1
    assert accepted.accepted_text == modules["taushetserklaering"].body
    assert accepted.completed_at.isoformat() == "2026-03-02T09:00:00+00:00"
    page = client.get(reverse("training:declaration")).content.decode()
    assert "Du godtok versjon 1 den 2. mars 2026 med navnet Ragnhild Øye." in page


def test_signing_needs_the_name_and_the_tick(world, client_for, modules):
    client = client_for(world.home.senior_a)
    response = client.post(reverse("training:declaration"), {"signed_name": "", "version": "1"})
    assert response.status_code == 200
    assert not TrainingCompletion.objects.exists()


def test_a_new_version_of_the_declaration_asks_everyone_to_accept_again(world, client_for, modules):
    senior = world.home.senior_a
    declaration = modules["taushetserklaering"]
    first_text = declaration.body
    client = client_for(senior)
    client.post(
        reverse("training:declaration"),
        {"signed_name": "Senior A", "confirm": "on", "version": "1"},
    )
    lead = client_for(world.home.lead)
    response = lead.post(
        reverse("training:module_edit", args=[declaration.pk]),
        {"title": declaration.title, "body": declaration.body + "\n\nNy regel.", "position": 60},
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.version == 2
    event = AuditEvent.objects.get(action="training.module_updated")
    assert event.details == {"version": 2, "new_version": True}

    page = client.get(reverse("training:my_training")).content.decode()
    assert "Taushetserklæring (ny versjon 2 er ikke godtatt)" in page
    page = client.get(reverse("training:declaration")).content.decode()
    assert "Taushetserklæringen er endret siden du godtok den." in page
    assert "Ny regel." in page
    client.post(
        reverse("training:declaration"),
        {"signed_name": "Senior A", "confirm": "on", "version": "2"},
    )
    versions = TrainingCompletion.objects.filter(membership=senior, module=declaration)
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    assert versions.get(version=2).accepted_text.endswith("Ny regel.")
    assert versions.get(version=1).accepted_text == first_text


def test_a_title_change_is_not_a_new_version(world, client_for, modules):
    declaration = modules["taushetserklaering"]
    client_for(world.home.lead).post(
        reverse("training:module_edit", args=[declaration.pk]),
        {"title": "Taushetserklæring for Omsorg", "body": declaration.body, "position": 60},
    )
    declaration.refresh_from_db()
    assert (declaration.title, declaration.version) == ("Taushetserklæring for Omsorg", 1)


def test_accepting_a_version_that_was_replaced_while_reading_is_refused(world, client_for, modules):
    declaration = modules["taushetserklaering"]
    client = client_for(world.home.senior_a)
    client.get(reverse("training:declaration"))  # reads version 1
    TrainingModule.objects.filter(pk=declaration.pk).update(version=2, body="Ny tekst.")
    response = client.post(
        reverse("training:declaration"),
        {"signed_name": "Senior A", "confirm": "on", "version": "1"},
        follow=True,
    )
    assert "ble endret mens du leste" in response.content.decode()
    assert not TrainingCompletion.objects.filter(module=declaration).exists()


def test_a_retired_module_is_gone_for_seniors_but_not_for_the_lead(world, client_for, modules):
    module = modules["intervjuskjema"]
    module.is_active = False
    module.save(update_fields=["is_active"])
    url = reverse("training:module", args=[module.pk])
    assert client_for(world.home.senior_a).get(url).status_code == 404
    assert (
        client_for(world.home.senior_a)
        .post(reverse("training:module_complete", args=[module.pk]))
        .status_code
        == 404
    )
    assert client_for(world.home.lead).get(url).status_code == 200
    assert (
        "Intervjuskjema"
        not in client_for(world.home.senior_a).get(reverse("training:my_training")).content.decode()
    )


def test_a_cleared_senior_is_told_so(world, client_for, modules):
    from tests.training.helpers import clear_for_assignment

    clear_for_assignment(world.home.senior_a)
    html = client_for(world.home.senior_a).get(reverse("training:my_training")).content.decode()
    assert "6 av 6 påkrevde deler fullført" in html
    assert "Du er ferdig med opplæringen og kan få Omsorg-oppdrag." in html


def test_the_senior_page_shows_the_next_team_meeting(world, client_for, modules):
    from tests.training.helpers import make_meeting

    make_meeting(world.home.organization)
    html = client_for(world.home.senior_a).get(reverse("training:my_training")).content.decode()
    assert "Neste teamsmøte" in html
    assert "https://teams.example/mote" in html


def test_the_training_page_takes_few_queries(
    world, client_for, modules, django_assert_max_num_queries
):
    client = client_for(world.home.senior_a)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("training:my_training")).status_code == 200


def test_the_start_page_links_to_the_training(world, client_for):
    senior = client_for(world.home.senior_a).get("/hjem/", follow=True).content.decode()
    assert reverse("training:my_training") in senior
    lead = client_for(world.home.lead).get("/hjem/").content.decode()
    assert reverse("training:manage") in lead
    leader = client_for(world.home.leader_a).get("/hjem/").content.decode()
    assert reverse("training:overview") in leader
