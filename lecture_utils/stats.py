"""How sure an experiment's claim is: an accuracy's interval, and a paired test of two models.

An accuracy measured on n test images is a count, ``k`` right out of ``n``; the same model
on other test images from the same source would score differently. Two questions recur:

* where does the model's true accuracy lie? Wilson's interval (:func:`wilson_interval`);
* is model A better than model B, both scored on the *same* n images? Their two intervals
  overlapping says little either way: the images that both get right, or both wrong,
  carry no information about which is better, and the two scores are not independent.
  McNemar's test (:func:`mcnemar_exact`) looks only at the images on which they disagree::

      a_only = images A gets right and B wrong,   b_only = the reverse
      if A and B were equally good, each disagreement would go either way with
      probability 1/2:  a_only ~ Binomial(a_only + b_only, 1/2)

  and its two-sided exact p-value is the probability, under that coin-flip, of a split at
  least as lopsided as the one observed;
* do the values of one sample tend to be larger than another's (the initial weights of the
  runs that got stuck against those that did not)? Ranges that overlap do not say no. The
  rank-sum (Mann-Whitney) test (:func:`rank_sum_test`) asks how often a random relabelling
  of the pooled values would rank one sample this far above the other.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._validate import array, checked, integer, positive

__all__ = ["wilson_interval", "PairedTest", "mcnemar_exact", "RankTest", "rank_sum_test"]


@checked(k=integer(0, 10**9, " (more test examples than any test set holds)"),
         n=integer(1, 10**9, " (more test examples than any test set holds)"), z=positive())
def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple:
    """Wilson's score interval for a proportion: where a classifier's true accuracy lies, given k of n right.

    The accuracy on n test images is a binomial proportion ``k / n``. Wilson (1927) inverts
    the normal approximation of the score test: the interval holds every ``p`` with
    ``|k/n - p| <= z sqrt(p (1 - p) / n)``, whose ends solve a quadratic in ``p``::

        centre = (k + z^2 / 2) / (n + z^2)
        half   = z / (n + z^2) * sqrt(k (n - k) / n + z^2 / 4)

    Unlike ``k/n +- z sqrt(k/n (1 - k/n) / n)`` it stays inside [0, 1] and does not shrink
    to a point at k = n (100 of 100 right still leaves ``[n / (n + z^2), 1]``).

    Parameters
    ----------
    k : int
        Correct answers, 0 <= k <= n.
    n : int >= 1
        Test examples.
    z : float > 0
        Normal quantile; 1.96 for 95 %.

    Returns
    -------
    (low, high) : floats in [0, 1]
    """
    if k > n:
        raise ValueError(f"k must be at most n: k = {k} correct answers out of n = {n} examples is impossible")
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return max(0.0, centre - half), min(1.0, centre + half)


class PairedTest(NamedTuple):
    """McNemar's exact test of two models scored on the same items."""

    a_only: int        # items model A got right and model B wrong
    b_only: int        # items model B got right and model A wrong
    p_value: float     # two-sided: how often a fair coin splits a_only + b_only this unevenly


def _check_correct(correct_a, correct_b):
    for name, value in (("correct_a", correct_a), ("correct_b", correct_b)):
        if not np.all((value == 0) | (value == 1)):
            raise ValueError(f"{name} must say for each item whether the model got it right (True/False or "
                             f"1/0), got values {np.unique(value)[:5].tolist()}")


@checked(correct_a=array("N"), correct_b=array("N"))
def mcnemar_exact(correct_a, correct_b) -> PairedTest:
    """McNemar's exact test: is model A right more often than model B, on the same n items?

    Only the discordant items count: ``a_only`` (A right, B wrong) and ``b_only`` (B right,
    A wrong). If the two models were equally accurate, each of the ``m = a_only + b_only``
    disagreements would favour A with probability 1/2, so under that hypothesis
    ``a_only ~ Binomial(m, 1/2)``. The two-sided exact p-value doubles the smaller tail,

        p = min(1, 2 sum_{i <= min(a_only, b_only)} C(m, i) / 2^m),

    (the binomial with p = 1/2 is symmetric, so this is also the sum of every outcome no
    more likely than the one observed); no disagreement at all gives p = 1.
    Example: 4 disagreements, all in B's favour, give p = 2 / 16 = 0.125: even a 4-to-0
    split happens one time in eight between equal models.

    Parameters
    ----------
    correct_a, correct_b : (N,) arrays of bool (or 0/1)
        Whether model A, and model B, classified item n correctly; the same N items, in the same order.

    Returns
    -------
    PairedTest
        ``(a_only, b_only, p_value)``.
    """
    _check_correct(correct_a, correct_b)
    a_only = int(np.sum((correct_a == 1) & (correct_b == 0)))
    b_only = int(np.sum((correct_a == 0) & (correct_b == 1)))
    m = a_only + b_only
    tail = sum(math.comb(m, i) for i in range(min(a_only, b_only) + 1))    # exact integers
    return PairedTest(a_only, b_only, min(1.0, 2 * tail / 2 ** m))


