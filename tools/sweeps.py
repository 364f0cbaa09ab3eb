"""The sweeps behind notebooks 04 and 06 that are too heavy to run in a notebook: committed tables.

A claim about a model needs several seeds, settings chosen by cross-validation and a paired
comparison on the same test images: dozens of training runs per claim, minutes in all.
This script runs them with the same library functions the notebooks call and writes one
CSV per sweep into ``lecture_utils/tables/`` (package data: the notebooks, their student
editions and the autograder read them with :func:`lecture_utils.data.load_table`). The notebooks
print what the tables hold and re-run one row live, to show that the table is this code's output.

    python tools/sweeps.py                      # every table
    python tools/sweeps.py faces_cv faces_test  # some
    python tools/sweeps.py --check              # regenerate in memory and compare with the committed files
    python tools/sweeps.py --check --quick      # the same for a subset of each heavy sweep (QUICK)

``--check`` fails when a regenerated table differs from the committed one: counts and settings
exactly, decimals within one unit of their last printed digit. The full check takes about three
minutes of training on two quiet cores (six under load); ``tests/test_tables.py`` runs
``--check --quick``, which regenerates the rows of seed 0, one weight decay and LeNet alone (the
rows the notebooks print and re-run, and both .npz files, in full) in about two fifths of that.
Only numbers that the arithmetic fixes are stored: counts of test images right, the setting
the rule picked, costs of converged or stable runs rounded to the digits they keep.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lecture_utils import nn  # noqa: E402
from lecture_utils.baselines import logistic_baseline  # noqa: E402
from lecture_utils.cnn import lecture_init  # noqa: E402
from lecture_utils.data import (TABLES, digits_split, faces_lecture_split, faces_matched_split,  # noqa: E402
                                kfold_split, validation_split)
from lecture_utils.fast import cnn as fast_cnn  # noqa: E402
from lecture_utils.fast import nn as fast_nn  # noqa: E402
from lecture_utils.optim import train  # noqa: E402

SEEDS = range(5)                                   # training seeds of every compared model
LEARNING_RATES, STEPS = (0.001, 0.003, 0.01), (100, 200, 300)
C_GRID = (0.001, 0.01, 0.1, 1.0, 10.0)
FOLDS = 5


# --------------------------------------------------------------------------- notebook 06: faces

def face_sets():
    """The three face problems: training images, labels, test images, labels, CV groups (None: none)."""
    lecture = faces_lecture_split(rng=0)
    matched = faces_matched_split(rng=0)
    *pictures, source_train, _ = faces_matched_split(rng=0, by_picture=True, sources=True)
    return {"lecture": (*lecture, None), "matched": (*matched, None), "pictures": (*pictures, source_train[:, 0])}


FACE_MODELS = {"lecture": ("cnn1", "cnn3", "baseline"), "matched": ("cnn1", "baseline"),
               "pictures": ("cnn1", "baseline")}
N_FILTERS = {"cnn1": 1, "cnn3": 3}


def cv_counts(x, y, groups, model):
    """Validation images right, summed over the folds, {(setting, steps): count} (every step for the CNNs),
    and the CNNs' training error E / N_fit at each step, averaged over the folds."""
    folds = kfold_split(y, FOLDS, rng=0, groups=groups)
    counts, errors = {}, {}
    for fit, val in folds:
        if model == "baseline":
            for C in C_GRID:
                right = int(np.sum(logistic_baseline(x[fit], y[fit], x[val], C) == y[val]))
                counts[C, 0] = counts.get((C, 0), 0) + right
                errors[C, 0] = float("nan")
            continue
        for eta in LEARNING_RATES:
            run = fast_cnn.lecture_validation_run(x[fit], y[fit], x[val], y[val], n_filters=N_FILTERS[model],
                                                  learning_rate=eta, steps=max(STEPS), rng=0)
            for t, accuracy in enumerate(run.history.metrics["validation accuracy"]):
                counts[eta, t] = counts.get((eta, t), 0) + int(round(accuracy * len(val)))
                errors[eta, t] = errors.get((eta, t), 0.0) + run.history.losses[t] / len(fit) / FOLDS
    return counts, errors


def choose(counts, candidates):
    """The rule fixed before looking: the most CV images right; ties to the smaller setting, then fewer steps."""
    return max(candidates, key=lambda s: (counts[s], -s[0], -s[1]))


