"""Running the course on a JupyterHub: publish the student edition on a git branch, and make the
nbgitpuller links that put it into each student's home.

The student edition lives on a branch of its own (``student-edition`` by default) of a repository
the hub can read. :func:`publish_student_edition` adds a commit to that branch (it starts the branch
the first time), so a student who follows a link again gets the instructor's corrections merged
into their copy by nbgitpuller, which keeps the student's own edits where both changed a line.
:func:`nbgitpuller_links` reads the notebooks on the published branch, so every link points at a
notebook students will find. README, "Running the course: JupyterHub", runs them as::

    python -m lecture_utils publish student/*.ipynb --repo "$REPO"
    python -m lecture_utils nbgitpuller --hub "$HUB" --repo "$REPO"

Both talk to the repository with the ``git`` command, with the instructor's own credentials.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode, urlparse

import nbformat

from .._validate import checked, instance, optional
from .editions import notebook_paths

DEFAULT_BRANCH = "student-edition"
# The commit's author on a machine where git knows no one (a fresh CI runner or hub image has no
# user.name): git would refuse to commit, so the publication is signed by the tool, as nbgitpuller does.
FALLBACK_IDENTITY = ("user.name=lecture_utils publish", "user.email=student-edition@lecture-utils.invalid")
COMPANION = "notation.md"   # the page of symbols and conventions, linked from every notebook
NOTEBOOK_NAME = re.compile(r"^[0-9][0-9]_[^/\\]*\.ipynb$")


class DeployError(RuntimeError):
    """git could not read or write the published branch; the message says what git said."""


def _http_url(value: str, name: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{name} must be an http(s) URL such as https://hub.example.edu, got {value!r}")
    return value.rstrip("/")


# git's rules for a branch name (git help check-ref-format), without asking git.
_BAD_BRANCH = re.compile(r"^[-/]|[/.]$|\.\.|//|@\{|\.lock$|/\.|[\x00-\x20\x7f~^:?*\[\\]|^@$")


def _branch_name(value: str, name: str = "branch") -> str:
    if not value or _BAD_BRANCH.search(value):
        raise ValueError(f"{name} must be a git branch name such as {DEFAULT_BRANCH!r}, got {value!r}")
    return value


def _git(*args, cwd=None) -> str:
    """Run git without prompting for a password; its output, or a DeployError with git's own words."""
    if shutil.which("git") is None:
        raise DeployError("the git command is not installed (Debian/Ubuntu: apt install git)")
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LANG="C")
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        said = " ".join(result.stderr.split())[-400:] or f"exit status {result.returncode}"
        command = next(a for a, before in zip(args, ("", *args)) if a != "-c" and before != "-c")
        raise DeployError(f"git {command} failed: {said}")
    return result.stdout


