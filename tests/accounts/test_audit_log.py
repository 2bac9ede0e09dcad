"""The admin's log page: what was done and who looked, for their organization only."""

from __future__ import annotations

import pytest

from seniorene.audit.services import audit_record, view_record, views_of

pytestmark = pytest.mark.django_db


def test_the_admin_reads_events_and_views_of_their_own_organization(world, client_for):
    home, other = world.home, world.other
    audit_record(
        organization=home.organization, actor=home.leader_a.user, action="x.hjemme", obj=home.dept_a
    )
    audit_record(
        organization=other.organization,
        actor=other.leader_a.user,
        action="x.borte",
        obj=other.dept_a,
    )
    view_record(organization=home.organization, viewer=home.lead.user, obj=home.dept_a, what="kort")
    view_record(
        organization=other.organization, viewer=other.lead.user, obj=other.dept_a, what="kort-borte"
    )
    admin = client_for(home.admin)
    events = admin.get("/logg/").content.decode()
    # Codes nobody described read as a generic sentence, not as the bare code.
    assert f"{home.leader_a.user.name} registrerte en hendelse (x: hjemme)" in events
    assert "x: borte" not in events
    assert other.dept_a.name not in events
    views = admin.get("/logg/?vis=innsyn").content.decode()
    assert home.lead.user.name in views
    assert "kort-borte" not in views


def test_views_of_an_object_are_listed_newest_first(world):
    home = world.home
    view_record(organization=home.organization, viewer=home.lead.user, obj=home.dept_a, what="a")
    view_record(
        organization=home.organization, viewer=home.leader_a.user, obj=home.dept_a, what="b"
    )
    rows = list(views_of(organization=home.organization, obj=home.dept_a))
    assert [r.what for r in rows] == ["b", "a"]


def test_the_log_can_be_searched(world, client_for):
    home = world.home
    for dept in (home.dept_a, home.dept_b):
        audit_record(
            organization=home.organization, actor=None, action="department.updated", obj=dept
        )
    html = client_for(home.admin).get("/logg/", {"q": home.dept_b.name}).content.decode()
    assert f"endret navn eller e-post for avdelingen {home.dept_b.name}" in html
    assert f"avdelingen {home.dept_a.name}" not in html
