"""Pyramids on a 512 x 512 float64 image: lecture_utils.fast vs scikit-image, pyrtools and the lecture version.

Usage::

    .venv/bin/python benchmarks/bench_pyramids.py [--repeats 21]

Targets (issue 3): a 5-level Gaussian pyramid, and a 5-level Laplacian pyramid built and
reconstructed, no slower than pyrtools (compiled C) and faster than scikit-image, with the
polyphase functions of ``lecture_utils.fast.pyramids``. The lecture's own functions
(``lecture_utils.pyramids``: pad, blur as a sum of shifted slices, keep every second sample)
are timed too, to show what the speed path buys.

What is compared, and how fairly:

* ``skimage.transform.pyramid_gaussian(max_layer=4)`` gives the same 5 sizes, but blurs with a
  sampled Gaussian (sigma 2/3) and resamples by spline interpolation: a different, not a
  worse-or-better, construction. scikit-image's ``pyramid_laplacian`` keeps no low-pass
  residual and cannot be inverted, so it is timed for the build only, and labelled so.
* pyrtools' ``GaussianPyramid`` / ``LaplacianPyramid`` + ``recon_pyr`` (height 5, ``binom5``,
  edges ``reflect1``) use the same filter and edges as ours, with the filter scaled by sqrt(2):
  its level k is ours times 2^k. The script checks that before timing, so both compute the
  same numbers.

All candidates are timed in the same process, round-robin (one call of each in turn, so a
busy machine slows all of them alike); the median of the repeats is reported, with the
ratio to the time of lecture_utils.fast (> 1: slower than lecture_utils.fast).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import optional_import, print_table, round_robin_medians  # noqa: E402

from lecture_utils import pyramids as lecture  # noqa: E402
from lecture_utils.fast.pyramids import gaussian_pyramid, laplacian_pyramid, reconstruct  # noqa: E402

LEVELS = 5
SIZE = 512


def check_same_numbers_as_pyrtools(pt, image) -> float:
    """Largest difference between pyrtools' levels / 2^k and ours (Gaussian and Laplacian)."""
    ours_g = gaussian_pyramid(image, LEVELS)
    theirs_g = pt.pyramids.GaussianPyramid(image, height=LEVELS).pyr_coeffs
    ours_l = laplacian_pyramid(image, LEVELS)
    theirs_l = pt.pyramids.LaplacianPyramid(image, height=LEVELS)
    worst = max(np.abs(theirs_g[(k, 0)] / 2 ** k - ours_g[k]).max() for k in range(LEVELS))
    lowpass = theirs_l.pyr_coeffs[(LEVELS - 1, 0)] / 2 ** (LEVELS - 1)
    worst = max(worst, np.abs(lowpass - ours_l.lowpass).max())
    worst = max(worst, np.abs(theirs_l.recon_pyr() - reconstruct(ours_l)).max())
    return float(worst)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed calls of each candidate")
    args = parser.parse_args(argv)

    image = np.random.default_rng(0).uniform(0, 1, (SIZE, SIZE))
    skimage_transform = optional_import("skimage.transform")
    if skimage_transform is not None:
        from skimage.transform import pyramid_gaussian, pyramid_laplacian
    pt = optional_import("pyrtools")

    gaussian = {"lecture_utils.fast": lambda: gaussian_pyramid(image, LEVELS),
                "lecture_utils (lecture version)": lambda: lecture.gaussian_pyramid(image, LEVELS)}
    laplacian = {"lecture_utils.fast": lambda: reconstruct(laplacian_pyramid(image, LEVELS)),
                 "lecture_utils (lecture version)":
                     lambda: lecture.reconstruct(lecture.laplacian_pyramid(image, LEVELS))}
    if skimage_transform is not None:
        gaussian["scikit-image"] = lambda: list(pyramid_gaussian(image, max_layer=LEVELS - 1, downscale=2))
        laplacian["scikit-image (build only, not invertible)"] = lambda: list(
            pyramid_laplacian(image, max_layer=LEVELS - 1, downscale=2))
    if pt is not None:
        worst = check_same_numbers_as_pyrtools(pt, image)
        print(f"pyrtools levels / 2^k vs ours, and both reconstructions: max difference {worst:.1e}")
        assert worst < 1e-12, "pyrtools and lecture_utils disagree: the timings would compare different work"
        gaussian["pyrtools"] = lambda: pt.pyramids.GaussianPyramid(image, height=LEVELS)
        laplacian["pyrtools"] = lambda: pt.pyramids.LaplacianPyramid(image, height=LEVELS).recon_pyr()

    for title, functions in [(f"{LEVELS}-level Gaussian pyramid, {SIZE}x{SIZE} float64", gaussian),
                             (f"{LEVELS}-level Laplacian pyramid, build + reconstruct, {SIZE}x{SIZE} float64",
                              laplacian)]:
        medians = round_robin_medians(functions, args.repeats)
        ours = medians["lecture_utils.fast"]
        rows = [[name, f"{seconds * 1e3:.2f}", f"{seconds / ours:.2f}"] for name, seconds in medians.items()]
        print_table(f"{title} (median of {args.repeats}, round-robin)",
                    ["implementation", "median ms", "time / lecture_utils.fast time"], rows)


if __name__ == "__main__":
    main()
