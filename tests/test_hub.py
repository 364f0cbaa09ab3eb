"""The class path on a real JupyterHub, end to end, offline, on 127.0.0.1 only.

An instructor tags the course and installs it into the hub's single-user image, publishes the
student edition on a branch of the course repository (served over git's smart HTTP protocol, as a
git host serves it), and makes the nbgitpuller links, with the commands of README's "Running the
course: JupyterHub" (read from README.md here, so the README shows what this test runs). Then two
students log in to a JupyterHub in headless Chromium, follow a link, land in JupyterLab on the
notebook with the course's kernel, run it top to bottom (the checkers say "not implemented yet",
nothing else fails), write an answer, run its checker and save. The instructor publishes a
correction; each student follows the link again and finds it, with their answer kept.

Needs ``make install-hub`` (``.venv-hub``: JupyterHub, nbgitpuller and the course's dependencies,
which is also the single-user image; configurable-http-proxy and playwright-core from npm in
``tools/hub``), Debian's ``chromium``, ``node`` and ``git``. Skipped, saying what is missing, without
them; ``REQUIRE_HUB=1`` (CI) makes that a failure. Prints each step's time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
HUB_VENV = ROOT / ".venv-hub"
HUB_TOOLS = ROOT / "tools" / "hub"
sys.path.insert(0, str(HUB_TOOLS))
import git_http  # noqa: E402  (tools/hub/git_http.py)

pytestmark = pytest.mark.course_build

NOTEBOOK = "01_linear_network_backprop.ipynb"
ANSWER_MARKER = "def my_loss_gradient"
# Alice's answer is the lecture's (2/N)(y_hat - y), which must pass; Bob forgets the 2, which must fail
# with the checker's hint. The hint's wording is the checker's (tests/test_checks_linear.py pins it to
# the mistake): this test asks that the student in the browser sees what the checker says here.
ANSWERS = {
    "alice": ('def my_loss_gradient(y_hat, y):\n    """Alice: the 2 from the square, the 1/N from the mean."""\n'
              "    return 2 * (y_hat - y) / y_hat.shape[0]\n", True),
    "bob": ('def my_loss_gradient(y_hat, y):\n    """Bob\'s attempt."""\n'
            "    return (y_hat - y) / y_hat.shape[0]\n", False),
}
# The instructor's correction during term: a sentence in exercise 1's statement and a comment in a code cell.
CORRECTIONS = {
    "ex1-md": ("for any $N$ and $K$", "for any $N$ and $K$ (corrected: $K$ counts the outputs, 3 here)"),
    "cell-08b": ("loss = mse_loss(y_hat, y)[0]", "# corrected: L averages over the N = 5 examples\nloss = mse_loss(y_hat, y)[0]"),
}
SETTINGS = ("REPO", "HUB", "TERM_TAG")


# ----------------------------------------------------------------------------- what must be installed

def missing_tools() -> list:
    missing = []
    for path, what in [(HUB_VENV / "bin" / "jupyterhub", "JupyterHub in .venv-hub"),
                       (HUB_VENV / "bin" / "jupyterhub-singleuser", "jupyterhub-singleuser in .venv-hub"),
                       (HUB_TOOLS / "node_modules" / ".bin" / "configurable-http-proxy", "configurable-http-proxy (npm)"),
                       (HUB_TOOLS / "node_modules" / "playwright-core" / "package.json", "playwright-core (npm)")]:
        if not path.exists():
            missing.append(f"{what} ({os.path.relpath(path, ROOT)})")
    if not list((HUB_VENV / "wheelhouse").glob("setuptools-*.whl")):
        missing.append("the setuptools wheel for offline builds (.venv-hub/wheelhouse)")
    if HUB_VENV.exists() and subprocess.run([HUB_VENV / "bin" / "python", "-c", "import nbgitpuller"],
                                            capture_output=True).returncode != 0:
        missing.append("nbgitpuller in .venv-hub")
    for command in ("node", "git"):
        if shutil.which(command) is None:
            missing.append(f"the {command} command")
    if browser() is None:
        missing.append("Chromium (apt-get install chromium)")
    return missing


