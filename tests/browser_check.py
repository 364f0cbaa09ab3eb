"""Open the built site and slides in headless Chromium and report what a reader would see.

Drives Debian's ``chromium`` through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: no port, no extra Python package). For each page
it records console errors, uncaught exceptions, failed loads and every request
that leaves the machine, then reads from the live DOM how many figures were
decoded, how many formulas MathJax rendered (and whether any failed), and for a
deck how many reveal.js slides it has. Optionally saves screenshots.

With ``--audit`` it also runs axe-core (the accessibility engine behind most browser
audits; npm package ``axe-core``, installed by ``make install-a11y`` into
``tools/a11y/node_modules``) on every page and on every deck (in reveal.js's print
view, where all slides are laid out at once), checks that every figure has an alt
text, and that a deck answers the keyboard (the right arrow moves to the next slide).

Used by ``tests/test_publish.py``; also a script::

    python tests/browser_check.py _build/site --screenshots /tmp/screens --audit
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags asked for by CI: no sandbox (root in a container), no GPU, and no traffic of the browser's own.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
         "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "devtools:")

# Runs in the page once it has loaded: what did it render?
PAGE_REPORT_JS = """
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  if (window.LectureFit) { await LectureFit.settled(); }   // a deck fits its slides before reveal.js starts
  const images = [...document.querySelectorAll('img')];
  const placeholder = 'No description has been provided for this image';
  const markdown = [...document.querySelectorAll('.jp-MarkdownOutput, .jp-RenderedMarkdown, li, p')]
      .map(e => e.innerText).join('\\n');
  const report = {
    title: document.title,
    images: images.length,
    images_decoded: images.filter(i => i.complete && i.naturalWidth > 0).length,
    images_without_alt: images.filter(i => !(i.getAttribute('alt') || '').trim() ||
                                           i.getAttribute('alt') === placeholder).length,
    math: document.querySelectorAll('mjx-container').length,
    math_errors: document.querySelectorAll('mjx-merror').length,
    raw_tex: (markdown.match(/\\$\\$|\\\\frac|\\\\begin\\{|\\\\partial|\\\\mathbf/g) || []).length,
    slides: null,
  };
  if (window.Reveal && Reveal.isReady) {
    for (let i = 0; i < 100 && !Reveal.isReady(); i++) { await new Promise(r => setTimeout(r, 50)); }
    report.slides = Reveal.getHorizontalSlides().length;
  }
  return JSON.stringify(report);
})()
"""


# Brings the first element matching a selector into view; in a reveal.js deck, goes to its slide.
SHOW_JS = """
(() => {
  const target = document.querySelector(%s);
  if (!target) { return; }
  const slide = target.closest('.slides section:not(.stack)');
  if (window.Reveal && slide) { const i = Reveal.getIndices(slide); Reveal.slide(i.h, i.v); }
  else { target.scrollIntoView({block: 'center'}); }
})()
"""


AXE = Path(__file__).resolve().parents[1] / "tools" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_RUN_JS = """
(async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations'], preload: false});
  return JSON.stringify(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    examples: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n')[1])})));
})()
"""
KEYBOARD_JS = "JSON.stringify(window.Reveal ? Reveal.getIndices() : null)"


def find_browser() -> str | None:
    """Path of a Chromium-family browser, from $BROWSER or the usual names on $PATH."""
    candidates = [os.environ.get("BROWSER", "")] + list(BROWSER_NAMES)
    return next((shutil.which(c) for c in candidates if c and shutil.which(c)), None)


@dataclass
class PageReport:
    """What the browser saw on one page."""

    url: str
    title: str = ""
    images: int = 0
    images_decoded: int = 0
    math: int = 0
    math_errors: int = 0
    raw_tex: int = 0
    slides: int | None = None
    images_without_alt: int = 0
    errors: list = field(default_factory=list)
    remote_requests: list = field(default_factory=list)
    screenshot: str | None = None
    violations: list | None = None      # axe-core's, when audited
    keyboard_moves: bool | None = None  # decks: did the right arrow move to the next slide?

    def serious(self) -> list:
        """The audit's critical and serious violations."""
        return [v for v in self.violations or [] if v["impact"] in ("critical", "serious")]

    def summary(self) -> str:
        deck = f", {self.slides} slides" if self.slides is not None else ""
        audit = ""
        if self.violations is not None:
            counts = {impact: sum(v["nodes"] for v in self.violations if v["impact"] == impact)
                      for impact in ("critical", "serious", "moderate", "minor")}
            audit = ", axe: " + " ".join(f"{n} {impact}" for impact, n in counts.items())
        keys = "" if self.keyboard_moves is None else f", keyboard {'ok' if self.keyboard_moves else 'DEAD'}"
        return (f"{Path(self.url).name}: {self.images_decoded}/{self.images} figures decoded "
                f"({self.images_without_alt} without alt text), "
                f"{self.math} formulas rendered ({self.math_errors} with errors, {self.raw_tex} raw TeX "
                f"left){deck}, {len(self.errors)} console errors, {len(self.remote_requests)} remote requests"
                f"{audit}{keys}")


