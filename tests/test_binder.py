"""Binder images: repo2docker (run with --no-build, no Docker needed) builds the course environment from
the root environment.yml, which installs this package. (JupyterHub: tests/test_deploy.py, tests/test_hub.py.)"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def repo2docker():
    found = shutil.which("repo2docker") or next(
        (str(p) for p in [ROOT / ".venv-tools" / "bin" / "repo2docker"] if p.is_file()), None)
    if found is None:
        if os.environ.get("REQUIRE_TOOLS") == "1":
            pytest.fail("REQUIRE_TOOLS=1 but repo2docker is not installed (make install-tools)")
        pytest.skip("repo2docker not installed (make install-tools adds it)")
    return found


def test_repo2docker_builds_the_course_environment_with_the_package_installed(tmp_path):
    result = subprocess.run([repo2docker(), "--no-build", "--no-run", "--debug", "--user-id", "1000",
                             "--user-name", "jovyan", str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    dockerfile = result.stdout + result.stderr
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in dockerfile, dockerfile[-2000:]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip and any(str(d).startswith("python ") for d in environment["dependencies"])
    assert not (ROOT / "binder").exists(), "a binder/ folder would make repo2docker ignore environment.yml"
