"""Present a notebook live with RISE (jupyterlab-rise) and measure its slides as tests/deck_check.py does.

Starts ``jupyter lab`` on 127.0.0.1 (a free port, a random token, no browser, no extension
manager: nothing leaves the machine), opens ``/rise/<notebook>`` (jupyterlab-rise's slideshow of
a notebook, the same as *Ctrl+R* in the lab) once in headless Chromium, steps through it with
Page Down as a presenter's clicker does at the first screen size, then resizes the window and
steps back with Page Up at the next, and measures every slide at its last fragment with the same
code as the static decks (``deck_check.SLIDE_MEASURE_JS``). One lab and one browser serve all
notebooks; the script measures copies (the lab saves what it opens). RISE renders
the live notebook, so what it shows comes from the notebook's own slide metadata and from
``notebooks/rise.css``, which RISE loads for every notebook in that folder.

Used by ``tests/test_rise.py`` (skipped when jupyterlab-rise is not installed: it is the
``instructor`` extra); also a script::

    python tests/rise_check.py notebooks/01_linear_network_backprop.ipynb --screenshots /tmp/rise
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_check import Browser, find_browser  # noqa: E402
from deck_check import SIZES, SLIDE_MEASURE_JS, DeckReport, totals  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PAGE_DOWN = {"key": "PageDown", "code": "PageDown", "windowsVirtualKeyCode": 34, "nativeVirtualKeyCode": 34}
PAGE_UP = {"key": "PageUp", "code": "PageUp", "windowsVirtualKeyCode": 33, "nativeVirtualKeyCode": 33}

READY_JS = """
(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  for (let i = 0; i < 1200 && !document.querySelector('.reveal.ready section.present'); i++) { await sleep(50); }
  if (!document.querySelector('.reveal.ready section.present')) { return 'not ready'; }
  // Slides are measured where they stop, not halfway through RISE's slide transition.
  const still = document.createElement('style');
  // (and the arrows, which otherwise slide into place after each step).
  still.textContent = '.reveal .slides section, .reveal .slides, .reveal .controls, .reveal .controls * ' +
                      '{ transition: none !important; animation: none !important; }';
  document.head.appendChild(still);
  // RISE starts once every cell has rendered; wait until the formulas (JupyterLab's MathJax) and
  // the figures stop changing: the same counts three times in a row, 150 ms apart.
  const state = () => JSON.stringify([document.querySelectorAll('.reveal mjx-container').length,
      [...document.querySelectorAll('.reveal img')].filter(i => i.complete && i.naturalWidth > 0).length,
      document.querySelectorAll('.reveal img').length]);
  for (let i = 0, same = 0, last = null; i < 100 && same < 3; i++) {
    const now = state();
    same = now === last ? same + 1 : 0;
    last = now;
    await sleep(150);
  }
  await Promise.all([...document.querySelectorAll('.reveal img')].map(i => i.decode ? i.decode().catch(() => 0) : 0));
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  return 'ready';
})()
"""

# Where the slideshow stands: the slide shown and how many of its fragments are visible.
CURRENT = """
(() => {
  const slide = document.querySelector('.reveal .slides section.present:not(.stack)');
  if (!slide) { return 'null'; }
  const fragments = slide.querySelectorAll('.fragment.visible').length, total = slide.querySelectorAll('.fragment').length;
  // first/last: Page Up/Page Down cannot move from here (no slide before/after, fragments all hidden/shown)
  return JSON.stringify({id: slide.id, fragments, total,
                         first: !document.querySelector('.reveal .slides section.past') && fragments === 0,
                         last: !document.querySelector('.reveal .slides section.future') && fragments === total});
})()"""

CURRENT_JS = CURRENT

# After a key press: waits until the slideshow moves (Page Down on the last slide does not: then
# it returns where it stood after 1.5 s).
MOVED_JS = """
(async (before) => {
  for (let i = 0; i < 60; i++) {
    const now = %s;
    if (now !== before) { return now; }
    await new Promise(r => setTimeout(r, 25));
  }
  return before;
})(%%s)
""" % CURRENT.strip()

MEASURE_CURRENT_JS = """
(async () => {
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const slide = document.querySelector('.reveal .slides section.present:not(.stack)');
  for (let i = 0, last = null; i < 40; i++) {          // until the slide stands still
    await frame();
    const now = JSON.stringify(slide.getBoundingClientRect());
    if (now === last) { break; }
    last = now;
  }
  const [h, v] = (slide.id.match(/slide-(\\d+)-(\\d+)/) || [0, 0, 0]).slice(1).map(Number);
  return JSON.stringify(window.__measureSlide(slide, window.__visibleArea(document.querySelector('.reveal')), {h, v}));
})()
"""


def rise_installed() -> bool:
    """Whether jupyterlab-rise is installed in this Python (the instructor extra)."""
    try:
        import jupyterlab_rise  # noqa: F401
    except ImportError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(root: Path, timeout: float = 120.0):
    """A ``jupyter lab`` serving ``root`` on 127.0.0.1; yields ``(base_url, token)``, stops it after."""
    token, port = secrets.token_hex(16), _free_port()
    home = Path(tempfile.mkdtemp(prefix="rise-lab-"))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"))
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.root_dir={root}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", "--LabApp.news_url=None",
               "--LabApp.extension_manager=readonly",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")          # CI containers run as root
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError("jupyter lab did not start; its log ends:\n" +
                                   log.read().decode(errors="replace")[-3000:])
            time.sleep(0.5)
        yield base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def _evaluate(browser, session, expression, events, timeout=120):
    result = browser.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                          "returnByValue": True}, session=session, events=events, timeout=timeout)
    if "exceptionDetails" in result:
        raise RuntimeError(f"script failed: {result['exceptionDetails']}")
    return result["result"].get("value")


def _press(browser, session, events, key):
    for kind in ("keyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", dict(key, type=kind), session=session, events=events)


def _open_rise(browser: Browser, url: str, width: int, height: int) -> tuple[str, str, list]:
    """A new tab at ``width`` x ``height`` CSS px navigating to ``url``; returns (target, session, events)."""
    events = []
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    browser.send("Runtime.enable", session=session, events=events)
    _resize(browser, session, events, width, height)
    browser.send("Page.navigate", {"url": url}, session=session, events=events)
    return target, session, events


def open_slideshow(browser: Browser, url: str, width: int, height: int, name: str) -> tuple[str, str, list]:
    """A new tab at ``width`` x ``height`` showing RISE's slideshow at ``url``, once its cells, formulas and
    figures have settled; returns (target, session, events). Raises RuntimeError naming ``name`` if the
    page does not load or RISE does not start within 150 s."""
    target, session, events = _open_rise(browser, url, width, height)
    deadline = time.monotonic() + 150
    while _evaluate(browser, session, "location.protocol + document.readyState", events) != "http:complete":
        if time.monotonic() > deadline:
            raise RuntimeError(f"RISE's page for {name} did not load")
        time.sleep(0.1)                         # the navigation has not replaced about:blank yet
    if _evaluate(browser, session, READY_JS, events, timeout=150) != "ready":
        raise RuntimeError(f"RISE did not show {name} as a slideshow")
    return target, session, events


def _resize(browser, session, events, width, height):
    browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                 "mobile": False}, session=session, events=events)


def measure_rise(browser: Browser, url: str, sizes, name: str,
                 screenshots: Path | None = None, max_steps: int = 600) -> list[DeckReport]:
    """Open RISE's slideshow at ``url`` once and measure every slide at each size.

    At the first size it presses Page Down from the first slide to the last, as a presenter's
    clicker does; at the next size (the window resized: reveal.js lays the slides out again) Page
    Up back to the first, and so on. Each slide is measured when all its fragments are shown
    (going back, reveal.js arrives at a slide with its fragments shown)."""
    target, session, events = open_slideshow(browser, url, *sizes[0], name)
    reports = []
    try:
        _evaluate(browser, session, SLIDE_MEASURE_JS, events)
        now = _evaluate(browser, session, CURRENT_JS, events)
        if json.loads(now)["id"] != "slide-0-0":
            raise RuntimeError(f"{name}: the slideshow does not open at its first slide ({now})")
        for number, (width, height) in enumerate(sizes):
            if number:
                _resize(browser, session, events, width, height)
            key = PAGE_UP if number % 2 else PAGE_DOWN
            records = {}
            for _ in range(max_steps):
                state = json.loads(now)
                if state is not None and state["fragments"] >= state["total"] and state["id"] not in records:
                    records[state["id"]] = json.loads(_evaluate(browser, session, MEASURE_CURRENT_JS, events))
                    if screenshots is not None:
                        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session,
                                            events=events)["data"]
                        screenshots.mkdir(parents=True, exist_ok=True)
                        (screenshots / f"{Path(name).stem}-{width}x{height}_{state['id']}.png").write_bytes(
                            base64.b64decode(shot))
                if state is not None and state["last" if key is PAGE_DOWN else "first"]:
                    break                                  # the end: no need to wait for a move that cannot come
                _press(browser, session, events, key)
                moved = _evaluate(browser, session, MOVED_JS % json.dumps(now), events)
                if moved == now:
                    break                                  # the key no longer moves: the end
                now = moved
            else:
                raise RuntimeError(f"{name}: still moving after {max_steps} presses of {key['key']}")
            ordered = sorted(records.values(), key=lambda r: (r["h"], r["v"]))
            reports.append(DeckReport(f"RISE {name}", width, height, ordered))
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
    return reports


def check_rise(notebooks, sizes=SIZES, screenshots: Path | None = None, root: Path = ROOT) -> list[DeckReport]:
    """Measure RISE's slideshow of each notebook (paths under ``root``) at each size, in one
    ``jupyter lab`` and one browser."""
    executable = find_browser()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $BROWSER")
    reports = []
    with jupyter_lab(root) as (base, token), Browser(executable) as browser:
        for notebook in notebooks:
            relative = Path(notebook).resolve().relative_to(Path(root).resolve()).as_posix()
            reports += measure_rise(browser, f"{base}/rise/{relative}?token={token}", sizes, Path(notebook).name,
                                    screenshots)
    return reports


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks (measured as copies)")
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES))
    parser.add_argument("--screenshots", type=Path, help="save one PNG per slide here")
    parser.add_argument("--quiet", action="store_true", help="counts only")
    args = parser.parse_args(argv)
    if not rise_installed():
        print("jupyterlab-rise is not installed: pip install -e '.[instructor]'", file=sys.stderr)
        return 2
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="rise-") as served:
        # Copies, with the rise.css beside each: the lab saves a notebook it opened (a kernel's
        # display name, widget state) and must not rewrite the course's.
        copies = []
        for notebook in args.notebooks:
            folder = Path(served) / str(len(copies))
            folder.mkdir()
            shutil.copy(notebook, folder / notebook.name)
            if (notebook.parent / "rise.css").exists():
                shutil.copy(notebook.parent / "rise.css", folder / "rise.css")
            copies.append(folder / notebook.name)
        reports = check_rise(copies, sizes, args.screenshots, root=Path(served))
    for r in reports:
        print(r.summary())
        if not args.quiet and r.details():
            print("\n".join(r.details()))
    for size, c in totals(reports).items():
        print(f"RISE, all notebooks at {size}: " + ", ".join(f"{n} {k}" for k, n in c.items()))
    return 0 if all(r.ok() for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
