/* Fit every slide of a notebook deck to the slide before reveal.js starts (lecture_utils.course).

   The deck is measured in the slide's own pixels (config.width x config.height: reveal.js then
   scales the whole slide to the screen), once the formulas are typeset and the pictures decoded:

   1. A display equation wider than the slide is set on several lines (broken before its
      top-level relations and operators, aligned); one that still does not fit, or cannot be
      broken, is scaled down to the slide's width (not below equationMinScale).
   2. Each figure starts at its own size (an img element's width attribute or its pixels, an svg
      element's width; PNG, HiDPI PNG and SVG alike), at most the slide's width and most of its height.
   3. A slide taller than the slide is split into subslides: a cell that fits on a slide of its
      own moves whole to the next one; a taller one is cut between its paragraphs, list items,
      equations or outputs, or between the lines of its code or printed output. The new subslide
      opens with "Heading (continued)"; speaker notes stay with the first part.
   4. On each slide the figures then grow into the space left (up to figureMaxGrow times their
      own size), so a figure is as large as its slide allows; a figure that stays small there
      (under figureSmall of the slide's height) but would grow by figureMoveGain on a slide of
      its own moves there with its cell.
   5. Only a slide that still does not fit (one line of code taller than a slide...) is scaled
      down, text and figures together, never below minScale; if even that is not enough it is
      marked .lecture-overflow (it scrolls with the mouse wheel; the deck test fails on it).

   LectureFit.settled() resolves once this is done and reveal.js is ready. */
