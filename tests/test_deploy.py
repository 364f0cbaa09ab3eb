"""Publishing the student edition on a git branch and the nbgitpuller links read from it, against a
repository served over git's smart HTTP protocol on 127.0.0.1 (tools/hub/git_http.py). The same
commands on a real JupyterHub: tests/test_hub.py."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest

from lecture_utils.course.cli import main
from lecture_utils.course.deploy import (DeployError, nbgitpuller_link, nbgitpuller_links, publish_student_edition,
                                         published_notebooks)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "hub"))
import git_http  # noqa: E402


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """An empty bare repository that accepts pushes, served at http://127.0.0.1:PORT/course.git."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Instructor")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "instructor@example.edu")
    bare = tmp_path / "srv" / "course.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare, check=True)
    server = git_http.serve(tmp_path / "srv")
    yield f"http://127.0.0.1:{server.server_address[1]}/course.git"
    server.shutdown()


def edition(folder: Path, name: str, text: str, student: bool = True) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    if student:
        nb.metadata["lecture_utils"] = {"edition": "student"}
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def branch_log(repo: str, tmp_path: Path) -> list:
    clone = tmp_path / "check"
    subprocess.run(["git", "clone", "--quiet", "--branch", "student-edition", repo, str(clone)], check=True)
    log = subprocess.run(["git", "log", "--format=%s"], cwd=clone, capture_output=True, text=True, check=True).stdout
    subprocess.run(["rm", "-rf", str(clone)], check=True)
    return log.splitlines()


def test_nbgitpuller_link_names_the_clone_folder_the_notebook_opens_in():
    link = nbgitpuller_link("https://hub.example.edu", "https://git.example.edu/course/companion.git",
                            "student-edition", "01_linear_network_backprop.ipynb")
    parsed = urlparse(link)
    assert parsed.scheme == "https" and parsed.netloc == "hub.example.edu"
    assert parsed.path == "/hub/user-redirect/git-pull"
    # nbgitpuller's own default folder would be "companion.git"; the link names it, and opens the notebook there.
    assert parse_qs(parsed.query) == {"repo": ["https://git.example.edu/course/companion.git"],
                                      "branch": ["student-edition"], "targetpath": ["companion"],
                                      "urlpath": ["lab/tree/companion/01_linear_network_backprop.ipynb"]}


@pytest.mark.parametrize("hub, repo, branch, notebook, match", [
    ("hub.example.edu", "https://git.example.edu/x.git", "student-edition", "01_a.ipynb", "hub must be an http"),
    ("https://hub.example.edu", "git@github.com:x/y.git", "student-edition", "01_a.ipynb", "repo must be an http"),
    ("https://hub.example.edu", "https://git.example.edu/", "student-edition", "01_a.ipynb", "repo must end in a repository name"),
    ("https://hub.example.edu", "https://git.example.edu/x.git", "two..dots", "01_a.ipynb", "branch must be a git branch name"),
    ("https://hub.example.edu", "https://git.example.edu/x.git", "-f", "01_a.ipynb", "branch must be a git branch name"),
    ("https://hub.example.edu", "https://git.example.edu/x.git", "student-edition", "notebooks/01_a.ipynb",
     "notebook must be a file name such as '01_topic.ipynb', got 'notebooks/01_a.ipynb'"),
    ("https://hub.example.edu", "https://git.example.edu/x.git", "student-edition", "01_a.py", "notebook must be a file name"),
])
def test_bad_link_arguments_are_refused_by_name(hub, repo, branch, notebook, match):
    with pytest.raises(ValueError, match=match):
        nbgitpuller_link(hub, repo, branch, notebook)


@pytest.mark.parametrize("branch", ["student-edition", "a/b", "term-2027.spring", "feature/x-y", "v1.0", "two..dots",
                                    "-f", "/x", "x/", "x.lock", "a b", "a:b", "a~1", "a^", "a?", "a*", "a[b", "a\\b",
                                    "x@{y", "a//b", "a/.b", "x.", "tab\there"])
