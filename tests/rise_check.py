"""Present a notebook live with RISE (jupyterlab-rise) and measure its slides as tests/deck_check.py does.

Starts ``jupyter lab`` on 127.0.0.1 (a free port, a random token, no browser, no extension
manager: nothing leaves the machine), opens ``/rise/<notebook>`` (jupyterlab-rise's slideshow of
a notebook, the same as *Ctrl+R* in the lab) in headless Chromium at each screen size, steps
through it with Page Down as a presenter's clicker does, and measures every slide at its last
fragment with the same code as the static decks (``deck_check.SLIDE_MEASURE_JS``). RISE renders
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

READY_JS = """
(async () => {
  for (let i = 0; i < 240 && !document.querySelector('.reveal.ready section.present'); i++) {
    await new Promise(r => setTimeout(r, 250));
  }
  if (!document.querySelector('.reveal.ready section.present')) { return 'not ready'; }
  // Slides are measured where they stop, not halfway through RISE's slide transition.
  const still = document.createElement('style');
  still.textContent = '.reveal .slides section, .reveal .slides { transition: none !important; }';
  document.head.appendChild(still);
  // Wait for MathJax (JupyterLab's) to typeset the first slides and for the figures to decode.
  await new Promise(r => setTimeout(r, 2500));
  await Promise.all([...document.querySelectorAll('.reveal img')].map(i => i.decode ? i.decode().catch(() => 0) : 0));
  return 'ready';
})()
"""

CURRENT_JS = """
(() => {
  const slide = document.querySelector('.reveal .slides section.present:not(.stack)');
  return JSON.stringify(slide ? {id: slide.id, fragments: slide.querySelectorAll('.fragment.visible').length,
                                 total: slide.querySelectorAll('.fragment').length} : null);
})()
"""

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


def measure_rise(browser: Browser, url: str, width: int, height: int, name: str,
                 screenshots: Path | None = None, max_steps: int = 400) -> DeckReport:
    """Open RISE's slideshow at ``url`` and measure each slide at its last fragment."""
    events = []
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "Runtime"):
            browser.send(f"{domain}.enable", session=session, events=events)
        browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                     "mobile": False}, session=session, events=events)
        browser.send("Page.navigate", {"url": url}, session=session, events=events)
        browser._wait_for_load(events, 120)
        if _evaluate(browser, session, READY_JS, events) != "ready":
            raise RuntimeError(f"RISE did not show {name} as a slideshow")
        _evaluate(browser, session, SLIDE_MEASURE_JS, events)
        records, last = {}, None
        for step in range(max_steps):
            now = json.loads(_evaluate(browser, session, CURRENT_JS, events))
            if now is not None and (now["fragments"] >= now["total"]):
                record = json.loads(_evaluate(browser, session, MEASURE_CURRENT_JS, events))
                records[now["id"]] = record
                if screenshots is not None:
                    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session,
                                        events=events)["data"]
                    screenshots.mkdir(parents=True, exist_ok=True)
                    (screenshots / f"{Path(name).stem}-{width}x{height}_{now['id']}.png").write_bytes(base64.b64decode(shot))
            if now == last and step > 0:
                break                                  # Page Down no longer moves: the end
            last = now
            for kind in ("keyDown", "keyUp"):
                browser.send("Input.dispatchKeyEvent", dict(PAGE_DOWN, type=kind), session=session, events=events)
            browser.drain(events, 0.5)
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
    return DeckReport(f"RISE {name}", width, height, list(records.values()))


def check_rise(notebooks, sizes=SIZES, screenshots: Path | None = None, root: Path = ROOT) -> list[DeckReport]:
    """Measure RISE's slideshow of each notebook (paths under ``root``) at each size."""
    executable = find_browser()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $BROWSER")
    reports = []
    with jupyter_lab(root) as (base, token), Browser(executable) as browser:
        for notebook in notebooks:
            relative = Path(notebook).resolve().relative_to(Path(root).resolve()).as_posix()
            for width, height in sizes:
                reports.append(measure_rise(browser, f"{base}/rise/{relative}?token={token}", width, height,
                                            Path(notebook).name, screenshots))
    return reports


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks inside the repository")
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES))
    parser.add_argument("--screenshots", type=Path, help="save one PNG per slide here")
    parser.add_argument("--quiet", action="store_true", help="counts only")
    parser.add_argument("--root", type=Path, default=ROOT, help="folder jupyter lab serves (default: the repository)")
    args = parser.parse_args(argv)
    if not rise_installed():
        print("jupyterlab-rise is not installed: pip install -e '.[instructor]'", file=sys.stderr)
        return 2
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    reports = check_rise(args.notebooks, sizes, args.screenshots, root=args.root)
    for r in reports:
        print(r.summary())
        if not args.quiet and r.details():
            print("\n".join(r.details()))
    for size, c in totals(reports).items():
        print(f"RISE, all notebooks at {size}: " + ", ".join(f"{n} {k}" for k, n in c.items()))
    return 0 if all(r.ok() for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
