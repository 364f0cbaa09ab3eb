"""lecture_utils.stats: McNemar's exact test against scipy's binomial test and closed forms."""

import numpy as np
import pytest
from math import comb

from scipy.stats import binomtest, mannwhitneyu

from lecture_utils import cnn
from lecture_utils.stats import PairedTest, mcnemar_exact, rank_sum_test, wilson_interval
from bad_input import Case, check_refused, expand


def _pair(a_only, b_only, both=5, neither=3):
    """Correctness vectors with the given discordant counts (and some concordant items)."""
    correct_a = np.r_[np.ones(a_only), np.zeros(b_only), np.ones(both), np.zeros(neither)].astype(bool)
    correct_b = np.r_[np.zeros(a_only), np.ones(b_only), np.ones(both), np.zeros(neither)].astype(bool)
    order = np.random.default_rng(a_only * 31 + b_only).permutation(len(correct_a))
    return correct_a[order], correct_b[order]


@pytest.mark.parametrize("a_only, b_only", [(0, 4), (4, 0), (8, 7), (0, 0), (1, 0), (3, 12), (20, 35), (0, 60),
                                            (150, 170)])
def test_mcnemar_equals_scipys_exact_binomial_test(a_only, b_only):
    result = mcnemar_exact(*_pair(a_only, b_only))
    assert (result.a_only, result.b_only) == (a_only, b_only)
    m = a_only + b_only
    reference = 1.0 if m == 0 else binomtest(a_only, m, 0.5, alternative="two-sided").pvalue
    assert result.p_value == pytest.approx(reference, rel=1e-12, abs=1e-300)


def test_mcnemar_closed_forms():
    # 4 disagreements all one way: 2 / 2^4; one disagreement: p = 1; a tie: p = 1
    assert mcnemar_exact(*_pair(0, 4)) == PairedTest(0, 4, 0.125)
    assert mcnemar_exact(*_pair(1, 0)).p_value == 1.0
    assert mcnemar_exact(*_pair(6, 6)).p_value == 1.0
    # 0 vs 10: 2 / 1024; 1 vs 9: 2 (1 + 10) / 1024
    assert mcnemar_exact(*_pair(0, 10)).p_value == pytest.approx(2 / 1024, rel=1e-15)
    assert mcnemar_exact(*_pair(1, 9)).p_value == pytest.approx(22 / 1024, rel=1e-15)


def test_mcnemar_ignores_the_concordant_items_and_is_symmetric():
    a, b = _pair(3, 9, both=0, neither=0)
    more_a, more_b = _pair(3, 9, both=400, neither=50)
    assert mcnemar_exact(a, b).p_value == mcnemar_exact(more_a, more_b).p_value
    swapped = mcnemar_exact(b, a)
    assert (swapped.a_only, swapped.b_only) == (9, 3) and swapped.p_value == mcnemar_exact(a, b).p_value


def test_mcnemar_takes_zeros_and_ones_and_refuses_other_values():
    a, b = _pair(2, 5)
    assert mcnemar_exact(a.astype(int), b.astype(float)) == mcnemar_exact(a, b)
    with pytest.raises(ValueError, match="correct_b must say for each item whether the model got it right"):
        mcnemar_exact(a, b.astype(int) * 2)
    with pytest.raises(ValueError, match=r"correct_b must have shape \(N,\) with N = 15"):
        mcnemar_exact(a, b[:-1])


def test_wilson_interval_is_the_one_notebook_06_imports():
    assert cnn.wilson_interval is wilson_interval


TABLE = [Case(mcnemar_exact, dict(correct_a=np.array([1.0, 0, 1]), correct_b=np.array([0.0, 0, 1])),
              {"correct_a": "array", "correct_b": "array"}),
         Case(rank_sum_test, dict(a=np.array([1.0, 2.5, 3.0]), b=np.array([0.5, 4.0])), {"a": "array", "b": "array"})]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)



# --- the rank-sum (Mann-Whitney) test ---------------------------------------------------

@pytest.mark.parametrize("n1, n2, ties, shift", [(7, 13, False, 0.8), (13, 7, False, -0.3), (1, 1, False, 0.0),
                                                 (8, 30, False, 0.5), (9, 9, False, 1.0), (5, 6, True, 0.5),
                                                 (70, 130, False, 0.4), (40, 60, True, 0.3), (3, 200, False, 2.0)])
def test_rank_sum_test_equals_scipys_mannwhitneyu(n1, n2, ties, shift):
    rng = np.random.default_rng(n1 * 100 + n2)
    a, b = rng.standard_normal(n1) + shift, rng.standard_normal(n2)
    if ties:
        a, b = np.round(2 * a) / 2, np.round(2 * b) / 2
    ours, theirs = rank_sum_test(a, b), mannwhitneyu(a, b)
    assert ours.u == pytest.approx(theirs.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-12)
    assert ours.exact == (min(n1, n2) <= 8 and not ties)


def test_rank_sum_closed_forms():
    # complete separation of 7 values above 13: one ordering in C(20, 7) on each side
    low, high = np.arange(13.0), 100 + np.arange(7.0)
    result = rank_sum_test(high, low)
    assert result.u == 91 and result.p_value == pytest.approx(2 / comb(20, 7), rel=1e-14)
    # U counts the pairs in which a's value is larger; a tie counts 1/2
    assert rank_sum_test(np.array([1.0, 2.0]), np.array([1.0, 0.0])).u == 3.5
    assert rank_sum_test(np.ones(12), np.ones(9)).p_value == 1.0           # everything tied: no evidence
