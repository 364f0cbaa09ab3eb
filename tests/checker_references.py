"""A correct answer for every exercise checker, from the checker tests (written as a student would).

    from checker_references import REFERENCES      # checker name -> (checker, reference answer)

Used where every checker must run on a good answer: the survey of bad input to the public API,
the hint tests (which collect every hint a checker offers) and tools/count_exercises.py.
"""

import test_checks_cnn as cnn
import test_checks_conv as conv
import test_checks_linear as linear
import test_checks_nn as nn
import test_checks_pyramids as pyramids
import test_checks_steerable as steerable

_PAIRS = [
    (linear.check_mse_gradient, linear.loss_gradient),
    (linear.check_linear_weight_gradient, linear.weight_gradient_loops),
    (linear.check_linear_input_gradient, linear.input_gradient),
    (linear.check_linear_backward, linear.backward),
    (linear.check_gradient_descent_step, linear.gradient_descent_step),
    (pyramids.check_reduce_1d, pyramids.reduce_reference),
    (pyramids.check_expand_1d, pyramids.expand_reference),
    (pyramids.check_laplacian_pyramid, pyramids.laplacian_reference),
    (pyramids.check_collapse, pyramids.collapse_reference),
    (pyramids.check_blend, pyramids.blend_reference),
    (steerable.check_steer_first_order, steerable.student_steer),
    (steerable.check_angular_mask, steerable.student_mask),
    (steerable.check_phase_difference, steerable.student_phase),
    (steerable.check_magnify_band, steerable.student_magnify),
    (nn.check_sigmoid_backward, nn.sigmoid_backward),
    (nn.check_dense_backward, nn.dense_backward),
    (nn.check_steepest_step, nn.steepest_step),
    (nn.check_mlp_backward, nn.mlp_backward),
    (conv.check_weight_gradient, conv.weight_gradient_loops),
    (conv.check_input_gradient, conv.input_gradient_loops),
    (conv.check_input_gradient_stride2, conv.stride2_scatter),
    (conv.check_conv_layer_backward, conv.layer_backward),
    (cnn.check_filter_gradient, cnn.student_dE_df),
    (cnn.check_filter_gradient_multi, cnn.student_dE_df_multi),
    (cnn.check_gradient_step, cnn.student_step),
    (cnn.check_momentum_on_quadratic, cnn.student_quadratic),
]

REFERENCES = {checker.__name__: (checker, reference) for checker, reference in _PAIRS}
