"""Every audit action code the source writes reads as a Norwegian sentence in the log.

The finder reads the project's source (not tests, not migrations) for calls that write
audit rows — `audit_record`, `audit_record_many`, and any function that passes its own
parameter on as their action (`_audit(message, "sms.sent")`) — and works out each call's
possible codes: literals, `a if c else b`, f-strings of those, a variable assigned (or
`+=`-extended) in the same function. A code that cannot be worked out fails the test
unless it is listed in OPEN_ENDED with the codes it may take.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

from messaging.models import SmsStatus
from seniorene.audit import sentences

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "seniorene",
    "customers",
    "messaging",
    "ledger",
    "training",
    "omsorg",
    "visits",
    "openings",
    "family",
    "evaluations",
]
WRITERS = {"audit_record", "audit_record_many"}
# Codes built from a value the finder cannot follow: "{}" stands for that value.
OPEN_ENDED = {
    # A send refused at the last moment: the refusal's status (messaging `_refusal`).
    "sms.{}": {f"sms.{s}" for s in (SmsStatus.CANCELLED, SmsStatus.BLOCKED_NO_CONSENT)},
}
HOLE = "\x00"


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = func.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


def _action_arg(call: ast.Call, param: str, position: int | None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


class Resolver:
    """The possible string values of an expression inside one function."""

    def __init__(self, func: ast.AST, bound: dict[str, set[str]]) -> None:
        self.func, self.bound = func, bound

    def values(self, node: ast.expr) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.values(node.body) | self.values(node.orelse)
        if isinstance(node, ast.JoinedStr):
            parts = [
                self.values(p.value) if isinstance(p, ast.FormattedValue) else self.values(p)
                for p in node.values
            ]
            return {"".join(combo) for combo in itertools.product(*parts)}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.values(node.left), self.values(node.right)
            return {a + b for a in left for b in right}
        if isinstance(node, ast.Name):
            return self.name(node.id)
        return {HOLE}

    def name(self, name: str) -> set[str]:
        if name in self.bound:
            return self.bound[name]
        found: set[str] = set()
        suffixes: set[str] = set()
        for node in ast.walk(self.func):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                found |= self.values(node.value)
            elif (
                isinstance(node, ast.AugAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == name
                and isinstance(node.op, ast.Add)
            ):
                suffixes |= self.values(node.value)
        if not found:
            return {HOLE}
        return found | {v + s for v in found for s in suffixes}


def written_codes() -> tuple[set[str], set[str]]:
    """(codes the source writes, open-ended patterns nobody listed)."""
    trees = list(_sources())
    # 1. Wrappers: functions that hand a parameter of their own to a writer as its action.
    wrappers: dict[str, tuple[str, int, ast.AST]] = {}
    for _path, tree in trees:
        for func in _functions(tree):
            params = _params(func)
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and _called(node) in WRITERS:
                    action = _action_arg(node, "action", None)
                    names = (
                        {n.id for n in ast.walk(action) if isinstance(n, ast.Name)}
                        if action
                        else set()
                    )
                    for name in names & set(params):
                        wrappers[func.name] = (name, params.index(name), func)
    # 2. Each writer's call, and each wrapper's, resolved in the function that makes it.
    codes: set[str] = set()
    unknown: set[str] = set()

    def add(found: set[str]) -> None:
        for code in found:
            pattern = code.replace(HOLE, "{}")
            if HOLE not in code:
                codes.add(code)
            elif pattern in OPEN_ENDED:
                codes.update(OPEN_ENDED[pattern])
            else:
                unknown.add(pattern)

    for _path, tree in trees:
        for func in _functions(tree):
            for node in ast.walk(func):
                if not isinstance(node, ast.Call):
                    continue
                name = _called(node)
                if name in WRITERS:
                    action = _action_arg(node, "action", None)
                    wrapped = func.name in wrappers and action is not None
                    if action is None or (wrapped and wrappers[func.name][2] is func):
                        continue  # the wrapper's own call: resolved at its callers
                    add(Resolver(func, {}).values(action))
                elif name in wrappers:
                    param, position, wrapper = wrappers[name]
                    arg = _action_arg(node, param, position)
                    if arg is None:
                        continue
                    bound = {param: Resolver(func, {}).values(arg)}
                    for inner in ast.walk(wrapper):
                        if isinstance(inner, ast.Call) and _called(inner) in WRITERS:
                            action = _action_arg(inner, "action", None)
                            if action is not None:
                                add(Resolver(wrapper, bound).values(action))
    codes.discard("")
    return codes, unknown


def test_the_finder_finds_the_codes_it_must():
    codes, _unknown = written_codes()
    # One of each way a code is written: a literal, a branch, an f-string through a
    # wrapper, a variable extended with +=, a wrapper's positional argument.
    assert {
        "invitation.accepted",
        "relative.updated",
        "criterion.created",
        "service_area.updated",
        "visit.not_happened_on_behalf",
        "department.updated",
        "sms.undelivered",
        "sms.blocked_no_consent",
    } <= codes
    assert len(codes) >= 84


def test_every_action_code_written_has_a_norwegian_sentence():
    codes, unknown = written_codes()
    assert not unknown, (
        f"Audit codes the finder cannot work out: {sorted(unknown)}. List what they may be "
        "in OPEN_ENDED."
    )
    missing = sorted(c for c in codes if not sentences.described(c))
    assert not missing, (
        f"Audit codes with no sentence: {missing}. Describe each in its app's "
        "audit_sentences.py (seniorene.audit.sentences.describe)."
    )
