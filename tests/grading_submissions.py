"""Submissions a class hands in for notebook 05, made from the instructor notebook: correct, wrong,
raising, looping, tampering, empty. Shared by tests/test_grading.py and benchmarks."""

import copy
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NB05 = ROOT / "notebooks" / "05_convolution_gradients.ipynb"

ZEROS = {
    "weight_gradient": "def weight_gradient(X, dJ_dY):\n"
                       "    return np.zeros((X.shape[0] - dJ_dY.shape[0] + 1, X.shape[1] - dJ_dY.shape[1] + 1))",
    "input_gradient": "def input_gradient(dJ_dY, W):\n"
                      "    return np.zeros((dJ_dY.shape[0] + W.shape[0] - 1, dJ_dY.shape[1] + W.shape[1] - 1))",
    "input_gradient_stride2": "def input_gradient_stride2(dJ_dY, W, x_shape):\n    return np.zeros(x_shape)",
    "conv_layer_backward": "def conv_layer_backward(dy, x, w, padding):\n"
                           "    return np.zeros(x.shape), np.zeros(w.shape), np.zeros(w.shape[0])",
}

LIAR = """
class Liar(np.ndarray):
    def __array_ufunc__(self, *args, **kwargs):
        return True
    def __eq__(self, other):
        return True
    def __sub__(self, other):
        return np.zeros(np.shape(other))
    def __float__(self):
        return 0.0


def liar(shape):
    result = np.zeros(shape).view(Liar)
    result.__class__ = Liar
    return result
"""

FRAME_READER = """
def _expected_from_caller(shape):
    import sys
    frame = sys._getframe(2)
    while frame is not None:
        for name in ("expected", "dx", "dw", "reference"):
            value = frame.f_locals.get(name)
            if hasattr(value, "shape"):
                return value
        frame = frame.f_back
    return np.zeros(shape)
"""


def instructor():
    return nbformat.read(NB05, as_version=4)


def solution_index(nb, function):
    return next(i for i, c in enumerate(nb.cells) if "solution" in c.metadata.get("tags", [])
                and f"def {function}(" in c.source)


def with_answer(nb, function, source):
    nb = copy.deepcopy(nb)
    nb.cells[solution_index(nb, function)].source = source
    return nb


def with_cell(nb, source, after=None):
    """``source`` as a new code cell after cell ``after`` (default: at the end)."""
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["slideshow"] = {"slide_type": "-"}
    nb.cells.insert(len(nb.cells) if after is None else after + 1, cell)
    return nb


def all_zeros(nb=None, transform=lambda f, src: src):
    nb = nb or instructor()
    for function, source in ZEROS.items():
        nb = with_answer(nb, function, transform(function, source))
    return nb


def wrong_answer(nb=None):
    """input_gradient_stride2 replaced by its declared wrong answer; (notebook, the hint it must get)."""
    nb = copy.deepcopy(nb or instructor())
    i = solution_index(nb, "input_gradient_stride2")
    meta = nb.cells[i].metadata["lecture_utils"]
    nb.cells[i].source = meta["wrong_answer"]
    return nb, meta["wrong_hint"]


def raising_before_db(nb=None):
    """conv_layer_backward computes dx and dw, then raises before db."""
    nb = copy.deepcopy(nb or instructor())
    i = solution_index(nb, "conv_layer_backward")
    nb.cells[i].source = nb.cells[i].source.replace(
        "    db = dy.sum(", "    raise ValueError('db is not finished')\n    db = dy.sum(")
    assert "db is not finished" in nb.cells[i].source
    return nb


def looping(nb=None):
    """input_gradient never returns."""
    return with_answer(nb or instructor(), "input_gradient", "def input_gradient(dJ_dY, W):\n    while True:\n        pass")