def test_rows(x, y, x_test, y_test, model, setting, steps, keep=None):
    """Per training seed: the chosen setting trained on all training images, scored once on the test images.

    ``keep`` (a dict), if given, receives seed 0's trained parameters."""
    rows = []
    for seed in ([0] if model == "baseline" else SEEDS):
        if model == "baseline":
            predicted = logistic_baseline(x, y, x_test, setting)
        else:
            params, _ = fast_cnn.train_lecture_model(x, y, n_filters=N_FILTERS[model], learning_rate=setting,
                                                     steps=steps, rng=seed)
            if keep is not None and seed == 0:
                keep.update({f"{model}_{name}": value for name, value in params.items()})
            with fast_cnn.single_threaded_blas():
                predicted = (fast_cnn._LectureData(x_test, y_test).forward(**params)[2][0] > 0.5).astype(int)
        right = predicted == y_test
        rows.append({"seed": seed, "correct": int(right.sum()), "n": len(y_test),
                     "right": "".join("1" if r else "0" for r in right)})
    return rows


def faces_tables():
    cv, test, trained = [], [], {}
    sets = face_sets()
    for faces, models in FACE_MODELS.items():
        x, y, x_test, y_test, groups = sets[faces]
        for model in models:
            counts, errors = cv_counts(x, y, groups, model)
            grid = [(C, 0) for C in C_GRID] if model == "baseline" else [(e, t) for e in LEARNING_RATES for t in STEPS]
            kept = sorted(counts) if (faces, model) == ("lecture", "cnn1") else grid    # the curves: every step
            cv += [{"faces": faces, "model": model, "setting": s, "steps": t, "cv_correct": counts[s, t],
                    "n": len(y), "fit_error": errors[s, t]} for s, t in kept]
            setting, steps = choose(counts, grid)
            keep = trained if (faces, model) == ("lecture", "cnn3") else None      # notebook 06 shows its filters
            test += [{"faces": faces, "model": model, "setting": setting, "steps": steps, **row}
                     for row in test_rows(x, y, x_test, y_test, model, setting, steps, keep)]
    return {"faces_cv": cv, "faces_test": test, "faces_trained": trained}


# ------------------------------------------------------------------ notebook 06: the loss

LOSS_RATE, LOSS_STEPS, LOSS_EVERY, SATURATED_BIAS = 0.003, 300, 5, 10.0


def loss_starts():
    """The lecture's seed-0 start, and the same with b = 10: O = sigmoid(Z2) near 1 for every image."""
    f, W, b = lecture_init(1, 22, 3, rng=0)
    return {"lecture": {"f": f, "W": W, "b": b}, "saturated": {"f": f, "W": W, "b": np.array([[SATURATED_BIAS]])}}


def loss_table():
    """The one-filter model on the 100 training faces, squared error (eta) against cross-entropy (eta / 4:
    the same first step where O = 1/2), from two starts: training images right, every 5 steps."""
    x, y, _, _ = faces_lecture_split(rng=0)
    rows = []
    for start, params in loss_starts().items():
        for loss, eta in (("squared", LOSS_RATE), ("cross_entropy", LOSS_RATE / 4)):
            _, history = fast_cnn.train_lecture_model(x, y, learning_rate=eta, steps=LOSS_STEPS, loss=loss,
                                                      params=params)
            rows += [{"start": start, "loss": loss, "learning_rate": eta, "step": t,
                      "train_correct": int(round(history.metrics["training accuracy"][t] * len(y))), "n": len(y)}
                     for t in range(0, LOSS_STEPS + 1, LOSS_EVERY)]
    return {"faces_losses": rows}


# ------------------------------------------------------------------ notebook 06: weight decay

DECAYS = (0.0, 0.03, 0.1, 0.3, 1.0)
DECAY_STEPS, DECAY_EVERY = 1000, 10


