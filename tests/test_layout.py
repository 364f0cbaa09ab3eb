"""The package's rooms: lecture code, speed paths, demos, checkers and course tooling stay apart."""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lecture_utils"
LECTURES = ["linear", "pyramids", "wavelets", "steerable", "magnify", "texture", "transforms", "nn", "conv", "cnn"]
SHARED = ["gradcheck", "optim", "data", "stats", "_validate"]
DRAWING = {"matplotlib", "ipywidgets", "IPython"}


def imported_modules(path: Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    return names


@pytest.mark.parametrize("name", LECTURES + SHARED)
def test_lecture_modules_do_not_draw(name):
    imports = imported_modules(PACKAGE / f"{name}.py")
    drawing = {m for m in imports if m.split(".")[0] in DRAWING or m.startswith((".demos", "..demos"))}
    assert not drawing, f"lecture_utils/{name}.py imports {sorted(drawing)}: drawing belongs in lecture_utils/demos/"


@pytest.mark.parametrize("name", LECTURES + SHARED)
def test_lecture_modules_have_no_speed_only_paths(name):
    source = (PACKAGE / f"{name}.py").read_text(encoding="utf-8")
    assert "float32" not in source, f"lecture_utils/{name}.py mentions float32: speed paths belong in fast/"
    imports = imported_modules(PACKAGE / f"{name}.py")
    assert not {m for m in imports if "fast" in m.split(".")}, f"{name}.py imports a speed path"
    assert "lru_cache" not in source and "threadpool" not in source, f"{name}.py caches or pins threads"


@pytest.mark.parametrize("name", LECTURES + SHARED)
def test_lecture_modules_do_not_import_course_tooling(name):
    imports = imported_modules(PACKAGE / f"{name}.py")
    assert not {m for m in imports if "course" in m.split(".") or m.split(".")[0] in ("nbformat", "nbconvert")}


def test_only_demos_import_drawing_libraries():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("demos", "course"):
            continue
        drawing = {m for m in imported_modules(path) if m.split(".")[0] in DRAWING}
        assert not drawing, f"lecture_utils/{rel} imports {sorted(drawing)}"


def test_one_sigmoid_one_differentiator_one_training_loop():
    sources = {p.relative_to(PACKAGE): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")
               if "course" not in p.parts}
    sigmoids = [str(p) for p, s in sources.items() if re.search(r"^def sigmoid\(", s, re.M)]
    assert sigmoids == ["nn.py"], sigmoids
    assert not [str(p) for p, s in sources.items() if "expit" in s], "use lecture_utils.nn.sigmoid"
    differentiators = [str(p) for p, s in sources.items() if "2 * h)" in s or "2.0 * h)" in s]
    assert differentiators == ["gradcheck.py"], differentiators
    loops = [str(p) for p, s in sources.items() if re.search(r"^def train\(", s, re.M)]
    assert loops == ["optim.py"], loops


# Modules that only an optional extra's tool loads: the Otter plugin needs the 'grading' extra.
NEEDS_EXTRA = {("course", "otter_bridge"): "otter"}


def test_every_module_imports():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.name == "__main__":
            continue
        extra = NEEDS_EXTRA.get(rel.parts)
        if extra and importlib.util.find_spec(extra) is None:      # e.g. the lower bounds, without 'grading'
            continue
        importlib.import_module(".".join(("lecture_utils",) + rel.parts).removesuffix(".__init__"))