def test_branch_names_follow_gits_rules(branch):
    """The link's branch check agrees with git's own (git check-ref-format --branch), without running git."""
    git_says = subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True).returncode == 0
    try:
        nbgitpuller_link("https://hub.example.edu", "https://git.example.edu/x.git", branch, "01_a.ipynb")
        ours = True
    except ValueError as exc:
        assert "branch must be a git branch name" in str(exc)
        ours = False
    assert ours == (git_says and not branch.startswith("-")), (branch, git_says)


def test_link_arguments_must_be_text():
    with pytest.raises(TypeError, match="hub must be a str"):
        nbgitpuller_link(None, "https://git.example.edu/x.git", "student-edition", "01_a.ipynb")
    with pytest.raises(TypeError, match="notebooks must be"):
        nbgitpuller_links("https://hub.example.edu", "https://git.example.edu/x.git", "student-edition", "01_a.ipynb")


def test_publish_then_links_from_the_branch_as_published(repo, tmp_path):
    student = tmp_path / "student"
    first = [edition(student, "01_a.ipynb", "one"), edition(student, "02_b.ipynb", "two")]
    assert publish_student_edition(first, repo)
    assert published_notebooks(repo) == ["01_a.ipynb", "02_b.ipynb"]
    links = nbgitpuller_links("https://hub.example.edu", repo)
    assert [name for name, _ in links] == ["01_a.ipynb", "02_b.ipynb"]
    assert parse_qs(urlparse(links[1][1]).query)["urlpath"] == ["lab/tree/course/02_b.ipynb"]
    assert [n for n, _ in nbgitpuller_links("https://hub.example.edu", repo, notebooks=["02_b.ipynb"])] == ["02_b.ipynb"]

    # Unchanged: nothing to publish. A correction: one more commit on the same history (nbgitpuller merges
    # it); a notebook left out of a publication stays on the branch; a new notebook joins it.
    assert publish_student_edition(first, repo) is None
    edition(student, "02_b.ipynb", "two, corrected")
    edition(student, "03_c.ipynb", "three")
    assert publish_student_edition([student / "02_b.ipynb", student / "03_c.ipynb"], repo, message="Week 3")
    assert branch_log(repo, tmp_path) == ["Week 3", "Student edition: 01_a.ipynb, 02_b.ipynb"]
    assert published_notebooks(repo) == ["01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]


def test_publish_signs_with_the_instructors_identity_or_the_tools_where_git_has_none(repo, tmp_path, monkeypatch):
    def authors():
        clone = tmp_path / "authors"
        subprocess.run(["git", "clone", "--quiet", "--branch", "student-edition", repo, str(clone)], check=True)
        log = subprocess.run(["git", "log", "--format=%an <%ae> | %cn <%ce>"], cwd=clone, capture_output=True,
                             text=True, check=True).stdout
        subprocess.run(["rm", "-rf", str(clone)], check=True)
        return log.splitlines()

    student = tmp_path / "student"
    publish_student_edition([edition(student, "01_a.ipynb", "one")], repo)  # the fixture's GIT_AUTHOR_* etc.
    # A machine whose git knows no one (CI, a fresh hub image): no global or system config, no GIT_* identity;
    # git itself refuses to commit there (checked first, so this test cannot pass on a machine where it would not).
    (tmp_path / "empty.gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "empty.gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("EMAIL", "")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{who}_NAME")
        monkeypatch.delenv(f"GIT_{who}_EMAIL")
    probe = tmp_path / "probe"
    subprocess.run(["git", "init", "--quiet", str(probe)], check=True)
    if subprocess.run(["git", "var", "GIT_AUTHOR_IDENT"], cwd=probe, capture_output=True).returncode == 0:
        pytest.skip("git finds an identity on this machine without any configuration (a hostname with a domain)")
    assert publish_student_edition([edition(student, "01_a.ipynb", "one, corrected")], repo)
    tool = "lecture_utils publish <student-edition@lecture-utils.invalid>"
    assert authors() == [f"{tool} | {tool}", "Instructor <instructor@example.edu> | Instructor <instructor@example.edu>"]


def test_links_only_for_notebooks_on_the_branch(repo, tmp_path):
    with pytest.raises(DeployError, match="branch 'student-edition' is not on .*publish the student edition first"):
        nbgitpuller_links("https://hub.example.edu", repo)
    publish_student_edition([edition(tmp_path / "student", "01_a.ipynb", "one")], repo)
    with pytest.raises(ValueError, match="notebooks must be on branch 'student-edition' .* which has 01_a.ipynb; got 02_b.ipynb"):
        nbgitpuller_links("https://hub.example.edu", repo, notebooks=["02_b.ipynb"])
    with pytest.raises(DeployError, match="git ls-remote failed"):
        published_notebooks(repo.replace("course.git", "nothing-here.git"))


def test_publish_refuses_what_would_hurt_students(repo, tmp_path):
    instructor = edition(tmp_path / "notebooks", "01_a.ipynb", "the answers", student=False)
    with pytest.raises(ValueError, match="paths must be student editions .* which would give students the answers"):
        publish_student_edition([instructor], repo)
    with pytest.raises(ValueError, match="paths must name at least one notebook"):
        publish_student_edition([], repo)
    with pytest.raises(ValueError, match="paths must be existing .ipynb files"):
        publish_student_edition([tmp_path / "missing.ipynb"], repo)
    one = edition(tmp_path / "student", "01_a.ipynb", "one")
    other = edition(tmp_path / "elsewhere", "01_a.ipynb", "one again")
    with pytest.raises(ValueError, match="paths must not name one notebook twice"):
        publish_student_edition([one, other], repo)
    with pytest.raises(ValueError, match="branch must be a git branch name"):
        publish_student_edition([one], repo, branch="no spaces")
    with pytest.raises(TypeError, match="message must be a str, got int 3"):
        publish_student_edition([one], repo, message=3)
    assert "student-edition" not in subprocess.run(["git", "ls-remote", repo], capture_output=True, text=True).stdout


def test_command_line(repo, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["nbgitpuller", "--repo", repo]) == 2
    assert "nbgitpuller needs --hub URL" in capsys.readouterr().err
    assert main(["publish", "--repo", repo]) == 2
    assert "none found in student/" in capsys.readouterr().err
    edition(tmp_path / "student", "01_a.ipynb", "one")
    assert main(["publish", "--repo", repo]) == 0
    assert "published" in capsys.readouterr().out
    assert main(["nbgitpuller", "--hub", "https://hub.example.edu", "--repo", repo]) == 0
    name, link = capsys.readouterr().out.strip().split(": ", 1)
    assert name == "01_a.ipynb" and link.startswith("https://hub.example.edu/hub/user-redirect/git-pull?")
    assert main(["nbgitpuller", "--hub", "https://hub.example.edu", "--repo", repo, "--branch", "nope"]) == 1
    assert "branch 'nope' is not on" in capsys.readouterr().err


def test_publish_carries_the_symbols_page_the_notebooks_link_to(repo, tmp_path):
    folder = tmp_path / "student"
    first = edition(folder, "01_a.ipynb", "see [Symbols and conventions](notation.md)")
    (folder / "notation.md").write_text("# Symbols and conventions\n")
    publish_student_edition([first], repo)
    clone = tmp_path / "published"
    subprocess.run(["git", "clone", "--quiet", "--branch", "student-edition", repo, str(clone)], check=True)
    assert sorted(p.name for p in clone.iterdir() if p.name != ".git") == ["01_a.ipynb", "notation.md"]
    assert (clone / "notation.md").read_text() == "# Symbols and conventions\n"
