"""Measure notebook 03's magnification sweeps once and commit them as tables in lecture_utils/tables/.

The sweeps (every method at a dozen magnifications, three pyramids against three features) take
a minute, too long for a notebook that must run in seconds; the notebook reads these tables with
``lecture_utils.data.measured_table`` and recomputes one row of each live to show it is the same
measurement. ``tests/test_measured_tables.py`` recomputes every table and compares.

    python tools/magnification_tables.py            # write lecture_utils/tables/magnification_*.csv
    python tools/magnification_tables.py --check    # recompute, compare with the committed tables

Tables (one row per measurement, numbers rounded to 4 decimals):

* ``magnification_shortfall``: the phase method at alpha = 4 on notebook 03's test video, measured
  several ways (which video, which image, with or without noise), to find why it comes out short
  of 1 + alpha, with the first-order prediction :func:`lecture_utils.magnify.phase_share`;
* ``magnification_fair``: for each method and alpha, the magnification achieved on the moving
  window (noise-free) and the noise amplification on the same window standing still, so that the
  methods can be compared at equal achieved magnification;
* ``magnification_breakdown`` and ``magnification_features``: three localized features of
  wavelength 16 px translated by 0.25 px, magnified by alpha = 0 .. 96 with three methods: the
  carrier's displacement read by a translation estimate, and the error against the ideally
  translated feature; the features' wavelengths and envelope widths (the two bounds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import ndimage
from skimage import data, transform

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lecture_utils.fast.magnify import (magnify_motion, magnify_motion_full_grid_sweep,  # noqa: E402
                                        magnify_motion_linear_sweep, magnify_motion_sweep)
from lecture_utils.magnify import (TranslationNotFound, estimate_translation, fourier_translate,  # noqa: E402
                                   phase_share, translation_amplitude)
from lecture_utils.steerable import (SteerablePyramid, band_response, full_grid_masks, reconstruct,  # noqa: E402
                                     steerable_pyramid)

DIGITS = 4


# ----------------------------------------------------------------------------- notebook 03's test video

def test_video():
    """Notebook 03's video: the blurred camera, a square around the head vibrating 0.1 px at 3 Hz, noise 0.01."""
    camera = transform.resize(data.camera().astype(float) / 255, (128, 128), anti_aliasing=True)
    still = ndimage.gaussian_filter(camera, 1.0, mode="wrap")
    fps, f_0, delta_0 = 24.0, 3.0, 0.1
    t = np.arange(48) / fps
    delta = delta_0 * np.sin(2 * np.pi * f_0 * t)
    rows, cols = np.mgrid[:128, :128]
    region = ndimage.gaussian_filter(((np.abs(rows - 40) < 28) & (np.abs(cols - 64) < 28)).astype(float), 2.0)
    window = (slice(8, 72), slice(32, 96))
    interior = ((np.abs(rows - 40) < 22) & (np.abs(cols - 64) < 22)).astype(float)[window]
    return dict(camera=camera, still=still, fps=fps, delta=delta, wave=np.sin(2 * np.pi * f_0 * t), region=region,
                window=window, interior=interior, noise=0.01 * np.random.default_rng(0).standard_normal((48, 128, 128)))


def vibrating(video, image, whole_frame=False):
    """Frames of ``image`` whose square (or whole frame) is translated by the video's delta(t)."""
    weight = 1.0 if whole_frame else video["region"]
    return np.stack([image + weight * (fourier_translate(image, d) - image) for d in video["delta"]])


def without_residuals(image, levels=4):
    """The image minus its steerable pyramid's high- and low-pass residuals (what magnification never touches)."""
    p = steerable_pyramid(image, levels, 3)
    return reconstruct(SteerablePyramid(0 * p.highpass, p.bands, 0 * p.lowpass, 3, 1.0, False))


# ----------------------------------------------------------------------------- the tables

def shortfall_table():
    """Magnified / true motion at alpha = 4, measured several ways (see the module docstring)."""
    v = test_video()
    window, interior, wave = v["window"], v["interior"], v["wave"]

    def ratio(frames, clip=False):
        if clip:                                   # the window cut out as a video of its own: 24 frames
            frames = frames[:24][(slice(None),) + window]
            out = magnify_motion(frames, 4.0, 2.0, 4.0, v["fps"])
            return translation_amplitude(out, wave[:24], interior) / translation_amplitude(frames, wave[:24], interior)
        out = magnify_motion(frames, 4.0, 2.0, 4.0, v["fps"], levels=4)
        inside = (slice(None),) + window
        return translation_amplitude(out[inside], wave, interior) / translation_amplitude(frames[inside], wave, interior)

    still, sharp = v["still"], v["camera"]
    bands_only = without_residuals(still)
    full_interior = np.zeros((128, 128))
    full_interior[window] = interior
    rows = [
        ("square; whole video; noisy (the notebook's first measurement)", ratio(vibrating(v, still) + v["noise"])),
        ("whole frame translated; noisy", ratio(vibrating(v, still, True) + v["noise"])),
        ("square; noise-free", ratio(vibrating(v, still))),
        ("whole frame; noise-free", ratio(vibrating(v, still, True))),
        ("square; noise-free; image without the pyramid's residuals", ratio(vibrating(v, bands_only))),
        ("whole frame; noise-free; image without the residuals", ratio(vibrating(v, bands_only, True))),
        ("first-order prediction 1 + 4 s; image without the residuals", 1 + 4 * phase_share(bands_only, 4,
                                                                                          full_interior)),
        ("window cut out (64 x 64; 24 frames); noise-free", ratio(vibrating(v, still), clip=True)),
        ("window cut out; noise-free; camera not blurred", ratio(vibrating(v, sharp), clip=True)),
        ("window cut out; noise-free; camera not blurred minus its high-pass residual",
         ratio(vibrating(v, sharp - steerable_pyramid(sharp, 4, 3).highpass), clip=True)),
    ]
    return {"measurement": [r[0] for r in rows], "ratio": [r[1] for r in rows]}


