"""Match hints: what the leader reads beside each senior's answer to a job.

One `Hint` per aspect (availability, clashes, load, distance, service areas, knows the
recipient), each a short Norwegian sentence and whether it speaks for or against the
senior. Computed for all the answering seniors of a job at once, in a constant number of
queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from openings.models import JobOpening
from seniorene.accounts.models import Membership


class HintKind(StrEnum):
    AVAILABILITY = "availability"
    CLASH = "clash"
    LOAD = "load"
    DISTANCE = "distance"
    AREAS = "areas"
    KNOWS = "knows"


class Leaning(StrEnum):
    GOOD = "good"  # speaks for the senior
    NEUTRAL = "neutral"  # worth knowing
    POOR = "poor"  # speaks against


@dataclass(frozen=True)
class Hint:
    kind: HintKind
    leaning: Leaning
    text: str  # one short Norwegian sentence, e.g. "Ledig tirsdager 10–14", "3,2 km unna"


def match_hints(*, opening: JobOpening, seniors: Sequence[Membership]) -> dict[int, list[Hint]]:
    """Hints for each senior (by membership id) about taking `opening`.

    Placeholder until the matching work lands (issue 20): no hints yet.
    """
    return {senior.pk: [] for senior in seniors}
