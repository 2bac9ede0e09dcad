"""R6: one function decides whether a senior may be assigned Omsorg work."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.training.helpers import clear_for_assignment, make_module
from training import services
from training.models import ModuleKind, TrainingModule


@pytest.fixture
def training(world):
    """The home organization with the standard training; returns its modules by key."""
    services.training_seed_defaults(organization=world.home.organization)
    return {m.key: m for m in TrainingModule.objects.filter(organization=world.home.organization)}


def complete_all_but(membership, modules, *skip):
    for key, module in modules.items():
        if key in skip:
            continue
        if module.is_declaration:
            services.declaration_accept(
                membership=membership, module=module, signed_name="Navn", version=module.version
            )
        else:
            services.module_complete(membership=membership, module=module)


def test_it_clears_a_senior_who_has_done_everything(world, training):
    complete_all_but(world.home.senior_a, training)
    clearance = services.training_clearance(membership=world.home.senior_a)
    assert clearance.cleared
    assert clearance.missing == []
    assert (clearance.done, clearance.total) == (6, 6)
    services.training_require_cleared(membership=world.home.senior_a)  # does not raise


def test_it_blocks_a_senior_missing_a_required_module(world, training):
    complete_all_but(world.home.senior_a, training, "plan-fysisk", "video-forberedelse")
    clearance = services.training_clearance(membership=world.home.senior_a)
    assert not clearance.cleared
    assert clearance.missing == ["Video: Forberedelse", "Treningsplan: fysisk trening"]
    assert (clearance.done, clearance.total) == (4, 6)


def test_it_blocks_a_senior_who_has_not_signed_the_declaration(world, training):
    complete_all_but(world.home.senior_a, training, "taushetserklaering")
    clearance = services.training_clearance(membership=world.home.senior_a)
    assert not clearance.cleared
    assert clearance.missing == ["Taushetserklæring"]


def test_it_blocks_a_senior_who_signed_an_old_version_of_the_declaration(world, training):
    complete_all_but(world.home.senior_a, training)
    declaration = training["taushetserklaering"]
    services.module_save(
        organization=world.home.organization,
        by=world.home.lead,
        module=declaration,
        title=declaration.title,
        kind=declaration.kind,
        body=declaration.body + "\n\nNytt avsnitt om bilder i sosiale medier.",
    )
    clearance = services.training_clearance(membership=world.home.senior_a)
    assert not clearance.cleared
    assert clearance.missing == ["Taushetserklæring (ny versjon 2 er ikke godtatt)"]


def test_the_error_names_the_senior_and_what_is_missing(world, training):
    complete_all_but(world.home.senior_a, training, "taushetserklaering", "intervjuskjema")
    with pytest.raises(ValidationError) as caught:
        services.training_require_cleared(membership=world.home.senior_a)
    assert caught.value.code == "training_incomplete"
    (message,) = caught.value.messages
    assert world.home.senior_a.user.name in message
    assert "Intervjuskjema ved Bli kjent-møtet" in message
    assert "Taushetserklæring" in message


def test_an_organization_without_a_declaration_blocks_every_senior(world):
    clearance = services.training_clearance(membership=world.home.senior_a)
    assert not clearance.cleared
    assert clearance.missing == ["Taushetserklæring (ikke lagt inn av fagansvarlig ennå)"]


def test_optional_and_retired_modules_do_not_block(world, training):
    complete_all_but(world.home.senior_a, training)
    make_module(world.home.organization, title="Ekstra", is_required=False)
    make_module(world.home.organization, title="Gammel", is_active=False)
    assert services.training_clearance(membership=world.home.senior_a).cleared


def test_a_new_required_module_blocks_until_it_is_done(world, training):
    complete_all_but(world.home.senior_a, training)
    new = make_module(world.home.organization, kind=ModuleKind.VIDEO, title="Førstehjelp")
    assert services.training_clearance(membership=world.home.senior_a).missing == [
        "Video: Førstehjelp"
    ]
    services.module_complete(membership=world.home.senior_a, module=new)
    assert services.training_clearance(membership=world.home.senior_a).cleared


def test_completions_in_another_organization_do_not_count(world, training):
    services.training_seed_defaults(organization=world.other.organization)
    clear_for_assignment(world.other.senior_a)
    clearance = services.training_clearance(membership=world.home.senior_a)
    assert clearance.done == 0
    assert len(clearance.missing) == 6


def test_a_deactivated_senior_is_not_cleared(world, training):
    complete_all_but(world.home.senior_a, training)
    world.home.senior_a.is_active = False
    world.home.senior_a.save(update_fields=["is_active"])
    clearance = services.training_clearance(membership=world.home.senior_a)
    assert clearance.missing == ["Aktivt medlemskap"]


@pytest.mark.parametrize("persona", ["admin", "lead", "leader_a"])
def test_only_seniors_are_gated(world, persona, django_assert_num_queries):
    with django_assert_num_queries(0):
        clearance = services.training_clearance(membership=world.home.persona(persona))
    assert clearance.cleared


def test_the_bulk_check_takes_two_queries_however_many_seniors(
    world, training, django_assert_num_queries
):
    complete_all_but(world.home.senior_a, training)
    complete_all_but(world.home.senior_a2, training, "taushetserklaering")
    services.training_seed_defaults(organization=world.other.organization)
    clear_for_assignment(world.other.senior_b)
    people = [
        world.home.senior_a,
        world.home.senior_a2,
        world.home.senior_b,
        world.home.leader_a,
        world.other.senior_b,
        world.other.senior_a,
    ]
    with django_assert_num_queries(2):
        result = services.training_clearances(memberships=people)
    assert {m.pk: result[m.pk].cleared for m in people} == {
        world.home.senior_a.pk: True,
        world.home.senior_a2.pk: False,
        world.home.senior_b.pk: False,
        world.home.leader_a.pk: True,
        world.other.senior_b.pk: True,
        world.other.senior_a.pk: False,
    }
    assert result[world.home.senior_a2.pk].missing == ["Taushetserklæring"]
    assert result == {m.pk: services.training_clearance(membership=m) for m in people}, (
        "the bulk and the single check agree"
    )
