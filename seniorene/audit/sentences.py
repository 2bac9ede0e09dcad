"""Each audit event in plain words: the apps describe their own action codes here.

The core knows no app. Each app registers its codes from its ``AppConfig.ready()`` (an
``audit_sentences.py`` beside its services): ``describe("visit.cancelled", fn, kind="besok",
label=_("Besøk avlyst"))``. A sentence is a gettext-marked Bokmål template with
``%(who)s`` (who did it) and ``%(obj)s`` (what it was done to), or a function of `Facts`
for events whose details say more. The log page shows the sentence; a code nobody
described (an old one) falls back to a readable generic sentence, never to the code alone.
``tests/audit/test_sentences.py`` finds every code the source writes and fails on one
without a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import dateformat, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Sentence = Promise | str | Callable[["Facts"], str]


def month_words(value: object) -> str:
    """ "2024-12" as "desember 2024"; "" when `value` names no month."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        return dateformat.format(date(year, month, 1), "F Y").lower()
    except ValueError:
        return ""


@dataclass(frozen=True)
class Facts:
    """What one event says, ready for its sentence: nothing here is health text."""

    action: str
    who: str  # the actor's name; "Systemet" when nobody (a job, a webhook) did it
    obj: str  # the object's stored description (e.g. "Ingrid Østby 2024-12-03 10:00")
    details: Mapping[str, Any]
    at: datetime
    names: Mapping[int, str] = field(default_factory=dict)  # membership pk → name

    def count(self, key: str) -> int:
        """The number stored under `key` (a list counts its items); 0 when absent or odd."""
        value = self.details.get(key)
        if isinstance(value, list | tuple | dict):
            return len(value)
        try:
            return int(str(value))
        except ValueError:
            return 0

    def member(self, key: str) -> str:
        """The name of the colleague whose membership id is stored under `key`."""
        try:
            pk = int(str(self.details.get(key)))
        except ValueError:
            return _("en medarbeider")
        return self.names.get(pk) or _("en medarbeider")

    def choice(self, key: str, labels: Iterable[tuple[str, Any]], default: str = "") -> str:
        """The label of the choice stored under `key` (e.g. a TextChoices' ``choices``)."""
        value = self.details.get(key)
        for code, label in labels:
            if code == value:
                return str(label)
        return default

    def day(self, key: str) -> str:
        """The date (or the Oslo date of the time) stored under `key` as "3. des. 2024"."""
        value = self.details.get(key)
        if not isinstance(value, str):
            return ""
        try:
            parsed: date | datetime = datetime.fromisoformat(value)
        except ValueError:
            return ""
        if isinstance(parsed, datetime) and timezone.is_aware(parsed):
            return when_words(parsed)
        return dateformat.format(parsed, "j. b Y")

    @property
    def month(self) -> str:
        """The month the details name (`year` and `month`) as "desember 2024", or ""."""
        return month_words(f"{self.details.get('year')}-{self.details.get('month')}")

    @property
    def visit(self) -> str:
        """A visit's description as "Ingrid Østby tirsdag 3. des kl. 10.00"."""
        return name_and_time(self.obj)

    @property
    def visit_name(self) -> str:
        """Whose visit it is: the name before the stored time ("Ingrid Østby")."""
        found = _NAME_AND_TIME.match(self.obj)
        return found["name"] if found and found["name"] else self.obj

    @property
    def person(self) -> str:
        """A membership's or invitation's description without the organization's id."""
        return _ORG_ID.sub(")", self.obj) or _("en medarbeider")


@dataclass(frozen=True)
class _Entry:
    sentence: Sentence
    kind: str
    label: Promise | str
    members: tuple[str, ...]


_KINDS: dict[str, Promise | str] = {}
_ENTRIES: dict[str, _Entry] = {}


def kind(key: str, label: Promise | str) -> None:
    """Declare a kind of events (a heading in the log's filter), e.g. ("besok", "Besøk")."""
    _KINDS.setdefault(key, label)


