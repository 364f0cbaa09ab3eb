"""Does every slide of a deck fit the projector? Measured in headless Chromium, slide by slide.

For each deck (``*.slides.html``) and each screen size (1280x720 and 1024x768 by default) it
opens the deck, turns transitions off, visits every slide with all its fragments shown, and
reads from the live layout what an audience would see:

* **overflowing**: a slide with content (text, formula, code) outside the visible area (the
  ``.reveal`` element within the window) above or below it, or hidden below the end of a
  scrolling box;
* **figures**, **out of view**: every picture (``img``, ``svg``, ``canvas`` outside formulas)
  and those not wholly visible: cut by the window or by a scrolling/clipping box, or drawn
  smaller than 40 px;
* **clipped**: a display formula or a line of code or printed output whose end is hidden
  (cut by the window's right edge or by a box that would need a sideways scroll);
* **overlapped**: a slide on which a visible control (arrows, slide number, progress bar)
  covers a piece of content;
* **smallest text**: the smallest font size on the slide in CSS px as drawn (after
  reveal.js's and the deck's own scaling), which must stay legible (``MIN_TEXT_PX``);
* **speaker notes**: the ``aside.notes`` on the slide (the speaker view's text, key ``s``),
  and those drawn on the slide itself, which must be none.

Used by ``tests/test_decks.py``; also a script (the counts per deck and size, then the
offending slides)::

    python tests/deck_check.py _build/slides            # every deck in a folder
    python tests/deck_check.py _build/site/02_image_pyramids.slides.html --sizes 1024x768 \\
        --screenshot 3/1:/tmp/slide.png                  # and a screenshot of slide 3/1 (h/v, 0-based)
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_check import Browser, find_browser  # noqa: E402  (tests/ is not a package)

SIZES = ((1280, 720), (1024, 768))
MIN_TEXT_PX = 11.0      # the smallest legible text on a projector, in CSS px as drawn
MIN_FIGURE_PX = 40      # a picture drawn smaller than this is not "in view"

# Runs in the deck: visits every slide and measures it. Returns JSON, one record per slide.
# Defines window.__measureSlide(slide, view, where): one slide's measurements (see the module
# docstring) as drawn now; `view` is the visible area, `where` the slide's {h, v} indices.
SLIDE_MEASURE_JS = r"""
(() => {
  const TOL = 1;
  const inside = (r, box) => r.left >= box.left - TOL && r.top >= box.top - TOL &&
                             r.right <= box.right + TOL && r.bottom <= box.bottom + TOL;
  const meets = (a, b) => a.left < b.right - TOL && b.left < a.right - TOL &&
                          a.top < b.bottom - TOL && b.top < a.bottom - TOL;
  const shown = el => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) < 0.05) { return false; }
      if (e.classList.contains('slides') || e.classList.contains('reveal')) { break; }
    }
    return true;
  };
  // Boxes between an element and its slide that cut off what sticks out (overflow not visible).
  const clippers = (el, slide) => {
    const boxes = [];
    for (let e = el.parentElement; e && e !== slide; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') { boxes.push(e); }
    }
    return boxes;
  };
  const scaleOf = el => (el.offsetWidth > 0 ? el.getBoundingClientRect().width / el.offsetWidth : 1);
  // The controls drawn on the current slide: the arrows reveal.js enables (they fade in, so their
  // opacity is not read), the slide number and the progress bar.
  // (RISE adds its own buttons: help, notes, exit.)
  const drawnControls = () => [...document.querySelectorAll('.reveal .controls button.enabled')]
      .filter(b => getComputedStyle(b).visibility !== 'hidden' && getComputedStyle(b.parentElement).display !== 'none')
      .concat([...document.querySelectorAll('.reveal .slide-number, .reveal .progress, #help-b, #toggle-notes, ' +
                                            '#exit_b, #toggle-chalkboard')].filter(el => shown(el)))
      .map(el => el.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
  // What the audience sees of the presentation: the .reveal element, within the window.
  window.__visibleArea = el => {
    const r = el.getBoundingClientRect();
    return {left: Math.max(0, r.left), top: Math.max(0, r.top),
            right: Math.min(innerWidth, r.right), bottom: Math.min(innerHeight, r.bottom)};
  };
  window.__measureSlide = (slide, view, where) => {
    const notes = e => !!e.closest('aside.notes');
    // Pieces of content: lines of text (their own boxes, from a Range), formulas, pictures.
    const pieces = [];
    const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let smallest = Infinity;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || notes(el) || el.closest('mjx-container, .visually-hidden, script, style') || !shown(el)) { continue; }
      range.selectNodeContents(node);
      const px = parseFloat(getComputedStyle(el).fontSize) * scaleOf(el);
      const rects = [...range.getClientRects()].filter(r => r.width >= 0.5 && r.height >= 0.5);
      if (rects.some(r => r.right > view.right + TOL || r.left < view.left - TOL ||
                          clippers(el, slide).some(c => { const b = c.getBoundingClientRect();
                                                          return r.right > b.right + TOL || r.left < b.left - TOL; }))) {
        // A line's box includes the spaces that hang past its end where it wraps: measure the
        // visible characters one by one instead.
        rects.length = 0;
        const text = node.textContent;
        for (let i = 0; i < text.length; i++) {
          if (!text[i].trim()) { continue; }
          range.setStart(node, i); range.setEnd(node, i + 1);
          rects.push(...[...range.getClientRects()].filter(r => r.width >= 0.5 && r.height >= 0.5));
        }
      }
      for (const r of rects) {
        pieces.push({kind: el.closest('pre, code') ? 'code' : 'text', el, rect: r});
        smallest = Math.min(smallest, px);
      }
    }
    for (const m of slide.querySelectorAll('mjx-container')) {
      if (notes(m) || !shown(m)) { continue; }
      const math = m.querySelector('mjx-math') || m;
      const r = math.getBoundingClientRect();
      if (r.width > 0) {
        pieces.push({kind: m.getAttribute('display') === 'true' ? 'equation' : 'math', el: m, rect: r});
        smallest = Math.min(smallest, parseFloat(getComputedStyle(m).fontSize) * scaleOf(m));
      }
    }
    const figures = [...slide.querySelectorAll('img, canvas, svg')]
        .filter(f => !notes(f) && !f.closest('mjx-container, svg svg, .controls, button, [class*="oolbar"], ' +
                                             '[class*="promptOverlay"], [class*="Prompt"], [class*="Collapser"]'));
    let outOfView = [], figureScale = [];
    for (const f of figures) {
      const r = f.getBoundingClientRect();
      const visible = shown(f) && r.width >= 40 && r.height >= 40 && inside(r, view) &&
                      clippers(f, slide).every(c => inside(r, c.getBoundingClientRect()));
      if (!visible) { outOfView.push(f.getAttribute('alt') ? f.getAttribute('alt').slice(0, 60) : f.tagName); }
      else { pieces.push({kind: 'figure', el: f, rect: r}); }
      const natural = f.tagName === 'IMG' ? (parseFloat(f.getAttribute('width')) || f.naturalWidth) : 0;
      if (natural > 0) { figureScale.push(r.width / natural); }
    }
    // Overflow: a piece outside the visible area, or hidden below the end of a scrolling box.
    // Clipped: a piece cut at the right or left (by the window or by a box), counted once per block.
    let low = 0, right = 0, overflowing = false;
    const clipped = new Set();
    const block = el => el.closest('mjx-container, pre, .jp-OutputArea-output, li, p, td, th, h1, h2, h3, h4') || el;
    const label = el => (el.tagName === 'MJX-CONTAINER' ? 'equation: ' : '') + (el.textContent || '').trim().slice(0, 50);
    for (const p of pieces) {
      if (p.kind === 'figure') { continue; }
      const r = p.rect;
      const boxes = [view, ...clippers(p.el, slide).map(c => c.getBoundingClientRect())];
      for (const b of boxes) {
        if (r.bottom > b.bottom + TOL || r.top < b.top - TOL) { overflowing = true; low = Math.max(low, r.bottom - b.bottom); }
        if (r.right > b.right + TOL || r.left < b.left - TOL) {
          clipped.add(block(p.el)); right = Math.max(right, r.right - b.right);
        }
      }
    }
    // Code and output boxes that need a sideways scroll hide the ends of their lines.
    for (const box of slide.querySelectorAll('pre, mjx-container[display="true"], .jp-OutputArea-output, table')) {
      if (notes(box) || !shown(box)) { continue; }
      const s = getComputedStyle(box);
      if (s.overflowX !== 'visible' && box.scrollWidth > box.clientWidth + 1) { clipped.add(block(box)); }
    }
    const clippedLabels = [...clipped].map(label);
    const controls = drawnControls();
    const overlaps = pieces.filter(p => controls.some(c => meets(c, p.rect)));
    const asides = [...slide.querySelectorAll('aside.notes')];
    const notesShown = asides.filter(a => { const r = a.getBoundingClientRect();
                                           return shown(a) && r.width > 0 && r.height > 0; });
    return {
      h: where.h, v: where.v || 0,
      title: ((slide.querySelector('h1, h2, h3, h4') || slide).textContent || '').trim().replace(/¶$/, '').slice(0, 60),
      overflowing, below_px: Math.round(low), right_px: Math.round(right),
      figures: figures.length, out_of_view: outOfView, clipped: clippedLabels,
      overlapped: overlaps.map(p => p.kind + ': ' + (p.el.textContent || p.el.getAttribute('alt') || '').trim().slice(0, 40)),
      smallest_text_px: smallest === Infinity ? null : Math.round(smallest * 10) / 10,
      figure_scale: figureScale.map(s => Math.round(s * 100) / 100),
      notes: asides.length, notes_shown: notesShown.map(a => (a.textContent || '').trim().slice(0, 40)),
    };
  };
})();
"""

# Runs in a reveal.js deck: visits every slide (all fragments shown) and measures it.
MEASURE_JS = SLIDE_MEASURE_JS + r"""
(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  for (let i = 0; i < 200 && !(window.Reveal && Reveal.isReady && Reveal.isReady()); i++) { await sleep(50); }
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  Reveal.configure({transition: 'none', backgroundTransition: 'none'});
  const fitted = async () => {   // the deck's own fitting step, when it has one
    await frame();
    if (window.LectureFit && LectureFit.settled) { await LectureFit.settled(); }
    await frame();
  };
  const view = window.__visibleArea(Reveal.getRevealElement());
  const records = [];
  for (const slide of Reveal.getSlides()) {
    const where = Reveal.getIndices(slide);
    const fragments = slide.querySelectorAll('.fragment').length;
    Reveal.slide(where.h, where.v, fragments ? fragments + 10 : undefined);
    slide.querySelectorAll('.fragment').forEach(f => f.classList.add('visible'));
    await fitted();
    records.push(window.__measureSlide(slide, view, where));
  }
  Reveal.slide(0, 0);
  return JSON.stringify({view, records});
})()
"""


@dataclass
class DeckReport:
    """One deck at one screen size."""

    deck: str
    width: int
    height: int
    slides: list = field(default_factory=list)   # one dict per slide (see MEASURE_JS)
    errors: list = field(default_factory=list)

    def counts(self) -> dict:
        s = self.slides
        return {"slides": len(s), "figures": sum(r["figures"] for r in s),
                "overflowing": sum(r["overflowing"] for r in s),
                "out_of_view": sum(len(r["out_of_view"]) for r in s),
                "clipped": sum(len(r["clipped"]) for r in s),
                "overlapped": sum(bool(r["overlapped"]) for r in s),
                "small_text": sum(r["smallest_text_px"] is not None and r["smallest_text_px"] < MIN_TEXT_PX for r in s),
                "notes": sum(r["notes"] for r in s), "notes_shown": sum(len(r["notes_shown"]) for r in s)}

    def smallest_text(self) -> float | None:
        sizes = [r["smallest_text_px"] for r in self.slides if r["smallest_text_px"] is not None]
        return min(sizes) if sizes else None

    def bad_slides(self) -> list[dict]:
        return [r for r in self.slides if r["overflowing"] or r["out_of_view"] or r["clipped"] or r["overlapped"]
                or r["notes_shown"] or (r["smallest_text_px"] is not None and r["smallest_text_px"] < MIN_TEXT_PX)]

    def ok(self) -> bool:
        return not self.errors and not self.bad_slides()

    def summary(self) -> str:
        c = self.counts()
        return (f"{self.deck} at {self.width}x{self.height}: {c['slides']} slides, {c['figures']} figures, "
                f"{c['overflowing']} overflowing, {c['out_of_view']} figures out of view, {c['clipped']} clipped, "
                f"{c['overlapped']} overlapped by controls, {c['small_text']} with text below {MIN_TEXT_PX:g} px "
                f"(smallest {self.smallest_text()} px), {c['notes']} speaker notes ({c['notes_shown']} shown on a slide)")

    def details(self) -> list[str]:
        lines = []
        for r in self.bad_slides():
            what = []
            if r["overflowing"]:
                what.append(f"overflows ({r['below_px']} px below the bottom)")
            what += [f"figure out of view: {f}" for f in r["out_of_view"]]
            what += [f"clipped ({r['right_px']} px): {c}" for c in r["clipped"][:3]]
            what += [f"under a control: {o}" for o in r["overlapped"][:2]]
            what += [f"speaker notes shown on the slide: {n}" for n in r["notes_shown"][:2]]
            if r["smallest_text_px"] is not None and r["smallest_text_px"] < MIN_TEXT_PX:
                what.append(f"text {r['smallest_text_px']} px")
            lines.append(f"  slide {r['h']}/{r['v']} ({r['title'][:40]!r}): " + "; ".join(what))
        return lines


def _open(browser: Browser, path: Path, width: int, height: int, events: list) -> tuple[str, str]:
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        browser.send(f"{domain}.enable", session=session, events=events)
    browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                 "mobile": False}, session=session, events=events)
    browser.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session, events=events)
    browser._wait_for_load(events, 60)
    return target, session


def _evaluate(browser: Browser, session: str, expression: str, events: list, timeout: float = 300):
    result = browser.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                          "returnByValue": True}, session=session, events=events, timeout=timeout)
    if "exceptionDetails" in result:
        raise RuntimeError(f"script failed: {result['exceptionDetails']}")
    return result["result"].get("value")


def measure_deck(browser: Browser, deck: Path, width: int, height: int,
                 screenshots: dict | None = None) -> DeckReport:
    """Visit every slide of ``deck`` at ``width`` x ``height`` CSS px and measure it.

    ``screenshots`` maps ``(h, v)`` slide indices to PNG paths to save after measuring.
    """
    from browser_check import _errors
    events = []
    target, session = _open(browser, deck, width, height, events)
    try:
        data = json.loads(_evaluate(browser, session, MEASURE_JS, events))
        for (h, v), path in (screenshots or {}).items():
            _evaluate(browser, session, f"(async () => {{ Reveal.slide({h}, {v}, 1000); "
                      "document.querySelectorAll('.present .fragment').forEach(f => f.classList.add('visible'));"
                      "await new Promise(r => setTimeout(r, 300));"
                      "if (window.LectureFit && LectureFit.settled) { await LectureFit.settled(); } })()", events)
            shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session, events=events)["data"]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_bytes(base64.b64decode(shot))
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
    return DeckReport(Path(deck).name, width, height, data["records"], _errors(events))


def check_decks(decks, sizes=SIZES, screenshots: dict | None = None) -> list[DeckReport]:
    """Measure every deck at every size in one browser; ``screenshots``: {(deck name, w, h, hv): path}."""
    executable = find_browser()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $BROWSER")
    reports = []
    with Browser(executable) as browser:
        for deck in decks:
            for width, height in sizes:
                wanted = {hv: p for (name, w, h, hv), p in (screenshots or {}).items()
                          if name == Path(deck).name and (w, h) == (width, height)}
                reports.append(measure_deck(browser, Path(deck), width, height, wanted))
    return reports


def totals(reports) -> dict:
    """Counts summed over decks, per screen size."""
    out = {}
    for r in reports:
        into = out.setdefault(f"{r.width}x{r.height}", {})
        for key, n in r.counts().items():
            into[key] = into.get(key, 0) + n
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decks", nargs="+", type=Path, help="decks (*.slides.html) or folders holding them")
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES),
                        help="screen sizes, e.g. 1280x720,1024x768")
    parser.add_argument("--screenshot", action="append", default=[],
                        help="H/V:PATH, a screenshot of slide H/V (0-based) of each deck at each size")
    parser.add_argument("--json", type=Path, help="write every slide's measurements here")
    parser.add_argument("--quiet", action="store_true", help="counts only, not the offending slides")
    args = parser.parse_args(argv)
    decks = [d for p in args.decks for d in (sorted(p.glob("*.slides.html")) if p.is_dir() else [p])]
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    shots = {}
    for spec in args.screenshot:
        hv, path = spec.split(":", 1)
        h, v = (int(n) for n in hv.split("/"))
        for deck in decks:
            for w, ht in sizes:
                name = Path(path)
                target = name.with_name(f"{name.stem}-{Path(deck).name.split('.')[0]}-{w}x{ht}{name.suffix}")
                shots[(deck.name, w, ht, (h, v))] = target if len(decks) * len(sizes) > 1 else name
    start = time.monotonic()
    reports = check_decks(decks, sizes, shots)
    for r in reports:
        print(r.summary())
        if not args.quiet and r.details():
            print("\n".join(r.details()))
        for e in r.errors:
            print("   error:", e)
    for size, c in totals(reports).items():
        print(f"all decks at {size}: " + ", ".join(f"{n} {k}" for k, n in c.items()))
    print(f"({time.monotonic() - start:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in reports], indent=1), encoding="utf-8")
    return 0 if all(r.ok() for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
