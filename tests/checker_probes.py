"""Wrong answers that every checker must refuse, shared by the tests/test_checks_*.py modules.

    from checker_probes import assert_hard_coded_fails_hidden, cell_function

``assert_hard_coded_fails_hidden(checker, reference)`` builds the answer a student could
write by memorising the visible cases: it replays the reference's outputs for the exact
inputs the visible cases pass (and returns the first answer for anything else). It must pass
the visible cases, proving the replay is faithful, and fail the hidden ones.
"""

import linecache
import pickle

import numpy as np
import pytest

from lecture_utils.checks import CheckFailure


def memorised(checker, reference):
    """An answer that replays the reference's outputs for the visible cases' inputs (and guesses otherwise)."""
    table = {}

    def recorder(*args):
        table[pickle.dumps(args)] = out = reference(*args)
        return out

    checker(recorder, cases="visible")
    first = next(iter(table.values()))
    return lambda *args: table.get(pickle.dumps(args), first)


def assert_hard_coded_fails_hidden(checker, reference):
    """The memorised answer passes the visible cases and fails the hidden ones."""
    replay = memorised(checker, reference)
    checker(replay, cases="visible")
    with pytest.raises(CheckFailure):
        checker(replay, cases="hidden")


def cell_function(source: str, name: str, namespace=None):
    """The function ``name`` defined by ``source`` as a Jupyter cell defines it: compiled under an ipykernel
    cell's file name, its lines registered in linecache (as IPython does), so tracebacks quote them."""
    filename = f"/tmp/ipykernel_4242/{next(_CELLS)}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np} if namespace is None else namespace
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


_CELLS = iter(range(10**6, 10**7))
