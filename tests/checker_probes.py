"""Wrong answers that every checker must refuse, shared by the tests/test_checks_*.py modules.

    from checker_probes import assert_hard_coded_fails_hidden

``assert_hard_coded_fails_hidden(checker, reference)`` builds the answer a student could
write by memorising the visible cases: it replays the reference's outputs for the exact
inputs the visible cases pass (and returns the first answer for anything else). It must pass
the visible cases, proving the replay is faithful, and fail the hidden ones.
"""

import pickle

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