def weight_decay_table():
    """Three filters, cross-entropy, fit on one fold of 20 images and validated on the other 80, five times."""
    x, y, _, _ = faces_matched_split(rng=0)
    folds = kfold_split(y, FOLDS, rng=0)
    rows = []
    for lam in DECAYS:
        train_loss = np.zeros(DECAY_STEPS + 1)
        val_loss, val_right, n_val = np.zeros(DECAY_STEPS + 1), np.zeros(DECAY_STEPS + 1), 0
        for val, fit in folds:                                  # reversed: fit on the small fold
            run = fast_cnn.lecture_validation_run(x[fit], y[fit], x[val], y[val], n_filters=3, learning_rate=0.01,
                                                  steps=DECAY_STEPS, rng=0, loss="cross_entropy", weight_decay=lam)
            penalty = np.array([0.5 * lam * (np.sum(p["f"] ** 2) + np.sum(p["W"] ** 2)) for p in run.params])
            train_loss += (np.array(run.history.losses) - penalty) / len(fit) / FOLDS
            val_loss += np.array(run.history.metrics["validation loss"])
            val_right += np.round(np.array(run.history.metrics["validation accuracy"]) * len(val))
            n_val += len(val)
        for t in range(0, DECAY_STEPS + 1, DECAY_EVERY):
            rows.append({"weight_decay": lam, "step": t, "train_loss": train_loss[t], "val_loss": val_loss[t] / n_val,
                         "val_correct": int(val_right[t]), "n": n_val})
    return {"faces_weight_decay": rows}


# ----------------------------------------------------------------------- notebook 06: digits

DIGIT_RATES, DIGIT_EPOCHS = (0.02, 0.05, 0.1), (4, 8, 12)
DIGIT_MODELS = ("lenet", "no_pooling", "dense")


def shifted_right(images):
    """Every image moved one pixel to the right, a column of zeros (background) entering on the left."""
    moved = np.zeros_like(images)
    moved[..., 1:] = images[..., :-1]
    return moved


def _dense_model(seed):
    return nn.MLP([64, 128, 128, 10], ["relu", "relu", "identity"], rng=seed, init="he")


def digit_run(model, x, labels, x_val, y_val, eta, seed):
    """12 epochs of the network ``model``: (params after each epoch, validation accuracy after each epoch)."""
    common = dict(epochs=max(DIGIT_EPOCHS), batch_size=32, learning_rate=eta, momentum=0.9, decay=0.85, rng=seed)
    if model != "dense":
        pool = 2 if model == "lenet" else 1
        run = fast_cnn.lenet_validation_run(x, labels, x_val, y_val, params=fast_cnn.lenet_init(rng=seed, pool=pool),
                                            pool=pool, **common)
        return run.params, run.history.metrics["validation accuracy"], run.history.per_epoch()
    net = _dense_model(seed)
    kept = []

    def evaluate(p):
        kept.append(p)
        return {"validation accuracy": float(np.mean(net.predict(x_val.reshape(len(x_val), -1), p).argmax(1) == y_val))}

    _, history = train(net.objective("softmax_cross_entropy"), net.params, x.reshape(len(x), -1), labels,
                       full_loss=False, evaluate=evaluate, **common)
    return kept, history.metrics["validation accuracy"], history.per_epoch()


def digit_predict(model, params, x):
    if model == "dense":
        return _dense_model(0).predict(x.reshape(len(x), -1), params).argmax(axis=1)
    return fast_cnn.lenet_predict_proba(x, params, pool=2 if model == "lenet" else 1).argmax(axis=1)


def digits_tables():
    d_train, l_train, d_test, l_test = digits_split(test_fraction=0.25, rng=0)
    d_fit, l_fit, d_val, l_val = validation_split(d_train, l_train, fraction=0.2, rng=0)
    shifted = shifted_right(d_test)
    validation, test, trained = [], [], {}
    for model in DIGIT_MODELS:
        runs = {eta: digit_run(model, d_fit, l_fit, d_val, l_val, eta, seed=0) for eta in DIGIT_RATES}
        counts = {(eta, e): int(round(runs[eta][1][e] * len(l_val))) for eta in DIGIT_RATES for e in DIGIT_EPOCHS}
        validation += [{"model": model, "setting": eta, "epochs": e, "val_correct": counts[eta, e], "n": len(l_val)}
                       for eta, e in counts]
        eta, epochs = choose(counts, list(counts))
        if model == "lenet":                  # notebook 06 shows seed 0's network, its curves and its mistakes
            params, accuracies, batch_losses = runs[eta]
            trained.update({f"lenet_{k}": v for k, v in params[epochs].items()})
            trained.update(lenet_validation_accuracy=np.array(accuracies), lenet_mean_batch_loss=np.array(batch_losses))
        for seed in SEEDS:
            params = (runs[eta] if seed == 0 else digit_run(model, d_fit, l_fit, d_val, l_val, eta, seed))[0][epochs]
            right, right_shifted = (digit_predict(model, params, x) == l_test for x in (d_test, shifted))
            test.append({"model": model, "setting": eta, "epochs": epochs, "seed": seed, "correct": int(right.sum()),
                         "shifted_correct": int(right_shifted.sum()), "n": len(l_test),
                         "right": "".join("1" if r else "0" for r in right),
                         "shifted_right": "".join("1" if r else "0" for r in right_shifted)})
    validation_counts = {C: int(np.sum(logistic_baseline(d_fit, l_fit, d_val, C) == l_val)) for C in C_GRID}
    validation += [{"model": "baseline", "setting": C, "epochs": 0, "val_correct": k, "n": len(l_val)}
                   for C, k in validation_counts.items()]
    C = choose({(c, 0): k for c, k in validation_counts.items()}, [(c, 0) for c in C_GRID])[0]
    right, right_shifted = (logistic_baseline(d_fit, l_fit, x, C) == l_test for x in (d_test, shifted))
    test.append({"model": "baseline", "setting": C, "epochs": 0, "seed": 0, "correct": int(right.sum()),
                 "shifted_correct": int(right_shifted.sum()), "n": len(l_test),
                 "right": "".join("1" if r else "0" for r in right),
                 "shifted_right": "".join("1" if r else "0" for r in right_shifted)})
    return {"digits_validation": validation, "digits_test": test, "digits_trained": trained}