class RankTest(NamedTuple):
    """The Wilcoxon-Mann-Whitney rank-sum test of two samples."""

    u: float           # U of the first sample: pairs (a_i, b_j) with a_i > b_j, ties counting 1/2
    p_value: float     # two-sided
    exact: bool        # True: the exact distribution of U; False: its normal approximation


def _rank_sum_distribution(n1: int, n2: int) -> np.ndarray:
    """Number of orderings of n1 + n2 distinct values with U = 0, 1, ..., n1 n2 (the exact null counts)."""
    # c[m][u]: orderings of m first-sample and j second-sample values with U = u, built up j by j
    counts = [np.zeros(1, dtype=object) + 1 for _ in range(n1 + 1)]        # j = 0: U = 0 only, one ordering
    for j in range(1, n2 + 1):
        new = [np.zeros(1, dtype=object) + 1]                              # m = 0: one ordering, U = 0
        for m in range(1, n1 + 1):
            # the largest value is a first-sample one (beats all j second-sample values: U + j) or not
            larger_first = np.concatenate([np.zeros(j, dtype=object), new[m - 1]])
            rest = counts[m]
            size = max(len(larger_first), len(rest))
            new.append(np.pad(larger_first, (0, size - len(larger_first))) + np.pad(rest, (0, size - len(rest))))
        counts = new
    return counts[n1]


@checked(a=array("N"), b=array("M"))
def rank_sum_test(a, b) -> RankTest:
    """Do the values of ``a`` tend to be larger (or smaller) than those of ``b``? The Mann-Whitney U test.

    Pool both samples and rank them; ``U`` counts the pairs in which a's value is the larger
    (ties count 1/2). If both samples came from one distribution every ordering of the
    pooled values would be equally likely, and U's distribution follows by counting
    orderings: the test uses nothing but the ranks, so it needs no assumption about the
    values' distribution. Two-sided p-value:

    * exact (the counts of orderings) when the smaller sample has at most 8 values and
      there are no ties;
    * otherwise the normal approximation ``z = (|U - n1 n2 / 2| - 1/2) / sigma`` with
      ``sigma^2 = n1 n2 / 12 (n1 + n2 + 1 - sum(t^3 - t) / ((n1 + n2)(n1 + n2 - 1)))``
      (t: the sizes of groups of tied values), ``p = erfc(z / sqrt 2)``.

    Both as scipy.stats.mannwhitneyu computes them by default (tested).

    Parameters
    ----------
    a : (N,) array
    b : (M,) array

    Returns
    -------
    RankTest
        ``(u, p_value, exact)``.
    """
    n1, n2 = len(a), len(b)
    pooled = np.concatenate([a, b])
    values, inverse, tie_sizes = np.unique(pooled, return_inverse=True, return_counts=True)
    midranks = np.cumsum(tie_sizes) - (tie_sizes - 1) / 2                   # average rank of each distinct value
    u = float(np.sum(midranks[inverse[:n1]]) - n1 * (n1 + 1) / 2)
    if min(n1, n2) <= 8 and np.all(tie_sizes == 1):
        counts = _rank_sum_distribution(n1, n2)
        total = sum(counts)
        k = int(round(u))
        lower, upper = sum(counts[:k + 1]), sum(counts[k:])                # P(U <= u), P(U >= u), as counts
        return RankTest(u, min(1.0, 2 * min(lower, upper) / total), True)
    n = n1 + n2
    variance = n1 * n2 / 12 * (n + 1 - np.sum(tie_sizes ** 3 - tie_sizes) / (n * (n - 1)))
    if variance == 0:
        return RankTest(u, 1.0, False)                                     # every value tied: no evidence
    z = max(abs(u - n1 * n2 / 2) - 0.5, 0.0) / math.sqrt(variance)
    return RankTest(u, math.erfc(z / math.sqrt(2)), False)
