"""One department scope per request (seniorene/accounts/scope.py), the same for every funnel."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from customers.access import visible_recipients
from seniorene.accounts.middleware import TenantMiddleware
from seniorene.accounts.scope import DepartmentScope
from tests.conftest import PERSONAS
from tests.factories import CareRecipientFactory


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_and_lead_see_every_department_the_others_their_own(world, persona):
    cast = world.home
    membership = cast.persona(persona)
    scope = DepartmentScope.of(membership)
    assert scope.organization_id == cast.organization.pk
    if persona in {"admin", "lead"}:
        assert scope.is_all
        assert scope.covers(cast.dept_a.pk)
        assert scope.covers(cast.dept_b.pk)
    else:
        own = cast.dept_b if persona.endswith("_b") else cast.dept_a
        other = cast.dept_a if own == cast.dept_b else cast.dept_b
        assert scope.department_ids == frozenset({own.pk})
        assert scope.covers(own.pk)
        assert not scope.covers(other.pk)
        assert not scope.covers(None)


@pytest.mark.parametrize("persona", ["lead", "leader_a", "leader_b"])
def test_the_request_carries_the_scope_and_the_recipient_funnel_takes_it(world, persona):
    cast = world.home
    in_a = CareRecipientFactory(department=cast.dept_a)
    in_b = CareRecipientFactory(department=cast.dept_b)
    membership = cast.persona(persona)
    request = RequestFactory().get("/")
    request.user = membership.user
    request.session = {}
    seen = {}

    def view(req):
        seen["scope"] = req.scope
        seen["recipients"] = set(visible_recipients(req))
        return None

    TenantMiddleware(view)(request)
    assert seen["scope"] == DepartmentScope.of(membership)
    expected = {
        "lead": {in_a, in_b},
        "leader_a": {in_a},
        "leader_b": {in_b},
    }[persona]
    assert seen["recipients"] == expected