FAIR_ALPHAS = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0, 32.0]
FAIR_METHODS = ("linear", "linear released", "phase octave", "phase octave smoothed",
                "phase half-octave")


def _sweep(method, frames, alphas, fps):
    low, high = 2.0, 4.0
    if method == "linear":
        return magnify_motion_linear_sweep(frames, alphas, low, high, fps)
    if method == "linear released":
        return magnify_motion_linear_sweep(frames, alphas, low, high, fps, skip_ends=True)
    if method == "phase octave":
        return magnify_motion_sweep(frames, alphas, low, high, fps)
    if method == "phase octave smoothed":
        return magnify_motion_sweep(frames, alphas, low, high, fps, sigma=2.0)
    return magnify_motion_full_grid_sweep(frames, alphas, low, high, fps)          # half-octave, 8 orientations


def _amplitude_read(frames, wave, interior):
    """:func:`translation_amplitude`, or NaN (no reading) where the estimate does not converge on some frame."""
    try:
        return translation_amplitude(frames, wave, interior)
    except TranslationNotFound:             # only that: a bad argument or a NaN frame must still fail loudly
        return np.nan


def fair_table():
    """Achieved magnification (noise-free window) and noise amplification (the window standing still)."""
    v = test_video()
    window, interior, wave = v["window"], v["interior"], v["wave"][:24]
    clip_clean = vibrating(v, v["still"])[:24][(slice(None),) + window]
    still_noisy = clip_clean[0] + 0.01 * np.random.default_rng(1).standard_normal(clip_clean.shape)
    base = translation_amplitude(clip_clean, wave, interior)
    noise = np.std(still_noisy - clip_clean[0])
    table = {"method": [], "alpha": [], "achieved": [], "noise_gain": []}
    for method in FAIR_METHODS:
        moving = _sweep(method, clip_clean, FAIR_ALPHAS, v["fps"])
        still = _sweep(method, still_noisy, FAIR_ALPHAS, v["fps"])
        for alpha, out, out_still in zip(FAIR_ALPHAS, moving, still):
            table["method"].append(method)
            table["alpha"].append(alpha)
            table["achieved"].append(_amplitude_read(out, wave, interior) / base)
            table["noise_gain"].append(np.std(out_still - clip_clean[0]) / noise)
    return table


BREAKDOWN_ALPHAS = [float(a) for a in range(0, 98, 2)]
WAVELENGTH, SHIFT, SIZE = 16.0, 0.25, 128


