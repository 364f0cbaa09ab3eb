"""Binder / JupyterHub images: repo2docker (run with --no-build, no Docker needed) builds the course
environment from the root environment.yml, which installs this package; and nbgitpuller links."""

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from lecture_utils.course.deploy import nbgitpuller_link, nbgitpuller_links

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


def test_nbgitpuller_link_opens_the_student_notebook_in_jupyterlab():
    link = nbgitpuller_link("https://hub.example.edu", "https://git.example.edu/course/companion.git",
                            "student-edition", "01_linear_network_backprop.ipynb")
    parsed = urlparse(link)
    assert parsed.scheme == "https" and parsed.netloc == "hub.example.edu"
    assert parsed.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parsed.query)
    assert query == {"repo": ["https://git.example.edu/course/companion.git"], "branch": ["student-edition"],
                     "urlpath": ["lab/tree/companion/01_linear_network_backprop.ipynb"]}


def test_nbgitpuller_links_for_every_notebook():
    links = nbgitpuller_links("https://hub.example.edu/", "https://git.example.edu/course/companion")
    assert [Path(parse_qs(urlparse(link).query)["urlpath"][0]).name for _, link in links] == \
        [p.name for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


@pytest.mark.parametrize("hub, repo, match", [
    ("hub.example.edu", "https://git.example.edu/x.git", "hub must be an http"),
    ("https://hub.example.edu", "git@github.com:x/y.git", "repo must be an http"),
])
def test_bad_urls_are_refused(hub, repo, match):
    with pytest.raises(ValueError, match=match):
        nbgitpuller_link(hub, repo, "student-edition", "01.ipynb")