(function () {
  'use strict';

  const ATOMIC = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'IMG', 'SVG', 'CANVAS',
                          'MJX-CONTAINER', 'TABLE', 'LI', 'BLOCKQUOTE', 'DETAILS']);
  const FIGURES = '.jp-OutputArea-output img, .jp-OutputArea-output svg, .jp-OutputArea-output canvas, ' +
                  '.jp-RenderedMarkdown img';
  let cfg = null;
  let settle = null;
  const settled = new Promise(resolve => { settle = resolve; });

  const sleep = ms => new Promise(r => setTimeout(r, ms));

  function leafSections(root) {
    return [...root.querySelectorAll('section')].filter(s => !s.querySelector('section'));
  }

  function contentChildren(el) {
    return [...el.children].filter(c => !c.matches('aside.notes, script, style, .lecture-continued'));
  }

  function figuresOf(section) {
    return [...section.querySelectorAll(FIGURES)].filter(f => !f.closest('aside.notes, mjx-container') &&
                                                              !(f.tagName.toUpperCase() === 'SVG' && f.parentElement.closest('svg')));
  }

  /* The bottom of a slide's content, in slide pixels from the slide's top. */
  function contentBottom(section) {
    const top = section.getBoundingClientRect().top;
    let bottom = 0;
    for (const kid of contentChildren(section)) {
      const r = kid.getBoundingClientRect();
      if (r.height > 0) { bottom = Math.max(bottom, r.bottom - top); }
    }
    const label = section.querySelector(':scope > .lecture-continued');
    if (label) { bottom = Math.max(bottom, label.getBoundingClientRect().bottom - top); }
    return bottom;
  }

  /* A figure's own size in CSS pixels: an img element's width attribute (HiDPI pictures carry
     one) or its pixels; an svg element's width and height (any unit); a canvas's size. */
  function naturalSize(fig) {
    const tag = fig.tagName.toUpperCase();
    if (tag === 'IMG') {
      const w = parseFloat(fig.getAttribute('width')) || fig.naturalWidth;
      const ratio = fig.naturalWidth > 0 ? fig.naturalHeight / fig.naturalWidth : 0.75;
      const h = parseFloat(fig.getAttribute('height')) || w * ratio;
      return [w, h];
    }
    if (tag === 'SVG') {
      let w = 0, h = 0;
      try { w = fig.width.baseVal.value; h = fig.height.baseVal.value; } catch (e) { /* no width */ }
      const box = fig.viewBox && fig.viewBox.baseVal;
      if ((!w || !h) && box && box.width) { w = w || box.width; h = h || w * box.height / box.width; }
      if (!w || !h) { const r = fig.getBoundingClientRect(); w = r.width; h = r.height; }
      return [w, h];
    }
    return [fig.width, fig.height];
  }

  function setFigureSize(fig, scale, maxWidth, maxHeight) {
    const [w, h] = fig._lectureNatural;
    let s = scale;
    if (w * s > maxWidth) { s = maxWidth / w; }
    if (h * s > maxHeight) { s = maxHeight / h; }
    fig.style.setProperty('width', (w * s) + 'px', 'important');
    fig.style.setProperty('height', (h * s) + 'px', 'important');
    fig.style.setProperty('max-width', 'none', 'important');
    fig.style.setProperty('max-height', 'none', 'important');
  }

  function sizeFigures(section, scale) {
    const width = section.clientWidth || cfg.width;
    for (const fig of figuresOf(section)) {
      if (!fig._lectureNatural) { fig._lectureNatural = naturalSize(fig); }
      setFigureSize(fig, scale, width - 8, cfg.height * cfg.figureMaxHeight);
    }
  }

  /* --- wide display equations: broken into lines at their top-level relations and operators --- */

  /* Top-level positions in a TeX string where a line may break: before a relation (=, \le, ...),
     a + or a binary -, or a \quad/\qquad between two statements. Braces, \left...\right and
     environments are never broken into. */
  function breakPoints(tex) {
    const points = [];
    let depth = 0;
    for (let i = 0; i < tex.length; i++) {
      const c = tex[i], rest = tex.slice(i);
      if (c === '\\') {
        const word = /^\\([A-Za-z]+|.)/.exec(rest)[1];
        if (word === 'left' || word === 'begin') { depth++; }
        else if (word === 'right' || word === 'end') { depth--; }
        else if (depth === 0 && /^(le|leq|ge|geq|approx|ne|neq|equiv|to|quad|qquad)$/.test(word)) {
          points.push({at: i, relation: !/quad/.test(word), gap: /quad/.test(word)});
        }
        i += word.length;
        continue;
      }
      if (c === '{') { depth++; } else if (c === '}') { depth--; }
      else if (depth === 0 && (c === '=' || c === '+' || c === '-')) {
        const before = tex.slice(0, i).trimEnd();
        const unary = !before || /[{(=+\-,^_&]$/.test(before) || /\\(le|leq|ge|geq|approx|quad|qquad)$/.test(before);
        if (!unary && tex[i + 1] !== '=') { points.push({at: i, relation: c === '=', gap: false}); }
      }
    }
    return points;
  }

  /* The TeX of an equation set on `lines` lines (an aligned environment), or null if it cannot be. */
  function brokenTeX(tex, lines) {
    let body = tex.trim(), tag = '';
    const tagged = /\\tag\*?\{[^{}]*\}\s*$/.exec(body);
    if (tagged) { tag = tagged[0]; body = body.slice(0, tagged.index).trim(); }
    if (/\\\\|\\begin\{(aligned|align|gathered|split|multline|eqnarray|array|cases)/.test(body)) { return null; }
    const points = breakPoints(body);
    const first = points.find(p => p.relation);
    const usable = points.filter(p => !first || p.at > first.at);
    if (usable.length < lines - 1) { return null; }
    const chosen = [];
    for (let k = 1; k < lines; k++) {
      const target = body.length * k / lines;
      const best = usable.filter(p => !chosen.includes(p) && (!chosen.length || p.at > chosen[chosen.length - 1].at))
                         .reduce((a, p) => (!a || Math.abs(p.at - target) < Math.abs(a.at - target) ? p : a), null);
      if (!best) { return null; }
      chosen.push(best);
    }
    const parts = [];
    let from = 0;
    for (const p of chosen) { parts.push(body.slice(from, p.at)); from = p.at; }
    parts.push(body.slice(from));
    const head = first ? parts[0].slice(0, first.at) + '&' + parts[0].slice(first.at) : '&' + parts[0];
    const tail = parts.slice(1).map((part, k) => (chosen[k].relation ? '&' : chosen[k].gap ? '&' : '&\\quad ') + part);
    return '\\begin{aligned}' + [head, ...tail].join(' \\\\ ') + '\\end{aligned}' + tag;
  }

  /* Set each display equation wider than the slide on as few lines as make it fit. */
  function breakWideEquations(slides) {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.document && MathJax.tex2chtml)) { return; }
    const doc = MathJax.startup.document;
    const items = doc.getMathItemsWithin(slides).filter(item => item.display && item.typesetRoot);
    let changed = false;
    for (const item of items) {
      let root = item.typesetRoot;
      const room = (root.parentElement && root.parentElement.clientWidth) || cfg.width;
      const math = root.querySelector('mjx-math');
      if (!math || math.getBoundingClientRect().width <= room) { continue; }
      for (let lines = 2; lines <= 6; lines++) {
        const tex = brokenTeX(item.math, lines);
        if (!tex) { break; }
        const node = MathJax.tex2chtml(tex, {display: true});
        root.replaceWith(node);
        root = node;
        changed = true;
        doc.clear();
        doc.updateDocument();   // the new equation's glyphs need their CSS before it can be measured
        const width = node.querySelector('mjx-math').getBoundingClientRect().width;
        if (width <= room) { break; }
      }
    }
    return changed;
  }

  /* Display equations wider than their box are set in a smaller font (MathJax's CHTML scales
     with the font); the ratio is kept so that later passes can redo it. */
  function fitEquations(section) {
    for (const m of section.querySelectorAll('mjx-container[display="true"]')) {
      if (m.closest('aside.notes')) { continue; }
      m.style.removeProperty('font-size');
      const math = m.querySelector('mjx-math') || m;
      const have = math.getBoundingClientRect().width, room = m.clientWidth || section.clientWidth;
      if (have > room && have > 0) {
        const size = parseFloat(getComputedStyle(m).fontSize);
        const ratio = Math.max(cfg.equationMinScale, (room / have) * 0.98);
        m.style.setProperty('font-size', (size * ratio) + 'px');
      }
    }
    for (const t of section.querySelectorAll('table')) {
      if (t.closest('aside.notes')) { continue; }
      t.style.removeProperty('font-size');
      const room = t.parentElement.clientWidth;
      if (t.scrollWidth > room && room > 0) {
        const size = parseFloat(getComputedStyle(t).fontSize);
        t.style.setProperty('font-size', (size * Math.max(cfg.minScale, room / t.scrollWidth * 0.98)) + 'px');
      }
    }
  }

  /* Where a line of a pre element starts: the last line start above the limit that has text
     after it. A line's top is read from its first visible character (a collapsed range has no box). */
  function lineCut(pre, limit, top) {
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) { nodes.push(node); }
    const range = document.createRange();
    let best = null, atLineStart = false, start = null;
    for (const node of nodes) {
      const text = node.textContent;
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '\n') { atLineStart = true; start = {node, offset: i + 1}; continue; }
        if (!atLineStart || !text[i].trim()) { continue; }
        atLineStart = false;
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) { continue; }
        if (rects[0].top - top > limit - 2) { return best; }
        best = start;
      }
    }
    return best;
  }

  /* A heading stays with what follows it: cutting before `kid`, cut before the heading that
     ends the content just above it instead (unless nothing would be left above). */
  function keptWithNext(kid, earlier) {
    const shown = earlier.filter(k => k.getBoundingClientRect().height > 0 && k.textContent.trim());
    const previous = shown[shown.length - 1];
    if (!previous || shown.length < 2) { return kid; }
    const blocks = [...previous.querySelectorAll('h1, h2, h3, h4, p, li, pre, mjx-container, img, svg, table')];
    const last = previous.matches('h1, h2, h3, h4') ? previous : blocks[blocks.length - 1];
    return last && last.matches('h1, h2, h3, h4') && (last === previous || !last.closest('li')) ? previous : kid;
  }

  /* The position at which to cut a slide so that what comes before it ends above `limit`. */
  function findCut(el, limit, top, contentBefore, room) {
    const kids = contentChildren(el);
    for (let i = 0; i < kids.length; i++) {
      const kid = kids[i];
      const r = kid.getBoundingClientRect();
      if (r.height === 0 || r.width === 0) { continue; }
      // Empty boxes (JupyterLab's collapsers and prompts, beside the content) are no content.
      if (!kid.textContent.trim() && !kid.matches(FIGURES) && !kid.querySelector('img, svg, canvas')) { continue; }
      if (r.bottom - top <= limit) { contentBefore = true; continue; }
      if (contentBefore && r.height <= room) { return {before: keptWithNext(kid, kids.slice(0, i))}; }
      let inner = null;
      if (kid.tagName === 'PRE') { inner = lineCut(kid, limit, top); }
      else if (!ATOMIC.has(kid.tagName.toUpperCase()) && !kid.matches(FIGURES)) {
        inner = findCut(kid, limit, top, contentBefore, room);
      }
      if (inner) { return inner; }
      return contentBefore ? {before: keptWithNext(kid, kids.slice(0, i))} : null;
    }
    return null;
  }

  function headingOf(section) {
    const headings = [...section.querySelectorAll('h1, h2, h3')].filter(h => !h.closest('aside.notes'));
    if (!headings.length) { return ''; }
    const h = headings[headings.length - 1].cloneNode(true);
    h.querySelectorAll('.anchor-link').forEach(a => a.remove());
    return h.textContent.trim();
  }

  /* Cells before which a subslide was started (their notebook ids): tools/slide_breaks.py writes
     them into the notebook, so that RISE, which shows the live notebook, breaks there too. */
  const cellBreaks = [];

  /* Move everything from `cut` to the end of `section` into a new subslide right after it. */
  function splitAt(section, cut, heading) {
    const cell = cut.before && cut.before.matches('.jp-Cell[id^="cell-id="]') ? cut.before : null;
    if (cell) { cellBreaks.push(cell.id.slice('cell-id='.length)); }
    const range = document.createRange();
    if (cut.before) { range.setStartBefore(cut.before); } else { range.setStart(cut.node, cut.offset); }
    range.setEnd(section, section.childNodes.length);
    const moved = range.extractContents();
    for (const notes of [...moved.querySelectorAll('aside.notes')]) { section.appendChild(notes); }
    for (const el of [...moved.querySelectorAll('[id]')]) {
      if (document.getElementById(el.id)) { el.removeAttribute('id'); }
    }
    const next = section.cloneNode(false);
    next.removeAttribute('id');
    next.classList.remove('lecture-overflow');
    next.style.removeProperty('--lecture-fit');
    next.appendChild(moved);
    // A fragment that now opens a slide is shown with it (nothing to reveal on an empty slide).
    let first = contentChildren(next)[0];
    while (first && !first.classList.contains('fragment') && contentChildren(first).length) {
      first = contentChildren(first)[0];
    }
    if (first && first.classList.contains('fragment')) { first.classList.remove('fragment'); }
    if (heading) {
      const label = document.createElement('p');
      label.className = 'lecture-continued';
      label.textContent = heading + ' (continued)';
      next.insertBefore(label, next.firstChild);
    }
    section.after(next);
    return next;
  }

  /* The largest factor in [low, high] for which fits(factor) holds (fits(low) assumed). */
  function largest(low, high, fits, steps = 9) {
    if (fits(high)) { return high; }
    for (let i = 0; i < steps; i++) {
      const mid = (low + high) / 2;
      if (fits(mid)) { low = mid; } else { high = mid; }
    }
    return low;
  }

  function fitSection(section) {
    const limit = cfg.height;
    const fits = () => contentBottom(section) <= limit;
    fitEquations(section);
    sizeFigures(section, 1);
    if (fits()) {
      let grow = 1;
      if (figuresOf(section).length) {
        grow = largest(1, cfg.figureMaxGrow, g => { sizeFigures(section, g); return fits(); });
        sizeFigures(section, grow);
      }
      return grow;
    }
    const shrink = t => {
      section.style.setProperty('--lecture-fit', String(t));
      fitEquations(section);
      sizeFigures(section, t);
      return fits();
    };
    if (shrink(cfg.minScale)) {
      const t = largest(cfg.minScale, 1, shrink);
      shrink(t);
      return t;
    }
    section.classList.add('lecture-overflow');
    return cfg.minScale;
  }

  /* The cell (or other top-level piece) of a slide that holds `el`. */
  function pieceOf(section, el) {
    let piece = el;
    while (piece.parentElement && piece.parentElement !== section) { piece = piece.parentElement; }
    return el.closest('.jp-Cell') || piece;
  }

  /* A figure that its slide leaves small, but that would be much larger on a slide of its own,
     gets one (its cell moves to a new subslide): on a projector a figure has to be large. */
  function figureToMove(section, grow) {
    const width = section.clientWidth || cfg.width;
    for (const fig of figuresOf(section)) {
      const [w, h] = fig._lectureNatural;
      const alone = Math.min(cfg.figureMaxGrow, (width - 8) / w, (cfg.height * cfg.figureMaxHeight) / h);
      const cell = pieceOf(section, fig);
      const top = section.getBoundingClientRect().top;
      // What stays above: worth a slide of its own (not just a heading)?
      const above = cell.getBoundingClientRect().top - top;
      const before = contentChildren(section).some(k => k !== cell && !k.contains(cell) &&
                                                        k.getBoundingClientRect().bottom - top <= above + 1 &&
                                                        k.getBoundingClientRect().height > 0);
      if (before && above > cfg.height * 0.25 && alone >= grow * cfg.figureMoveGain &&
          h * grow < cfg.height * cfg.figureSmall) { return cell; }
    }
    return null;
  }

  function layOut(slides) {
    // Split: each slide is cut until it fits; the parts cut off are laid out next, in order.
    let heading = '';
    const work = leafSections(slides);
    for (let i = 0; i < work.length; i++) {
      const section = work[i];
      for (let guard = 0; guard < 60; guard++) {
        fitEquations(section);
        sizeFigures(section, 1);
        heading = headingOf(section) || heading;
        if (contentBottom(section) <= cfg.height) { break; }
        const room = cfg.height - 40;   // a moved cell must fit under a "(continued)" label
        // Cut a little above the slide's end: the boxes around a cut (padding, margins) end below it.
        const cut = findCut(section, cfg.height - 16, section.getBoundingClientRect().top, false, room);
        if (!cut) { break; }
        work.splice(i + 1, 0, splitAt(section, cut, heading));
      }
    }
    heading = '';
    const queue = leafSections(slides);
    for (let i = 0; i < queue.length; i++) {
      const section = queue[i];
      heading = headingOf(section) || heading;
      const grow = fitSection(section);
      const cell = grow >= 1 ? figureToMove(section, grow) : null;
      if (cell) {
        const next = splitAt(section, {before: cell}, heading);
        queue.splice(i + 1, 0, next);
        fitSection(section);
      }
    }
  }

  async function whenTypeset() {
    if (document.readyState !== 'complete') { await new Promise(r => addEventListener('load', r, {once: true})); }
    for (let i = 0; i < 400 && window.MathJax && !(MathJax.startup && MathJax.startup.promise); i++) { await sleep(25); }
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
    if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
    await Promise.all([...document.querySelectorAll('.reveal img')].map(img =>
      img.complete ? (img.decode ? img.decode().catch(() => null) : null)
                   : new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
  }

  /* Measure and fit, then start reveal.js with `revealConfig` (its width and height are the slide's). */
  async function start(options, revealConfig) {
    cfg = Object.assign({width: 1024, height: 704, minScale: 0.75, figureMaxGrow: 2, figureMaxHeight: 0.9,
                         figureSmall: 0.4, figureMoveGain: 1.4, equationMinScale: 0.6}, options || {});
    const reveal = document.querySelector('.reveal');
    const slides = reveal.querySelector('.slides');
    try {
      await whenTypeset();
      reveal.classList.add('lecture-measuring');
      slides.style.width = cfg.width + 'px';
      breakWideEquations(slides);
      layOut(slides);
    } catch (error) {
      console.warn('lecture_fit: slides left as they are:', error);
    } finally {
      reveal.classList.remove('lecture-measuring');
      slides.style.removeProperty('width');
    }
    await Reveal.initialize(Object.assign({}, revealConfig, {width: cfg.width, height: cfg.height}));
    settle();
  }

  window.LectureFit = {start, settled: () => settled, cellBreaks: () => cellBreaks.slice()};
})();
