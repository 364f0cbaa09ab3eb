"""Exercise checkers, one submodule per notebook, all importable from here.

Each ``check_*`` function runs the student's code on several seeded cases,
prints one ``PASS`` line, or raises :class:`CheckFailure` (an ``AssertionError``)
whose message names the likely mistake. Notebooks import from the submodule of
their topic (``lecture_utils.checks.linear``); this package re-exports them all.
"""

from ._core import CheckFailure
from .cnn import check_filter_gradient, check_momentum_update
from .conv import check_input_gradient, check_weight_gradient
from .linear import check_linear_backward, check_mse_gradient
from .nn import check_dense_backward, check_sgd_step, check_sigmoid_backward
from .pyramids import check_collapse, check_expand_1d, check_reduce_1d
from .steerable import check_angular_mask, check_phase_difference, check_steer_first_order

__all__ = [
    "CheckFailure",
    "check_mse_gradient", "check_linear_backward",                          # 01
    "check_reduce_1d", "check_expand_1d", "check_collapse",                 # 02
    "check_steer_first_order", "check_angular_mask", "check_phase_difference",  # 03
    "check_sigmoid_backward", "check_dense_backward", "check_sgd_step",     # 04
    "check_weight_gradient", "check_input_gradient",                        # 05
    "check_filter_gradient", "check_momentum_update",                       # 06
]