class Browser:
    """A headless Chromium process and a minimal DevTools-protocol client over its pipe."""

    def __init__(self, executable: str, width: int = 1280, height: int = 800):
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4. The child's ends are first
        # moved above 9, so that the redirections cannot overwrite one with the other (bash, not
        # dash, because dash only knows fds 0-9).
        child_r, child_w = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w))
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        self.log = tempfile.TemporaryFile()
        shell = f'exec "$0" "$@" 3<&{child_r} 4>&{child_w} {child_r}<&- {child_w}>&-'
        self.process = subprocess.Popen(
            ["bash", "-c", shell, executable, *FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            pass_fds=(child_r, child_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self.log)
        os.close(child_r)
        os.close(child_w)
        self._next_id = 0
        self._messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._messages.put(json.loads(message))
        self._messages.put(None)  # the browser has gone

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             events: list | None = None, timeout: float = 30.0) -> dict:
        """Send one command and wait for its reply; events that arrive meanwhile go to ``events``."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"browser did not answer {method} within {timeout:.0f} s") from None
            if reply is None:
                self.log.seek(0)
                tail = self.log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"browser exited while waiting for {method}; its stderr ends:\n{tail}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if events is not None and "method" in reply:
                events.append(reply)

    def drain(self, events: list, seconds: float) -> None:
        """Collect events for a while (late console messages, late loads)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self._messages.get(timeout=left)
            except queue.Empty:
                return
            if message is not None and "method" in message:
                events.append(message)

    def check_page(self, path: Path, screenshot: Path | None = None, scroll_to: str | None = None,
                   timeout: float = 60.0, audit: bool = False, query: str = "") -> PageReport:
        """Load a local page in a fresh tab and report what it rendered and what went wrong.

        ``audit`` also runs axe-core on it (and, for a deck, presses the right arrow);
        ``query`` is appended to the URL (``?print-pdf`` lays out every slide of a deck).
        """
        url = Path(path).resolve().as_uri() + query
        events = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(f"{domain}.enable", session=session, events=events)
            self.send("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height,
                      "deviceScaleFactor": 1, "mobile": False}, session=session, events=events)
            self.send("Page.navigate", {"url": url}, session=session, events=events)
            self._wait_for_load(events, timeout)
            result = self.send("Runtime.evaluate", {"expression": PAGE_REPORT_JS, "awaitPromise": True,
                               "returnByValue": True}, session=session, events=events, timeout=timeout)
            if "exceptionDetails" in result:
                raise RuntimeError(f"{url}: report script failed: {result['exceptionDetails']}")
            report = PageReport(url=url, **json.loads(result["result"]["value"]))
            self.drain(events, 0.3)
            if audit:
                report.violations = self._axe(session, events, timeout)
                if report.slides is not None and not query:
                    report.keyboard_moves = self._arrow_moves(session, events)
            if screenshot is not None:
                report.screenshot = str(self._screenshot(session, events, screenshot, scroll_to))
        finally:
            self.send("Target.closeTarget", {"targetId": target})
        report.errors = _errors(events)
        report.remote_requests = sorted({e["params"]["request"]["url"] for e in events
                                         if e["method"] == "Network.requestWillBeSent"
                                         and not e["params"]["request"]["url"].startswith(LOCAL_SCHEMES)})
        return report

    def _axe(self, session: str, events: list, timeout: float) -> list:
        if not AXE.is_file():
            raise FileNotFoundError(f"axe-core is not installed ({AXE}): run make install-a11y")
        self.send("Runtime.evaluate", {"expression": AXE.read_text(encoding="utf-8")}, session=session,
                  events=events)
        result = self.send("Runtime.evaluate", {"expression": AXE_RUN_JS % json.dumps(AXE_TAGS),
                           "awaitPromise": True, "returnByValue": True}, session=session, events=events,
                           timeout=timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"axe-core failed: {result['exceptionDetails']}")
        return json.loads(result["result"]["value"])

    def _arrow_moves(self, session: str, events: list) -> bool:
        def indices():
            return self.send("Runtime.evaluate", {"expression": KEYBOARD_JS, "returnByValue": True},
                             session=session, events=events)["result"]["value"]
        before = indices()
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": "ArrowRight", "code": "ArrowRight",
                      "windowsVirtualKeyCode": 39, "nativeVirtualKeyCode": 39}, session=session, events=events)
        self.drain(events, 0.8)
        return indices() != before

    def _wait_for_load(self, events: list, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(e["method"] == "Page.loadEventFired" for e in events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"page did not finish loading within {timeout:.0f} s")
            self.drain(events, 0.1)

    def _screenshot(self, session: str, events: list, path: Path, scroll_to: str | None) -> Path:
        if scroll_to:  # a CSS selector: bring the first match into view (in a deck: go to its slide)
            self.send("Runtime.evaluate", {"expression": SHOW_JS % json.dumps(scroll_to)},
                      session=session, events=events)
            self.drain(events, 1.0)  # let the slide transition finish
        data = self.send("Page.captureScreenshot", {"format": "png"}, session=session, events=events)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _errors(events: list) -> list[str]:
    """Console errors, uncaught exceptions and failed loads, as readable lines."""
    found = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            found.append(f"uncaught: {d.get('exception', {}).get('description') or d.get('text')}")
        elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            found.append("console.error: " + " ".join(str(a.get("value", a.get("description", "")))
                                                       for a in p.get("args", [])))
        elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
            found.append(f"log: {p['entry']['text']} {p['entry'].get('url', '')}".strip())
        elif e["method"] == "Network.loadingFailed" and not p.get("canceled"):
            found.append(f"load failed: {p.get('errorText')} ({p.get('type')})")
    return found


def check_site(site: Path, screenshots: Path | None = None, audit: bool = False) -> list[PageReport]:
    """Check every ``*.html`` page of a built site (index, pages, decks) in one browser.

    With ``audit``, each deck is also audited in its print view (every slide laid out),
    reported as ``<deck>.slides.html?print-pdf``.
    """
    executable = find_browser()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $BROWSER")
    pages = sorted(Path(site).glob("*.html"))
    reports = []
    with Browser(executable) as browser:
        for page in pages:
            shot = Path(screenshots) / f"{page.stem}.png" if screenshots else None
            scroll = None if page.name in ("index.html", "search.html") else "img"
            reports.append(browser.check_page(page, shot, scroll_to=scroll, audit=audit))
            if audit and page.name.endswith(".slides.html"):
                reports.append(browser.check_page(page, audit=True, query="?print-pdf"))
    return reports


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="folder with the built pages (make site)")
    parser.add_argument("--screenshots", type=Path, default=None, help="save one PNG per page here")
    parser.add_argument("--audit", action="store_true", help="also run axe-core and the keyboard check")
    args = parser.parse_args(argv)
    reports = check_site(args.site, args.screenshots, audit=args.audit)
    bad = 0
    for r in reports:
        print(r.summary())
        for line in r.errors + [f"remote request: {u}" for u in r.remote_requests]:
            print("   ", line)
        for v in r.serious():
            print(f"    axe {v['impact']}: {v['id']} ({v['nodes']} nodes): {v['help']}")
            for example in v["examples"]:
                print(f"        {example}")
        bad += bool(r.errors or r.remote_requests or r.math_errors or r.images_decoded < r.images
                    or r.images_without_alt or r.serious() or r.keyboard_moves is False)
    if args.audit:
        print(f"axe-core over {len(reports)} page views: {sum(len(r.serious()) for r in reports)} critical or "
              f"serious rule failures, {sum(v['nodes'] for r in reports for v in r.serious())} nodes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