def browser():
    return os.environ.get("BROWSER") if os.environ.get("BROWSER") else shutil.which("chromium")


@pytest.fixture(scope="module")
def hub_tools():
    missing = missing_tools()
    if missing:
        reason = "the hub test needs " + ", ".join(missing) + " (make install-hub; apt-get install chromium nodejs)"
        if os.environ.get("REQUIRE_HUB") == "1":
            pytest.fail("REQUIRE_HUB=1 but " + reason)
        pytest.skip(reason + "; REQUIRE_HUB=1 makes this a failure")


# ----------------------------------------------------------------------------- README's commands

def readme_blocks() -> dict:
    """README's instructor commands: each ```bash block after a ``<!-- hub-test: NAME -->`` line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = {}
    for match in re.finditer(r"<!-- hub-test: (\w+) -->\s*\n\s*```bash\n(.*?)\n\s*```", text, re.S):
        lines = [line.strip() for line in match.group(2).splitlines()]
        blocks[match.group(1)] = "\n".join(line for line in lines if line)
    return blocks


def test_readme_shows_the_instructor_commands_this_test_runs():
    blocks = readme_blocks()
    assert set(blocks) == {"settings", "tag", "image", "publish", "update"}, sorted(blocks)
    names = [line.split("=", 1)[0] for line in blocks["settings"].splitlines()]
    assert names == list(SETTINGS), blocks["settings"]
    assert "origin" not in "\n".join(blocks.values()), "the instructor names the repository: no git remote assumed"
    assert 'pip install "lecture_utils @ git+$REPO@$TERM_TAG"' in blocks["image"]
    assert "python -m lecture_utils nbgitpuller" in blocks["publish"]


class Shell:
    """Runs README's blocks with the settings exported, timing each step."""

    def __init__(self, settings: dict, capsys):
        self.settings, self.capsys, self.started = settings, capsys, time.monotonic()
        self.last = "none"

    def say(self, message: str):
        self.last = message
        with self.capsys.disabled():
            print(f"\n[hub test {time.monotonic() - self.started:6.1f} s] {message}", flush=True)

    def run(self, name: str, cwd: Path, path_first: Path, extra_env=None) -> str:
        script = readme_blocks()[name]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
        env.update(self.settings, PATH=f"{path_first}:{env['PATH']}", **(extra_env or {}))
        begun = time.monotonic()
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"README block {name!r} failed:\n{script}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        self.say(f"README '{name}' ({time.monotonic() - begun:.1f} s): " + " | ".join(script.splitlines()))
        return result.stdout


def run(command: list, **kwargs) -> str:
    """Run ``command``; its output, or an AssertionError that carries what it printed on stderr."""
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (f"{' '.join(map(str, command))[:200]} failed (exit {result.returncode}): "
                                    f"{' '.join(result.stderr.split())[-800:]}")
    return result.stdout


def git(*args, cwd=None) -> str:
    return run(["git", *args], cwd=cwd)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- the course repository

