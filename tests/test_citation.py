"""CITATION.cff: valid Citation File Format 1.2.0, in step with pyproject.toml."""

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CFF = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REFERENCE_TYPES = {"article", "conference-paper", "book", "software", "report", "thesis"}


def test_required_fields_of_cff_1_2():
    assert CFF["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "type", "version", "date-released", "license"):
        assert key in CFF, f"CITATION.cff lacks {key}"
    assert CFF["type"] == "software" and isinstance(CFF["message"], str) and CFF["message"].strip()
    assert all(isinstance(a, dict) and ("name" in a or "family-names" in a) for a in CFF["authors"])
    datetime.date.fromisoformat(str(CFF["date-released"]))


def test_version_and_licence_match_pyproject():
    assert str(CFF["version"]) == PROJECT["version"]
    assert CFF["license"] == PROJECT["license"]


def test_references_are_complete_citations_of_the_papers_the_notebooks_follow():
    titles = {ref["title"] for ref in CFF["references"]}
    for needle in ("Laplacian pyramid", "steerable filters", "Phase-based video motion", "Eulerian video",
                   "document recognition"):
        assert any(needle.lower() in t.lower() for t in titles), needle
    for ref in CFF["references"]:
        assert ref["type"] in REFERENCE_TYPES and re.fullmatch(r"(19|20)\d\d", str(ref["year"]))
        assert ref["authors"] and all("family-names" in a and "given-names" in a for a in ref["authors"])
        assert "journal" in ref or "collection-title" in ref


def test_cffconvert_validates_it_against_the_official_schema():
    executable = shutil.which("cffconvert") or next(
        (str(p) for p in [ROOT / ".venv-tools" / "bin" / "cffconvert"] if p.is_file()), None)
    if executable is None:
        if os.environ.get("REQUIRE_TOOLS") == "1":
            pytest.fail("REQUIRE_TOOLS=1 but cffconvert is not installed (make install-tools)")
        pytest.skip("cffconvert not installed (make install-tools adds it)")
    result = subprocess.run([executable, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