def describe(
    action: str,
    sentence: Sentence,
    *,
    kind: str,
    label: Promise | str,
    members: Iterable[str] = (),
) -> None:
    """Say how events of `action` read. `label` names the kind of event in the filter
    ("Besøk avlyst"); `members` are the details' keys that hold a membership id whose
    name the sentence uses (fetched for a whole page at once)."""
    if kind not in _KINDS:
        raise ValueError(f"Unknown audit kind {kind!r} for {action!r}: declare it with kind().")
    if action in _ENTRIES:
        raise ValueError(f"The audit action {action!r} is described twice.")
    _ENTRIES[action] = _Entry(sentence, kind, label, tuple(members))


def described(action: str) -> bool:
    return action in _ENTRIES


def described_actions() -> set[str]:
    return set(_ENTRIES)


def member_keys(action: str) -> tuple[str, ...]:
    entry = _ENTRIES.get(action)
    return entry.members if entry else ()


def actions_of_kind(key: str) -> list[str]:
    return sorted(a for a, e in _ENTRIES.items() if e.kind == key)


def kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The log's filter: per kind (alphabetical), "all of them" and then each action."""
    groups = []
    for key, label in sorted(_KINDS.items(), key=lambda kv: str(kv[1]).casefold()):
        actions = sorted(
            ((a, str(e.label)) for a, e in _ENTRIES.items() if e.kind == key),
            key=lambda al: al[1].casefold(),
        )
        if actions:
            every = _("Alle: %(kind)s") % {"kind": label}
            groups.append((str(label), [(key, every), *actions]))
    return groups


def kind_label(key: str) -> str:
    """The heading of kind `key`, or of the kind action `key` belongs to."""
    if key in _KINDS:
        return str(_KINDS[key])
    entry = _ENTRIES.get(key)
    return str(entry.label) if entry else ""


def sentence(facts: Facts) -> str:
    """The event in one Norwegian sentence."""
    entry = _ENTRIES.get(facts.action)
    if entry is None:
        return _generic(facts)
    if callable(entry.sentence):
        return entry.sentence(facts)
    return str(entry.sentence) % {"who": facts.who, "obj": facts.obj or _("et objekt")}


def _generic(facts: Facts) -> str:
    # An old or unknown code: still a sentence, naming the object, with the code as a hint.
    what = facts.action.replace("_", " ").replace(".", ": ")
    if facts.obj:
        return _("%(who)s registrerte en hendelse (%(what)s) for %(obj)s") % {
            "who": facts.who,
            "what": what,
            "obj": facts.obj,
        }
    return _("%(who)s registrerte en hendelse (%(what)s)") % {"who": facts.who, "what": what}


# --- Words for times ---------------------------------------------------------------------

# "Kari Nilsen (Senior, 12)": the organization's id is no help to a reader.
_ORG_ID = re.compile(r", \d+\)$")
_NAME_AND_TIME = re.compile(r"^(?P<name>.*?) ?(?P<day>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2})$")


def when_words(moment: datetime) -> str:
    """An aware time as Oslo words: "tirsdag 3. des kl. 10.00"."""
    return dateformat.format(timezone.localtime(moment), r"l j. b \k\l. H.i")


def name_and_time(text: str) -> str:
    """ "Ingrid Østby 2024-12-03 10:00" (a stored Oslo time) as "Ingrid Østby tirsdag 3. des
    kl. 10.00"; any other text as it is."""
    found = _NAME_AND_TIME.match(text)
    if not found:
        return text
    try:
        local = datetime.fromisoformat(f"{found['day']} {found['time']}")
    except ValueError:
        return text
    words = dateformat.format(local, r"l j. b \k\l. H.i")
    return f"{found['name']} {words}".strip()


def no_one() -> str:
    return str(gettext_lazy("Systemet"))
