"""Every hint a checker can give and every message its mutants get, collected by running them.

    from hint_catalogue import offered_hints, mutant_messages

* ``offered_hints(checker, reference)``: the checker runs on a correct answer (every case, visible
  and hidden) while each call of ``compare`` (and of notebook 03's ``_compare_complex``) records the
  mistakes it was given, those that can occur for the case (a wrong value, not None). They are the
  mistakes the checker recognises by their values, as (quantity, hint) pairs.
* ``mutant_messages()``: every parametrized case of the ``*mutant*`` tests in tests/test_checks_*.py
  runs, and the message of the CheckFailure it ends with is kept, per checker the test calls.

``distinct`` writes a hint or a message with its numbers replaced by ``#``, so that the same mistake
in cases of other sizes counts once. tools/count_exercises.py reports ``len(distinct(...))`` of the
offered hints per checker; tests/test_hints.py checks every hint against the answer's tell-tale
fragments and that a mutant triggers each.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import re
from pathlib import Path

from lecture_utils import checks
from lecture_utils.checks import _core

TESTS = Path(__file__).resolve().parent
CHECKER_MODULES = [checks.linear, checks.pyramids, checks.steerable, checks.nn, checks.conv, checks.cnn]


def distinct(text: str) -> str:
    """``text`` with every number replaced by ``#`` (the same hint for cases of other sizes)."""
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


@contextlib.contextmanager
def _recording_compares(offered: list):
    """Every ``compare`` of the checker modules records ``(what, hint)`` for each possible mistake."""
    patched = []

    def recorder(original):
        def compare(what, got, expected, mistakes, case, *args, **kwargs):
            offered.extend((what, hint) for hint, wrong in mistakes if wrong is not None)
            return original(what, got, expected, mistakes, case, *args, **kwargs)
        return compare

    for module in CHECKER_MODULES:
        for name in ("compare", "_compare_complex"):
            if hasattr(module, name):
                patched.append((module, name, getattr(module, name)))
                setattr(module, name, recorder(getattr(module, name)))
    try:
        yield
    finally:
        for module, name, original in patched:
            setattr(module, name, original)


def offered_hints(checker, reference) -> list:
    """``(what, hint)`` for every mistake ``checker`` looks for while a correct answer passes all its cases."""
    offered = []
    with _recording_compares(offered), contextlib.redirect_stdout(io.StringIO()):
        checker(reference, cases="all")
    return offered


@contextlib.contextmanager
def _recording_failures(messages: list):
    """Every CheckFailure created records its message."""
    original = _core.CheckFailure.__init__

    def init(self, *args):
        messages.append(str(args[0]) if args else "")
        original(self, *args)

    _core.CheckFailure.__init__ = init
    try:
        yield
    finally:
        _core.CheckFailure.__init__ = original


def _mutant_tests(module):
    """(test function, its parameter name, the values, the checkers it calls) of each ``*mutant*`` test."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    calls = {node.name: sorted({n.func.id for n in ast.walk(node) if isinstance(n, ast.Call)
                                and isinstance(n.func, ast.Name) and n.func.id.startswith("check_")})
             for node in tree.body if isinstance(node, ast.FunctionDef)}
    for name, test in vars(module).items():
        if "mutant" not in name or not callable(test) or name not in calls:
            continue
        for mark in getattr(test, "pytestmark", []):
            if mark.name == "parametrize":
                argname, values = mark.args[0], mark.args[1]
                yield test, argname, list(values), calls[name]


def mutant_messages() -> dict:
    """checker name -> list of (mutant id, message of the CheckFailure that mutant ended with)."""
    found = {}
    for path in sorted(TESTS.glob("test_checks_*.py")):
        module = importlib.import_module(path.stem)
        for test, argname, values, checkers in _mutant_tests(module):
            for value in values:
                messages = []
                with _recording_failures(messages), contextlib.redirect_stdout(io.StringIO()):
                    test(**{argname: value})
                for checker in checkers:
                    found.setdefault(checker, []).append((f"{test.__name__}[{value}]", messages[-1] if messages else ""))
    return found