# ------------------------------------------------------------------------- notebook 04: SGD

BATCH_SIZES, BATCH_RATES, BATCH_SEEDS, BATCH_EPOCHS = (1, 10, 50), (0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6), range(12), 100


def sgd_problem():
    """Notebook 04's 50 points of sin(pi x) on (-1, 1), the data of Bishop's panel (b)."""
    x = np.sort(np.random.default_rng(7).uniform(-1, 1, 50))[:, None]
    return x, np.sin(np.pi * x)


def batch_size_table():
    """Cost after 100 epochs and after 100 updates, every batch size at every rate, from 12 seeded starts."""
    x, y = sgd_problem()
    sizes, activations = [1, 3, 1], ["tanh", "identity"]
    rows = []
    for B in BATCH_SIZES:
        runs = [(seed, eta) for seed in BATCH_SEEDS for eta in BATCH_RATES]
        pop = fast_nn.train_sgd_many(nn.MLP(sizes, activations), [nn.MLP(sizes, activations, rng=s).params for s, _ in runs],
                                     x, y, np.array([eta for _, eta in runs]), batch_size=B, epochs=BATCH_EPOCHS,
                                     seeds=[s for s, _ in runs])
        per_epoch = -(-len(x) // B)
        for j, (seed, eta) in enumerate(runs):
            rows.append({"seed": seed, "batch_size": B, "learning_rate": eta, "diverged": int(pop.diverged[j]),
                         "cost_after_epochs": pop.losses[j, -1], "cost_after_100_updates": pop.losses[j, 100 // per_epoch]})
    return {"batch_size_seeds": rows}


# ------------------------------------------------------------------------- notebook 04: XOR

XOR_SCALES, XOR_SEEDS, XOR_EPOCHS = (0.25, 0.5, 1.0, 2.0, 4.0), range(20, 220), 300
X_XOR = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
Y_XOR = np.array([0, 1, 1, 0])


def xor_outcome(final_cost, outputs):
    """'solved' (all four on the right side of 1/2), 'stuck' (on the 1/8 plateau: two outputs merged at 1/2)
    or 'slow' (neither: the cost still above it, near the start's 1/4)."""
    if np.array_equal(outputs > 0.5, Y_XOR == 1):
        return "solved"
    return "stuck" if abs(final_cost - 1 / 8) < 0.01 else "slow"


def xor_table():
    """Notebook 04's 2-2-1 network from 200 fresh seeds, its initial weights multiplied by c: how each run ends."""
    sizes, activations = [2, 2, 1], ["tanh", "sigmoid"]
    starts = [nn.MLP(sizes, activations, rng=seed).params for seed in XOR_SEEDS]
    scaled = [{k: c * v for k, v in p.items()} for c in XOR_SCALES for p in starts]
    runs = fast_nn.train_sgd_many(nn.MLP(sizes, activations), scaled, X_XOR, Y_XOR[:, None].astype(float), 2.0,
                                  epochs=XOR_EPOCHS, seeds=[s for _ in XOR_SCALES for s in XOR_SEEDS])
    net = nn.MLP(sizes, activations)
    rows = []
    for j, (c, seed) in enumerate((c, s) for c in XOR_SCALES for s in XOR_SEEDS):
        outputs = net.predict(X_XOR, runs.params[j]).ravel()
        rows.append({"scale": c, "seed": seed, "outcome": xor_outcome(runs.losses[j, -1], outputs)})
    return {"xor_scales": rows}


# ----------------------------------------------------------------------------- the tables

COLUMNS = {     # name -> (column, format); a format of "" is text or an integer, compared exactly
    "faces_cv": [("faces", ""), ("model", ""), ("setting", "g"), ("steps", ""), ("cv_correct", ""), ("n", ""),
                 ("fit_error", ".4e")],
    "faces_test": [("faces", ""), ("model", ""), ("setting", "g"), ("steps", ""), ("seed", ""), ("correct", ""),
                   ("n", ""), ("right", "")],
    "faces_losses": [("start", ""), ("loss", ""), ("learning_rate", "g"), ("step", ""), ("train_correct", ""),
                     ("n", "")],
    "faces_weight_decay": [("weight_decay", "g"), ("step", ""), ("train_loss", ".4f"), ("val_loss", ".4f"),
                           ("val_correct", ""), ("n", "")],
    "digits_validation": [("model", ""), ("setting", "g"), ("epochs", ""), ("val_correct", ""), ("n", "")],
    "digits_test": [("model", ""), ("setting", "g"), ("epochs", ""), ("seed", ""), ("correct", ""),
                    ("shifted_correct", ""), ("n", ""), ("right", ""), ("shifted_right", "")],
    "xor_scales": [("scale", "g"), ("seed", ""), ("outcome", "")],
    "batch_size_seeds": [("seed", ""), ("batch_size", ""), ("learning_rate", "g"), ("diverged", ""),
                         ("cost_after_epochs", ".3e"), ("cost_after_100_updates", ".3e")],
}
SWEEPS = {"faces": faces_tables, "faces_losses": loss_table, "faces_weight_decay": weight_decay_table, "digits": digits_tables,
          "batch_size": batch_size_table, "xor": xor_table}
KEYS = {     # the columns that name a row: --quick compares each regenerated row with the committed row of that name
    "faces_cv": ("faces", "model", "setting", "steps"), "faces_test": ("faces", "model", "seed"),
    "faces_losses": ("start", "loss", "learning_rate", "step"), "faces_weight_decay": ("weight_decay", "step"),
    "digits_validation": ("model", "setting", "epochs"), "digits_test": ("model", "seed"),
    "xor_scales": ("scale", "seed"), "batch_size_seeds": ("seed", "batch_size", "learning_rate"),
}
QUICK = {    # --quick: the heavy sweeps cut to seed 0, one weight decay, LeNet alone and the lecture's faces
    "SEEDS": range(1), "DECAYS": (0.3,), "DIGIT_MODELS": ("lenet",),
    "FACE_MODELS": {"lecture": ("cnn1", "cnn3", "baseline")},
}
ARRAYS = {"faces_trained", "digits_trained"}        # .npz: seed 0's trained parameters that notebook 06 shows
TABLE_OF = {"faces_trained": "faces", "digits_trained": "digits",
            "faces_cv": "faces", "faces_test": "faces", "faces_losses": "faces_losses",
            "faces_weight_decay": "faces_weight_decay",
            "digits_validation": "digits", "digits_test": "digits", "batch_size_seeds": "batch_size",
            "xor_scales": "xor"}


def to_csv(name, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c for c, _ in COLUMNS[name]])
    for row in rows:
        writer.writerow([format(row[c], f) if f else str(row[c]) for c, f in COLUMNS[name]])
    return out.getvalue()


def differences(name, committed: str, fresh: str) -> list:
    """Where two versions of a table disagree: text and integers exactly, decimals by more than a last digit."""
    old, new = list(csv.reader(io.StringIO(committed))), list(csv.reader(io.StringIO(fresh)))
    if len(old) != len(new) or old[:1] != new[:1]:
        return [f"{name}: {len(old)} rows and columns {old[:1]} committed, {len(new)} rows and {new[:1]} now"]
    found = []
    for i, (a, b) in enumerate(zip(old[1:], new[1:]), start=2):
        for (column, f), u, v in zip(COLUMNS[name], a, b):
            if f in ("", "g") or u in ("nan", "inf") or v in ("nan", "inf"):
                same = u == v
            else:
                same = _close(float(u), float(v), f)
            if not same:
                found.append(f"{name} line {i}, {column}: committed {u}, regenerated {v}")
    return found


def committed_subset(name, committed: str, fresh: str) -> str:
    """The committed table cut to the rows that ``fresh`` names (KEYS), in fresh's order; unknown names are left out,
    so that the row counts then differ."""
    old, new = list(csv.reader(io.StringIO(committed))), list(csv.reader(io.StringIO(fresh)))
    where = [old[0].index(c) for c in KEYS[name]] if old else []
    by_key = {tuple(row[i] for i in where): row for row in old[1:]}
    rows = old[:1] + [by_key[key] for key in (tuple(row[i] for i in where) for row in new[1:]) if key in by_key]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def save_arrays(path: Path, arrays: dict) -> None:
    """np.savez's format, written with a fixed date in the zip entries so that the same arrays give the same bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), buffer.getvalue(),
                             compress_type=zipfile.ZIP_DEFLATED)


def array_differences(name, committed: dict, fresh: dict) -> list:
    """Trained parameters agree to 1e-7 relative (training is chaotic in its last bits, not in its first seven)."""
    if sorted(committed) != sorted(fresh):
        return [f"{name}: arrays {sorted(committed)} committed, {sorted(fresh)} now"]
    return [f"{name}: {key} differs by {np.max(np.abs(committed[key] - fresh[key])):.2g}" for key in sorted(fresh)
            if committed[key].shape != fresh[key].shape
            or not np.allclose(committed[key], fresh[key], rtol=1e-7, atol=1e-9 * np.max(np.abs(fresh[key])))]


def _close(a: float, b: float, f: str) -> bool:
    """Equal within 1.5 units of the last digit that the format ``.Nf`` or ``.Ne`` prints."""
    digits = int(f[1:-1])
    unit = 10.0 ** -digits if f.endswith("f") or a == 0 else 10.0 ** (np.floor(np.log10(abs(a))) - digits)
    return abs(a - b) <= 1.5 * unit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", nargs="*", help=f"default: all of {', '.join(COLUMNS)}")
    parser.add_argument("--check", action="store_true", help="compare with the committed tables, write nothing")
    parser.add_argument("--quick", action="store_true", help="with --check: a subset of each heavy sweep (QUICK)")
    args = parser.parse_args(argv)
    if args.quick and not args.check:
        parser.error("--quick only checks (a subset of rows must not overwrite the full tables); add --check")
    unknown = set(args.tables) - set(TABLE_OF)
    if unknown:
        parser.error(f"unknown tables {sorted(unknown)}; the tables are {', '.join(TABLE_OF)}")
    wanted = args.tables or list(TABLE_OF)
    failures = []
    saved = {k: globals()[k] for k in QUICK}
    if args.quick:
        globals().update(QUICK)
    try:
        for sweep in dict.fromkeys(TABLE_OF[t] for t in wanted):
            failures += _run(sweep, wanted, args.check, args.quick)
    finally:
        globals().update(saved)
    for line in failures[:40]:
        print(line)
    return 1 if failures else 0


def _run(sweep, wanted, check, quick) -> list:
    """One sweep: its tables compared with the committed ones (check) or written; the differences found."""
    failures = []
    for name, rows in SWEEPS[sweep]().items():
        if name not in wanted:
            continue
        if name in ARRAYS:
            path = TABLES / f"{name}.npz"
            if check:
                found = array_differences(name, dict(np.load(path)), rows) if path.exists() else \
                    [f"{name}: no committed arrays at {path.relative_to(ROOT)}"]
                failures += found
                print(f"{name}: {'differs' if found else 'same as committed'} ({len(rows)} arrays)")
            else:
                save_arrays(path, rows)
                print(f"wrote {path.relative_to(ROOT)} ({len(rows)} arrays)")
            continue
        path = TABLES / f"{name}.csv"
        fresh = to_csv(name, rows)
        if check:
            committed = path.read_text(encoding="utf-8") if path.exists() else None
            if committed is not None and quick:
                committed = committed_subset(name, committed, fresh)
            found = differences(name, committed, fresh) if committed is not None else \
                [f"{name}: no committed table at {path.relative_to(ROOT)}"]
            failures += found
            print(f"{name}: {'differs' if found else 'same as committed'} ({len(rows)} rows)")
        else:
            path.write_text(fresh, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(rows)} rows)")
    return failures


if __name__ == "__main__":
    from reference_kernel import run_on_reference_kernels     # the same rows on every x86-64 machine
    run_on_reference_kernels()
    sys.exit(main())
