"""Notebook hygiene: what nbval cannot see on its own.

nbval re-executes each notebook and compares outputs; these checks make sure the
committed file is worth comparing against: executed top to bottom in one fresh
kernel, free of errors, presentable as slides, compact, and free of machine details.
"""

import json
import re
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
OUTPUT_BUDGET_BYTES = 2_000_000  # per notebook, all outputs together (figures are 2x PNGs for HiDPI screens)
NAME_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
class TestNotebook:
    def test_name_is_numbered_in_lecture_order(self, path):
        assert NAME_PATTERN.match(path.name)

    def test_executed_top_to_bottom_in_one_kernel(self, path):
        counts = [c["execution_count"] for c in code_cells(load(path))]
        assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}"

    def test_no_error_outputs(self, path):
        for i, cell in enumerate(load(path)["cells"]):
            for out in cell.get("outputs", []):
                assert out["output_type"] != "error", f"cell {i}: {out.get('ename')}"
                if out["output_type"] == "stream":
                    assert out["name"] != "stderr", f"cell {i} writes to stderr: {''.join(out['text'])[:200]}"

    def test_every_cell_has_a_valid_slide_type(self, path):
        for i, cell in enumerate(load(path)["cells"]):
            slide_type = cell["metadata"].get("slideshow", {}).get("slide_type")
            assert slide_type in SLIDE_TYPES, f"cell {i} has slide_type {slide_type!r}"

    def test_starts_with_a_title_slide(self, path):
        first = load(path)["cells"][0]
        assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")
        assert first["metadata"]["slideshow"]["slide_type"] == "slide"

    def test_outputs_are_compact(self, path):
        size = sum(len(json.dumps(c.get("outputs", []))) for c in load(path)["cells"])
        assert size < OUTPUT_BUDGET_BYTES, f"outputs weigh {size} bytes"

    def test_outputs_name_no_machine(self, path):
        text = json.dumps([c.get("outputs", []) for c in load(path)["cells"]])
        text = re.sub(r'"image/png": "[^"]*"', "", text)
        for needle in ("/work/", "/home/", "/tmp/", "/Users/", "C:\\\\", str(ROOT), socket.gethostname()):
            assert needle not in text, f"outputs mention {needle!r}"

    def test_uses_the_python3_kernel(self, path):
        assert load(path)["metadata"]["kernelspec"]["name"] == "python3"

    def test_every_figure_has_an_alt_text(self, path):
        """Each picture a cell shows (plots and widgets) is described in metadata.lecture_utils.alt:
        what it shows and what to notice, one string per picture in output order."""
        for i, cell in enumerate(load(path)["cells"]):
            pictures = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})
                        or "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
            if not pictures:
                continue
            alt = cell["metadata"].get("lecture_utils", {}).get("alt")
            alts = [alt] if isinstance(alt, str) else list(alt or [])
            assert len(alts) == len(pictures), (
                f"cell {i} shows {len(pictures)} picture(s) but metadata.lecture_utils.alt describes {len(alts)}")
            for text in alts:
                assert isinstance(text, str) and len(text.split()) >= 8, (
                    f"cell {i}: alt text {text!r} is too short to say what the figure shows and what to notice")