def features():
    """Three features of wavelength 16 px centred on a 128 x 128 frame, peak 0.2.

    "impulse": an impulse seen through the octave pyramid's level-2, 0-degree band (that band's own
    kernel, the most localized feature of that wavelength the band holds); "Gabor 8 px" and
    "Gabor 16 px": a grating under Gaussian windows of those standard deviations.
    """
    impulse = np.zeros((SIZE, SIZE))
    impulse[SIZE // 2, SIZE // 2] = 1.0
    kernel = np.fft.ifft2(band_response((SIZE, SIZE), 2, 0, 3) * np.fft.fft2(impulse)).real
    yy, xx = np.mgrid[:SIZE, :SIZE] - SIZE / 2
    found = {"impulse": kernel}
    for s in (8, 16):
        found[f"Gabor {s} px"] = np.exp(-(xx**2 + yy**2) / (2 * s**2)) * np.cos(2 * np.pi * xx / WAVELENGTH)
    return {name: 0.2 * f / np.abs(f).max() for name, f in found.items()}


def _envelope_width(bands):
    """Energy-weighted envelope width along x of complex bands (..., H, W): sigma^2 = 2 sum x^2 |B|^2 / sum |B|^2."""
    energy = np.abs(bands.reshape(-1, *bands.shape[-2:])) ** 2
    widths, weights = [], []
    for e in energy:
        column = e.sum(axis=0)
        if column.sum() == 0:
            continue
        x = np.arange(column.size) * (SIZE / column.size)            # sample positions in image pixels
        centre = np.sum(x * column) / column.sum()
        widths.append(2 * np.sum((x - centre) ** 2 * column) / column.sum())
        weights.append(e.sum() * (SIZE / column.size) ** 2)          # a level-j sample stands for 4^j pixels
    return float(np.sqrt(np.average(widths, weights=weights)))


def feature_table():
    """Each feature's wavelength (spectral centroid along x) and the envelope width its bands see."""
    table = {"feature": [], "wavelength": [], "sigma_octave": [], "sigma_half_octave": []}
    for name, f in features().items():
        power = np.abs(np.fft.fft2(f)) ** 2
        k = np.abs(np.fft.fftfreq(SIZE))[None, :]
        octave = steerable_pyramid(f, 4, 3, complex_bands=True)
        octave_width = np.sqrt(np.average([_envelope_width(b) ** 2 for b in octave.bands],
                                          weights=[4**j * np.sum(np.abs(b) ** 2) for j, b in enumerate(octave.bands)]))
        _, rings, _ = full_grid_masks((SIZE, SIZE), 4, 7, 0.75, 2)
        half = np.fft.ifft2(rings * np.fft.fft2(f), axes=(-2, -1))
        table["feature"].append(name)
        table["wavelength"].append(1 / (np.sum(k * power) / power.sum()))
        table["sigma_octave"].append(float(octave_width))
        table["sigma_half_octave"].append(_envelope_width(half))
    return table


BREAKDOWN_METHODS = ("linear", "phase octave", "phase half-octave")


def _displacement_read(frame, reference):
    """The x shift of ``frame`` against ``reference``, or NaN (no reading) where the estimate does not converge."""
    try:
        return estimate_translation(frame, reference)[1]
    except TranslationNotFound:             # only that: a bad argument or a NaN frame must still fail loudly
        return np.nan


def breakdown_table():
    """Carrier displacement and shape error of each feature, each method, each alpha."""
    fps = 8.0
    wave = np.sin(2 * np.pi * 2.0 * np.arange(8) / fps)                # frames 1 and 3: +1 and -1
    table = {"feature": [], "method": [], "alpha": [], "carrier": [], "error": []}
    for name, f in features().items():
        frames = np.stack([fourier_translate(f, SHIFT * w) for w in wave])
        outputs = {"linear": magnify_motion_linear_sweep(frames, BREAKDOWN_ALPHAS, 1.0, 3.0, fps),
                   "phase octave": magnify_motion_sweep(frames, BREAKDOWN_ALPHAS, 1.0, 3.0, fps, levels=4),
                   "phase half-octave": magnify_motion_full_grid_sweep(frames, BREAKDOWN_ALPHAS, 1.0, 3.0, fps,
                                                                        octaves=4)}
        for method in BREAKDOWN_METHODS:
            for alpha, out in zip(BREAKDOWN_ALPHAS, outputs[method]):
                target = (1 + alpha) * SHIFT
                shown = (_displacement_read(out[1], out[0]) - _displacement_read(out[3], out[0])) / 2
                ideal = fourier_translate(f, target)
                table["feature"].append(name)
                table["method"].append(method)
                table["alpha"].append(alpha)
                table["carrier"].append(shown / target)
                table["error"].append(np.linalg.norm(out[1] - ideal) / np.linalg.norm(ideal))
    return table


TABLES = {"magnification_shortfall": shortfall_table, "magnification_fair": fair_table,
          "magnification_features": feature_table, "magnification_breakdown": breakdown_table}


# ----------------------------------------------------------------------------- writing and checking

def _text(value):
    return value if isinstance(value, str) else f"{float(value):.{DIGITS}f}"


def write(name, table, directory=ROOT / "lecture_utils" / "tables"):
    columns = list(table)
    lines = [f"# {name}: written by tools/magnification_tables.py; do not edit by hand", ",".join(columns)]
    for row in zip(*table.values()):
        assert not any("," in v for v in row if isinstance(v, str)), row
        lines.append(",".join(_text(v) for v in row))
    (directory / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def differences(name, table, tolerance=2e-3):
    """Rows of the recomputed ``table`` that differ from the committed one (by more than ``tolerance``)."""
    from lecture_utils.data import measured_table
    committed = measured_table(name)
    problems = []
    if list(committed) != list(table):
        return [f"{name}: columns {list(committed)} committed, {list(table)} recomputed"]
    for column, values in table.items():
        old = committed[column]
        if len(old) != len(values):
            return [f"{name}: {len(old)} rows committed, {len(values)} recomputed"]
        for i, (a, b) in enumerate(zip(old, values)):
            same = a == b if isinstance(b, str) else (np.isnan(float(a)) and np.isnan(float(b))
                                                      or abs(float(a) - float(b)) <= tolerance)
            if not same:
                problems.append(f"{name} row {i} {column}: committed {a}, recomputed {_text(b)}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="recompute and compare instead of writing")
    parser.add_argument("--only", choices=sorted(TABLES), help="one table")
    args = parser.parse_args(argv)
    problems = []
    for name, compute in TABLES.items():
        if args.only and name != args.only:
            continue
        table = compute()
        if args.check:
            problems += differences(name, table)
        else:
            write(name, table)
            print(f"wrote lecture_utils/tables/{name}.csv ({len(next(iter(table.values())))} rows)")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    from reference_kernel import run_on_reference_kernels     # the same rows on every x86-64 machine
    run_on_reference_kernels()
    sys.exit(main())
