"""Running the course for a class: nbgitpuller links that put the student edition into each
student's JupyterHub home, and the git branch those links pull from.

The student edition lives on a branch of its own (``student-edition`` by default; README,
"Running the course on a JupyterHub", shows the three git commands that publish it). An
nbgitpuller link clones or updates that branch into the student's home on the hub, merging
without ever overwriting the student's own edits, then opens a notebook in JupyterLab::

    python -m lecture_utils nbgitpuller --hub https://hub.example.edu --repo https://git.example.edu/c.git
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlparse

from .._validate import checked, instance


def _http_url(value: str, name: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{name} must be an http(s) URL such as https://hub.example.edu, got {value!r}")
    return value.rstrip("/")


@checked(hub=instance(str), repo=instance(str), branch=instance(str), notebook=instance(str))
def nbgitpuller_link(hub: str, repo: str, branch: str, notebook: str) -> str:
    """The nbgitpuller link that pulls ``branch`` of ``repo`` and opens ``notebook`` in JupyterLab.

    Parameters
    ----------
    hub : str
        The JupyterHub's address, e.g. ``https://hub.example.edu``.
    repo : str
        The git repository's https address (the clone folder is named after its last part).
    branch : str
        The branch holding the student edition.
    notebook : str
        The notebook's file name on that branch.
    """
    hub, repo = _http_url(hub, "hub"), _http_url(repo, "repo")
    folder = Path(urlparse(repo).path).name.removesuffix(".git")
    query = urlencode({"repo": repo, "branch": branch, "urlpath": f"lab/tree/{folder}/{notebook}"})
    return f"{hub}/hub/user-redirect/git-pull?{query}"


def nbgitpuller_links(hub: str, repo: str, branch: str = "student-edition", folder="notebooks") -> list:
    """(notebook, link) for every ``NN_*.ipynb`` in ``folder``, in lecture order."""
    notebooks = sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")) if Path(folder).is_dir() else []
    if not notebooks:
        root = Path(__file__).resolve().parents[2] / "notebooks"
        notebooks = sorted(root.glob("[0-9][0-9]_*.ipynb"))
    return [(p.name, nbgitpuller_link(hub, repo, branch, p.name)) for p in notebooks]