def working_tree_files() -> list:
    """The files of this working tree that git would commit (tracked, or untracked and not ignored)."""
    return list(filter(None, git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")))


def working_tree_snapshot(dest: Path, files: list):
    """The course as it is in this working tree (committed or not), as one commit on ``main``."""
    for name in files:
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git("init", "--quiet", "--initial-branch=main", cwd=dest)
    git("add", "--all", cwd=dest)
    git("commit", "--quiet", "-m", "The course, as in the working tree under test", cwd=dest)


def correct_notebook(path: Path):
    """The instructor's correction: CORRECTIONS applied to the cells with those ids."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.get("id") in CORRECTIONS:
            old, new = CORRECTIONS[cell.id]
            assert old in cell.source, (cell.id, cell.source)
            cell.source = cell.source.replace(old, new, 1)
    nbformat.write(nb, path)


# ----------------------------------------------------------------------------- the hub

class Hub:
    def __init__(self, state: Path):
        self.state, self.homes = state, state / "homes"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
        env.update(HUB_STATE=str(state), HUB_HOMES=str(self.homes), HUB_PORT=str(self.port),
                   HUB_INTERNAL_PORT=str(free_port()), HUB_PROXY_API_PORT=str(free_port()),
                   PATH=f"{HUB_VENV / 'bin'}:{os.environ['PATH']}")
        state.mkdir(parents=True, exist_ok=True)
        self.log = open(state / "jupyterhub.log", "w")
        self.process = subprocess.Popen([HUB_VENV / "bin" / "jupyterhub", "-f", HUB_TOOLS / "jupyterhub_config.py"],
                                        cwd=state, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/hub/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"JupyterHub did not start:\n{self.log_tail()}")
            time.sleep(0.5)

    def log_tail(self) -> str:
        return (self.state / "jupyterhub.log").read_text(errors="replace")[-4000:]

    def stop(self):
        """SIGTERM to the hub (it stops the students' servers and the proxy), then whatever is left here."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for pid in processes_under(self.state):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


def processes_under(folder: Path) -> list:
    """Processes whose working folder is inside ``folder`` (students' servers and kernels)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def kernel_pythons(home: Path) -> set:
    """The interpreters of the ipykernel processes running in ``home``."""
    pythons = set()
    for pid in processes_under(home):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if any(b"ipykernel" in a for a in argv):
            pythons.add(argv[0].decode())
    return pythons


def visit(hub: Hub, user: str, link: str, shots: Path, **spec) -> dict:
    spec = dict(hub=hub.url, user=user, link=link, notebook=NOTEBOOK, browser=browser(),
                screenshot=str(shots / f"{user}-{len(list(shots.glob(user + '*')))}.png"), **spec)
    result = subprocess.run(["node", HUB_TOOLS / "student.mjs", json.dumps(spec)], capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0 and result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"], f"{user}: {report}\nscreenshot: {spec['screenshot']}\nhub log:\n{hub.log_tail()}"
    return report


def saved_notebook(hub: Hub, user: str, folder: str):
    return nbformat.read(hub.homes / user / folder / NOTEBOOK, as_version=4)


def error_outputs(nb) -> list:
    """(cell id, tags, error text) for every error output in a saved notebook."""
    return [(cell.id, cell.metadata.get("tags", []), f"{out.get('ename')}: {out.get('evalue')}")
            for cell in nb.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "error"]


def source_of(nb, cell_id: str) -> str:
    return next(c.source for c in nb.cells if c.get("id") == cell_id)


def checker_verdict(answer: str, check_cell: str, passes: bool) -> str:
    """What the checker cell's code says of ``answer``, run in this process with the package under test:
    its first printed line (a pass) or its CheckFailure's first line. ``passes`` is what the maths says
    of the answer; the student in the browser must then see this same line."""
    from lecture_utils.checks._core import CheckFailure

    namespace, printed = {}, io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(answer, "<answer>", "exec"), namespace)
            exec(compile(check_cell, "<check cell>", "exec"), namespace)
    except CheckFailure as failure:
        said, passed = str(failure).strip().splitlines()[0], False
    else:
        said, passed = (printed.getvalue().strip().splitlines() or [""])[0], True
    assert passed == passes and said, f"the checker {'failed' if passes else 'passed'} this answer: {said!r}\n{answer}"
    return said


def short_failure(error: BaseException, shell, hub, tmp_path: Path) -> str:
    """One failure message whose first line says what went wrong (CI logs cut long tracebacks): the error,
    where in this file and after which step, then the full message, the hub's log and where its files are."""
    here = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == __file__]
    where = f"test_hub.py:{here[-1].lineno} `{(here[-1].line or '').strip()[:100]}`" if here else "?"
    first, *rest = (str(error).strip() or "(no message)").splitlines()
    lines = [f"{first[:300]}",
             f"({type(error).__name__} at {where}; last step done: "
             f"{shell.last[:200] if shell else 'none (setting up the course repository)'})"]
    if len(first) > 300 or rest:
        lines.append("\n".join([first[300:], *rest]).strip()[:6000])
    if hub is not None and "hub log" not in str(error):
        lines.append("hub log (last lines):\n" + hub.log_tail())
    lines.append(f"hub state, homes and screenshots kept in {tmp_path}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the test

def test_a_class_on_a_jupyterhub(hub_tools, tmp_path, capsys, monkeypatch):
    (tmp_path / "srv").mkdir()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    course = tmp_path / "srv" / "companion.git"
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    files = working_tree_files()
    # git as on a clean machine, whatever this one's configuration: no global or system settings (a CI
    # machine has no user.name), and the instructor's identity given for the tag and commits below.
    (tmp_path / "gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in {"GIT_AUTHOR_NAME": "Instructor", "GIT_AUTHOR_EMAIL": "instructor@example.edu",
                       "GIT_COMMITTER_NAME": "Instructor", "GIT_COMMITTER_EMAIL": "instructor@example.edu"}.items():
        monkeypatch.setenv(key, value)
    hub = shell = None
    server = git_http.serve(tmp_path / "srv")
    try:
        working_tree_snapshot(snapshot, files)
        git("clone", "--quiet", "--bare", str(snapshot), str(course))
        git("config", "http.receivepack", "true", cwd=course)  # the git host lets the instructor push
        repo = f"http://127.0.0.1:{server.server_address[1]}/companion.git"
        instructor = tmp_path / "instructor"
        git("clone", "--quiet", repo, str(instructor))
        shell = Shell({"REPO": repo, "HUB": "", "TERM_TAG": "term-test"}, capsys)
        shell.say(f"course repository served at {repo}; instructor's clone in {instructor}")

        # The hub and its single-user image. .venv-hub has the course's dependencies (installed online by
        # make install-hub); README's one command installs the course itself from the tag, offline here.
        hub = Hub(tmp_path / "hub")
        shell.settings["HUB"] = hub.url
        shell.say(f"JupyterHub up at {hub.url} (dummy login, SimpleLocalProcessSpawner, homes in {hub.homes})")
        shell.run("tag", instructor, Path(sys.executable).parent)
        run([HUB_VENV / "bin" / "python", "-m", "pip", "uninstall", "--quiet", "--yes", "lecture_utils"])
        shell.run("image", tmp_path, HUB_VENV / "bin",
                  {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(HUB_VENV / "wheelhouse")})
        installed = run([HUB_VENV / "bin" / "python", "-c", "import json, importlib.metadata as m; "
                         "print(json.dumps([m.distribution('lecture_utils').read_text('direct_url.json'), "
                         "__import__('lecture_utils').__file__]))"], cwd=tmp_path)
        direct_url, module_file = json.loads(installed)
        direct_url = json.loads(direct_url)
        assert direct_url["url"] == repo and direct_url["vcs_info"]["requested_revision"] == "term-test"
        assert direct_url["vcs_info"]["commit_id"] == git("rev-parse", "term-test^{commit}", cwd=instructor).strip()
        assert Path(module_file).is_relative_to(HUB_VENV), module_file

        # Publish the student edition and make the links, as README says.
        out = shell.run("publish", instructor, Path(sys.executable).parent)
        links = dict(re.findall(r"^([0-9][0-9]_\S+\.ipynb): (http\S+)$", out, re.M))
        published = sorted(p.name for p in (instructor / "student").glob("[0-9][0-9]_*.ipynb"))
        assert sorted(links) == published and NOTEBOOK in links, out
        query = parse_qs(urlparse(links[NOTEBOOK]).query)
        folder = query["targetpath"][0]
        assert query["repo"] == [repo] and query["branch"] == ["student-edition"]
        assert query["urlpath"] == [f"lab/tree/{folder}/{NOTEBOOK}"]

        edition = nbformat.read(instructor / "student" / NOTEBOOK, as_version=4)
        code_cells = sum(c.cell_type == "code" for c in edition.cells)

        # Two students: log in, follow the link, run the notebook top to bottom, answer exercise 1, save.
        for user, (answer, passes) in ANSWERS.items():
            checker_says = checker_verdict(answer, source_of(edition, "cell-27"), passes)
            report = visit(hub, user, links[NOTEBOOK], shots, runAll=True, codeCells=code_cells,
                           answer={"marker": ANSWER_MARKER, "code": answer})
            shell.say(f"{user}: " + ", ".join(f"{k} {v:.1f} s" for k, v in report["times"].items()) +
                      f"; kernel {report['kernel']!r}; prompts {report['prompts'][0]} .. {report['prompts'][-1]}; checker: "
                      f"{report['checker_output'][:90]!r}")
            assert report["url_path"] == f"/user/{user}/lab/tree/{folder}/{NOTEBOOK}" and report["tab"] == NOTEBOOK
            assert report["kernel"] == "Python 3 (ipykernel)", report
            assert checker_says in report["checker_output"], \
                f"{user}'s checker in JupyterLab said {report['checker_output'][:300]!r}, not {checker_says!r}"
            assert kernel_pythons(hub.homes / user) == {str(HUB_VENV / "bin" / "python")}
            nb = saved_notebook(hub, user, folder)
            assert ANSWER_MARKER in source_of(nb, "cell-26") and answer.strip() == source_of(nb, "cell-26").strip()
            # Every check cell stops at its unsolved exercise (or unanswered prediction) and nothing else
            # fails; after the answer, exercise 1's checker says PASS (Alice) or names the mistake (Bob).
            errors = error_outputs(nb)
            checks = [c.id for c in nb.cells if "check" in c.metadata.get("tags", [])]
            unsolved = [e for e in errors if e[0] in checks and e[0] != "cell-27"
                        and ("not implemented yet" in e[2] or "write your prediction first" in e[2])]
            answered = [e for e in errors if e[0] == "cell-27" and checker_says in e[2]]
            assert len(unsolved) == len(checks) - 1 and len(answered) == (not passes) \
                and len(errors) == len(unsolved) + len(answered), \
                f"{user}'s run of {NOTEBOOK} failed outside the unsolved checkers: {errors}"
            # Run top to bottom in one fresh kernel: the prompts were 1, 2, ..., then the answer and its checker.
            ids = [c.id for c in nb.cells if c.cell_type == "code"]
            counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
            ran_all = list(range(1, len(ids) + 1))
            rerun = {"cell-26": len(ids) + 1, "cell-27": len(ids) + 2}
            assert counts == [rerun.get(cid, n) for cid, n in zip(ids, ran_all)], counts
            assert report["prompts"] == [f"[{n}]:" for n in ran_all], report["prompts"]
            shell.say(f"{user}: saved; {len(errors)} errors, all in check cells: "
                      + "; ".join(sorted({e[2][:70] for e in errors})))

        # The instructor corrects two cells of the notebook and publishes again (README's update block).
        correct_notebook(instructor / "notebooks" / NOTEBOOK)
        git("commit", "--quiet", "-am", "Notebook 01: exercise 1's statement and a comment corrected", cwd=instructor)
        shell.run("update", instructor, Path(sys.executable).parent)

        # Each student follows the link again: the corrections merged in, their own answer kept.
        for user, (answer, _) in ANSWERS.items():
            report = visit(hub, user, links[NOTEBOOK], shots,
                           expect=["counts the outputs, 3 here", "# corrected: L averages", answer.splitlines()[1].strip()])
            nb = saved_notebook(hub, user, folder)
            kept = source_of(nb, "cell-26").strip() == answer.strip()
            corrected = [cid for cid, (_, new) in CORRECTIONS.items() if new in source_of(nb, cid)]
            shell.say(f"{user} again: " + ", ".join(f"{k} {v:.1f} s" for k, v in report["times"].items()) +
                      f"; answer kept: {kept}; corrected cells merged: {corrected}; seen in JupyterLab: {report['found']}")
            assert kept, source_of(nb, "cell-26")
            assert corrected == list(CORRECTIONS), [source_of(nb, cid) for cid in CORRECTIONS]
            assert all(report["found"].values()), report["found"]
            log = git("log", "--format=%s", cwd=hub.homes / user / folder)
            assert "Merge" in log and "Automatic commit by nbgitpuller" in log, log
    except Exception as error:  # pytest.fail's own Failed (hub did not start) is no Exception: it passes through
        failure = short_failure(error, shell, hub, tmp_path)
    else:
        failure = None
    finally:
        if hub is not None:
            hub.stop()
        server.shutdown()
    if failure:  # raised here, outside the except clause, so pytest prints no chained traceback
        pytest.fail(failure, pytrace=False)
    shell.say(f"done; screenshots in {shots}")
