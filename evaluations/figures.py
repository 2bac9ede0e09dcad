"""The evaluation's quality figures, for a period and some departments (issue 22 builds the
figures page on this; today the *Følg opp* section shows the last twelve months)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, Q

from evaluations.models import Evaluation, Helps
from visits.civil_time import local_day_bounds


@dataclass(frozen=True)
class EvaluationFigures:
    """Evaluations sent in the period, how many were answered, and what they said."""

    sent: int
    answered: int
    # Answered / sent, 0–1; None when nothing was sent.
    answer_rate: float | None
    # Mean satisfaction (1–5) of the answers; None without answers.
    mean_satisfaction: float | None
    # Satisfaction 1–5 → how many answered so (every key present).
    distribution: dict[int, int] = field(default_factory=dict)
    # "yes" / "partly" / "no" → how many (every key present).
    helps: dict[str, int] = field(default_factory=dict)

    @property
    def answer_percent(self) -> int | None:
        return None if self.answer_rate is None else round(self.answer_rate * 100)


def evaluation_figures(
    *,
    organization_id: int,
    department_ids: Collection[int] | None,
    start: date,
    end: date,
) -> EvaluationFigures:
    """The figures of evaluations sent from `start` to `end` (Oslo days, both included) in
    `department_ids` (None: every department). Three queries."""
    lo, hi = local_day_bounds(start, end)
    rows = Evaluation.objects.for_organization(organization_id).filter(
        created_at__gte=lo, created_at__lt=hi
    )
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    totals = rows.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        mean=Avg("satisfaction"),
    )
    answers = rows.filter(answered_at__isnull=False)
    distribution = dict.fromkeys(range(1, 6), 0)
    for score, n in answers.order_by().values_list("satisfaction").annotate(n=Count("pk")):
        distribution[int(score)] = n
    helps = dict.fromkeys(Helps.values, 0)
    for value, n in answers.order_by().values_list("helps").annotate(n=Count("pk")):
        helps[str(value)] = n
    sent, answered = int(totals["sent"]), int(totals["answered"])
    mean = totals["mean"]
    return EvaluationFigures(
        sent=sent,
        answered=answered,
        answer_rate=answered / sent if sent else None,
        mean_satisfaction=round(float(mean), 2) if mean is not None else None,
        distribution=distribution,
        helps=helps,
    )
