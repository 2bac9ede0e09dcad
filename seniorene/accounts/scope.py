"""The departments a member works in: one object, set on the request, taken by every funnel.

Admin and lead see every department of their organization; a leader and a senior see
their own. Who may do what *within* that scope (a senior sees only their own visits) is
the access funnels' business; which departments count is decided here only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Q, QuerySet

from seniorene.accounts.policy import sees_all_departments

if TYPE_CHECKING:
    from seniorene.accounts.models import Membership

Rows = TypeVar("Rows", bound=QuerySet[Any])


@dataclass(frozen=True)
class DepartmentScope:
    organization_id: int
    # None: every department of the organization; otherwise these departments' ids.
    department_ids: frozenset[int] | None

    @classmethod
    def of(cls, membership: Membership) -> DepartmentScope:
        if sees_all_departments(membership):
            return cls(membership.organization_id, None)
        return cls(membership.organization_id, frozenset(membership.department_ids))

    @property
    def is_all(self) -> bool:
        return self.department_ids is None

    def covers(self, department_id: int | None) -> bool:
        """True when a row of `department_id` is inside the scope."""
        if self.department_ids is None:
            return True
        return department_id is not None and department_id in self.department_ids

    def ids_or_none(self) -> Collection[int] | None:
        """For selectors that take `department_ids` (None: every department)."""
        return self.department_ids

    def q(self, field: str = "department_id") -> Q:
        """The condition for rows whose `field` (a department id lookup) is inside the scope."""
        if self.department_ids is None:
            return Q()
        return Q(**{f"{field}__in": self.department_ids})

    def filter(self, rows: Rows, field: str = "department_id") -> Rows:
        """`rows` narrowed to the scope; `field` names the department id lookup."""
        if self.department_ids is None:
            return rows
        return rows.filter(self.q(field))