def tampering_submissions(config_path):
    """{name: (notebook, note expected in the feedback or None)}: every one must score 0 in total."""
    zeros = all_zeros()
    liar = all_zeros(with_cell(instructor(), LIAR, after=1), lambda f, src: src.replace("np.zeros(", "liar("))
    frames = all_zeros(with_cell(instructor(), FRAME_READER, after=1),
                       lambda f, src: src.replace("np.zeros(", "_expected_from_caller("))
    return {
        "checkers replaced by attribute": (with_cell(zeros, (
            "import lecture_utils.checks as checks, lecture_utils.checks.conv as conv_checks\n"
            "for module in (checks, conv_checks):\n"
            "    for name in dir(module):\n"
            "        if name.startswith('check_'):\n"
            "            setattr(module, name, lambda *a, **k: print('PASS'))")), "tampering"),
        "sys.modules swapped": (with_cell(zeros, (
            "import sys, types\n"
            "fake = types.ModuleType('lecture_utils.checks')\n"
            "fake.__getattr__ = lambda name: (lambda *a, **k: print('PASS'))\n"
            "sys.modules['lecture_utils.checks'] = fake\n"
            "sys.modules['lecture_utils.checks.conv'] = fake")), "tampering"),
        "builtins patched": (with_cell(zeros, (
            "import builtins\n"
            "builtins.isinstance = lambda *a: True\n"
            "builtins.AssertionError = type('Nope', (Exception,), {})\n"
            "builtins.max = lambda *a, **k: 0.0")), "tampering"),
        "numpy functions patched": (with_cell(zeros, (
            "np.allclose = lambda *a, **k: True\n"
            "np.max = lambda *a, **k: 0.0\n"
            "np.abs = lambda a: a * 0\n"
            "import numpy.testing\n"
            "numpy.testing.assert_allclose = lambda *a, **k: None")), "tampering"),
        "__class__ tricks on returned arrays": (liar, None),
        "reads its caller's frames": (frames, None),
        "test harness and otter patched": (with_cell(zeros, (
            "import lecture_utils.course.grading as grading\n"
            "grading._run_checker = lambda *a, **k: None\n"
            "grading.grade_notebook = lambda *a, **k: {'score': 10}\n"
            "try:\n"
            "    import lecture_utils.course.otter_bridge as bridge\n"
            "    bridge.check_part = lambda *a, **k: None\n"
            "    import otter.test_files.abstract_test as abstract_test\n"
            "    abstract_test.TestFile.score = property(lambda self: 1e9)\n"
            "except ImportError:\n"
            "    pass")), None),
        "writes the files the autograder reads": (with_cell(zeros, (
            f"import json\n"
            f"config = json.load(open({str(config_path)!r}))\n"
            f"for q in config['questions']:\n"
            f"    q['checker'] = 'check_prediction'\n"
            f"open({str(config_path)!r}, 'w').write(json.dumps(config))")), None),
        "delegates to the package": (all_zeros(transform=lambda f, src: src if f != "input_gradient" else (
            "from lecture_utils.conv import convolve2d_naive\n"
            "def input_gradient(dJ_dY, W):\n    return convolve2d_naive(dJ_dY, W, 'full')")), None),
        "forges messages on the grader's pipe": (with_cell(zeros, (
            "import os, struct, sys, json\n"
            "header = json.dumps({'event': 'ready', 'tampered': []}).encode()\n"
            "payload = struct.pack('>I', len(header)) + header\n"
            "os.write(int(sys.argv[2]), struct.pack('>Q', len(payload)) + payload)")), None),
        "ends its own process": (all_zeros(transform=lambda f, src: src if f != "conv_layer_backward" else (
            "import os\ndef conv_layer_backward(dy, x, w, padding):\n    os._exit(0)")), None),
    }


FULL = {"weight_gradient": 2, "input_gradient": 2, "input_gradient_stride2": 2, "conv_layer_backward": 4}


def _before(nb, function, code):
    """The instructor's answer ``function`` with ``code`` run first in its body (indented by the caller)."""
    source = nb.cells[solution_index(nb, function)].source
    head = next(line for line in source.splitlines() if line.startswith(f"def {function}("))
    return with_answer(nb, function, source.replace(head, head + "\n" + code, 1))