def _identity(clone) -> list:
    """No git options when git knows who commits in ``clone`` (config or GIT_AUTHOR_*/GIT_COMMITTER_*),
    else ``-c`` options for FALLBACK_IDENTITY."""
    env = dict(os.environ, LANG="C")
    known = all(subprocess.run(["git", "var", who], cwd=clone, env=env, capture_output=True).returncode == 0
                for who in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"))
    return [] if known else [arg for setting in FALLBACK_IDENTITY for arg in ("-c", setting)]


def _published(repo: str, branch: str) -> bool:
    """Whether ``repo`` has the branch (``git ls-remote``, which reads nothing else)."""
    return bool(_git("ls-remote", "--heads", "--", repo, f"refs/heads/{branch}").strip())


@checked(hub=instance(str), repo=instance(str), branch=instance(str), notebook=instance(str))
def nbgitpuller_link(hub: str, repo: str, branch: str, notebook: str) -> str:
    """The nbgitpuller link that pulls ``branch`` of ``repo`` and opens ``notebook`` in JupyterLab.

    The clone goes to ``~/<name>`` in the student's home, ``<name>`` being the repository's last
    path part without ``.git`` (passed as ``targetpath``: nbgitpuller's own default keeps the
    ``.git``, which the link's ``urlpath`` would then miss).

    Parameters
    ----------
    hub : str
        The JupyterHub's address, e.g. ``https://hub.example.edu``.
    repo : str
        The git repository's http(s) address, readable by the hub without a password.
    branch : str
        The branch holding the student edition.
    notebook : str
        The notebook's file name on that branch, ``NN_topic.ipynb``.
    """
    hub, repo, branch = _http_url(hub, "hub"), _http_url(repo, "repo"), _branch_name(branch)
    if not NOTEBOOK_NAME.match(notebook):
        raise ValueError(f"notebook must be a file name such as '01_topic.ipynb', got {notebook!r}")
    folder = PurePosixPath(urlparse(repo).path).name.removesuffix(".git")
    if not folder:
        raise ValueError(f"repo must end in a repository name, such as https://git.example.edu/course.git, got {repo!r}")
    query = urlencode({"repo": repo, "branch": branch, "targetpath": folder,
                       "urlpath": f"lab/tree/{folder}/{notebook}"})
    return f"{hub}/hub/user-redirect/git-pull?{query}"


@checked(repo=instance(str), branch=instance(str))
def published_notebooks(repo: str, branch: str = DEFAULT_BRANCH) -> list:
    """The ``NN_*.ipynb`` file names on ``branch`` of ``repo``, in lecture order.

    Reads the branch the way nbgitpuller will (a shallow clone into a temporary folder), so a
    repository or branch the hub cannot read fails here, with git's message.
    """
    branch = _branch_name(branch)
    if not repo.strip():
        raise ValueError("repo must be a git repository's address, got ''")
    if not _published(repo, branch):
        raise DeployError(f"branch {branch!r} is not on {repo}: publish the student edition first "
                          f"(python -m lecture_utils publish student/*.ipynb --repo {repo})")
    with tempfile.TemporaryDirectory(prefix="student-edition-") as clone:
        _git("clone", "--quiet", "--depth", "1", "--no-checkout", "--branch", branch, "--", repo, clone)
        names = _git("ls-tree", "--name-only", "HEAD", cwd=clone).split("\n")
    return sorted(n for n in names if NOTEBOOK_NAME.match(n))


@checked(hub=instance(str), repo=instance(str), branch=instance(str), notebooks=optional(instance((list, tuple))))
def nbgitpuller_links(hub: str, repo: str, branch: str = DEFAULT_BRANCH, notebooks=None) -> list:
    """(notebook, link) for each notebook on the published ``branch`` of ``repo``, in lecture order.

    ``notebooks`` (file names) restricts the links to those; each must be on the branch.
    """
    hub, repo = _http_url(hub, "hub"), _http_url(repo, "repo")
    on_branch = published_notebooks(repo, branch)
    if not on_branch:
        raise DeployError(f"branch {branch!r} of {repo} holds no NN_*.ipynb notebook")
    wanted = on_branch if notebooks is None else [Path(str(n)).name for n in notebooks]
    missing = [n for n in wanted if n not in on_branch]
    if missing:
        raise ValueError(f"notebooks must be on branch {branch!r} of {repo}, which has {', '.join(on_branch)}; "
                         f"got {', '.join(missing)}")
    return [(name, nbgitpuller_link(hub, repo, branch, name)) for name in wanted]


def _student_editions(paths) -> list:
    paths = notebook_paths(paths)
    for path in paths:
        if not NOTEBOOK_NAME.match(path.name):
            raise ValueError(f"paths must be notebooks named NN_topic.ipynb, got {str(path)!r}")
        edition = nbformat.read(path, as_version=4).metadata.get("lecture_utils", {}).get("edition")
        if edition != "student":
            raise ValueError(f"paths must be student editions (python -m lecture_utils student), got {str(path)!r}, "
                             "which would give students the answers")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise ValueError(f"paths must not name one notebook twice, got {', '.join(map(str, paths))}")
    return paths


@checked(repo=instance(str), branch=instance(str), message=optional(instance(str)))
def publish_student_edition(paths, repo: str, branch: str = DEFAULT_BRANCH, message: str | None = None):
    """Commit the student editions ``paths`` onto ``branch`` of ``repo`` and push; the new commit, or None.

    The first publication starts the branch; later ones add a commit on top of it (never a new
    history), which nbgitpuller merges into each student's copy. Notebooks already on the branch
    and not in ``paths`` stay; one unchanged since the last publication adds nothing (None is
    returned when none changed). ``repo`` is any address git can push to (https, ssh, a path);
    the commit uses the instructor's git identity, or FALLBACK_IDENTITY where git has none.
    Refuses a notebook that is not a student edition, since that would publish the answers.
    """
    paths = _student_editions(paths)
    branch = _branch_name(branch)
    if not repo.strip():
        raise ValueError("repo must be a git repository's address, got ''")
    with tempfile.TemporaryDirectory(prefix="student-edition-") as clone:
        if _published(repo, branch):
            _git("clone", "--quiet", "--single-branch", "--branch", branch, "--", repo, clone)
        else:
            _git("init", "--quiet", f"--initial-branch={branch}", clone)
        # The notebooks' title cells link to the symbols page that `student` writes beside them.
        companions = sorted({p.parent / COMPANION for p in paths if (p.parent / COMPANION).is_file()})
        for path in paths + companions[:1]:
            shutil.copyfile(path, Path(clone) / path.name)
        _git("add", "--", *[p.name for p in paths + companions[:1]], cwd=clone)
        changed = _git("diff", "--cached", "--name-only", cwd=clone).split()
        if not changed:
            return None
        _git(*_identity(clone), "commit", "--quiet", "-m", message or f"Student edition: {', '.join(changed)}",
             cwd=clone)
        _git("push", "--quiet", "--", repo, f"HEAD:refs/heads/{branch}", cwd=clone)
        return _git("rev-parse", "HEAD", cwd=clone).strip()