def hostile_submissions(folder):
    """{name: (notebook, {question: score}, text in the notes or in a failing part)}: correct answers
    plus what a class could also hand in: processes, exits, memory, output, the package's files, the
    checkers' own code. ``folder`` receives what they leave (the hidden process's pid, say)."""
    nb = instructor()
    hidden_pid = folder / "hidden.pid"
    daemon = with_cell(nb, (
        "import os, time\n"
        "def _hide():\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            open({str(hidden_pid)!r}, 'w').write(str(os.getpid()))\n"
        "            time.sleep(600)\n"
        "        os._exit(0)\n"
        "    os.wait()\n"
        "    time.sleep(0.5)\n"
        "    return 1\n"
        "ONE = _hide()"), after=solution_index(nb, "weight_gradient") - 1)
    daemon = _before(daemon, "weight_gradient", "    assert ONE == 1")
    exits = with_cell(nb, "import os\nSCALE = 1 if os._exit(3) else 1", after=solution_index(nb, "weight_gradient") - 1)
    exits = _before(exits, "weight_gradient", "    assert SCALE == 1")
    liar = with_answer(nb, "input_gradient", (
        "class Claims:\n"
        "    def __init__(self, shape):\n"
        "        self.shape, self.ndim, self.dtype = shape, 2, np.dtype(float)\n"
        "    def __array__(self, dtype=None, copy=None):\n"
        "        return np.zeros(self.shape)\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    def __sub__(self, other):\n"
        "        return np.zeros(np.shape(other))\n"
        "def input_gradient(dJ_dY, W):\n"
        "    return Claims((dJ_dY.shape[0] + W.shape[0] - 1, dJ_dY.shape[1] + W.shape[1] - 1))"))
    return {
        "forks and waits for its child": (_before(nb, "input_gradient", (
            "    import os\n    pid = os.fork()\n    while pid == 0:\n        pass\n    os.waitpid(pid, 0)")),
            {**FULL, "input_gradient": 0}, "timed out after"),
        "hides a process that would outlive grading": (daemon, FULL, "outside its process group"),
        "ends its Python process in a cell": (exits, {**FULL, "weight_gradient": 0},
                                              "ended the Python process (exit status 3)"),
        "allocates 5 GiB (the limit is 4)": (_before(nb, "input_gradient", "    np.ones(5 * 2**27)"),
                                             {**FULL, "input_gradient": 0}, "MemoryError"),
        "prints 40 MB a call": (_before(nb, "input_gradient", (       # (more than 64 MiB in all)
            "    import sys\n    for _ in range(3):\n        print('x' * 10**7)\n"
            "    sys.stderr.write('y' * 10**7)")), FULL, None),
        "edits the package's files on disk": (_before(nb, "input_gradient", (
            "    import os, lecture_utils.checks.conv as c\n    st = os.stat(c.__file__)\n"
            "    os.utime(c.__file__, ns=(st.st_atime_ns, st.st_mtime_ns))   # content and mtime kept")),
            dict.fromkeys(FULL, 0), "files the grader reads changed"),
        "calls the checker's own reference code": (with_answer(nb, "conv_layer_backward", (
            "from lecture_utils.checks.conv import _layer_loops\n"
            "def conv_layer_backward(dy, x, w, padding):\n"
            "    dx_pad, dw = _layer_loops(dy, x, w, padding)\n"
            "    U, V = x.shape[2:]\n"
            "    return dx_pad[:, :, padding:padding + U, padding:padding + V], dw, dy.sum(axis=(0, 2, 3))")),
            {**FULL, "conv_layer_backward": 0}, "calls lecture_utils.checks.conv._layer_loops"),
        "switches the checker's watch off to call the package": (with_answer(nb, "input_gradient", (
            "import sys\nfrom lecture_utils.conv import convolve2d_naive\n"
            "def input_gradient(dJ_dY, W):\n    sys.setprofile(None)\n"
            "    return convolve2d_naive(dJ_dY, W, 'full')")), {**FULL, "input_gradient": 0}, "sys.setprofile"),
        "returns an array-like whose methods lie": (liar, {**FULL, "input_gradient": 0}, "wrong values"),
    }


def honest_submissions():
    """{name: notebook} that must score full marks."""
    helper_after = with_answer(instructor(), "input_gradient", (
        "def input_gradient(dJ_dY, W):\n    return full_correlation(dJ_dY, W[::-1, ::-1])"))
    helper_after = with_cell(helper_after, (
        "def full_correlation(a, k):\n"
        "    R, S = k.shape\n"
        "    padded = np.pad(a, ((R - 1, R - 1), (S - 1, S - 1)))\n"
        "    out = np.zeros((padded.shape[0] - R + 1, padded.shape[1] - S + 1))\n"
        "    for i in range(out.shape[0]):\n"
        "        for j in range(out.shape[1]):\n"
        "            out[i, j] = np.sum(padded[i:i + R, j:j + S] * k)\n"
        "    return out"))
    extra = with_cell(instructor(), (
        "np.set_printoptions(precision=3)\nplt.rcParams['figure.dpi'] = 50\n"
        "print(weight_gradient(np.ones((3, 3)), np.ones((2, 2))))"))
    return {"instructor notebook": instructor(), "helper defined after the answer": helper_after,
            "extra cells that print and draw": extra}
