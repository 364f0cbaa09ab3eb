// One student's visit to the hub, in Debian's headless Chromium driven by playwright-core:
// log in, follow an nbgitpuller link, land in JupyterLab on the notebook, and optionally run it
// top to bottom, write an answer into an exercise and run its checker, and save. Prints one JSON
// object: what the student saw (kernel, errors shown, texts found) and each step's seconds.
// Used by tests/test_hub.py:
//
//   node tools/hub/student.mjs '{"hub": "http://127.0.0.1:8000", "user": "alice", "link": "...",
//        "notebook": "01_x.ipynb", "runAll": true, "codeCells": 28, "answer": {"marker": "def f(", "code": "..."},
//        "expect": ["text"], "screenshot": "/tmp/alice.png"}'
import { chromium } from "playwright-core";

const spec = JSON.parse(process.argv[2]);
const times = {};
let last = Date.now();
const step = (name) => { const now = Date.now(); times[name] = (now - last) / 1000; last = now; };
const report = { user: spec.user, times };

const browser = await chromium.launch({
  executablePath: spec.browser || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(spec.timeoutMs || 180000);
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));

// The prompt of every code cell: "[ ]:", "[*]:" or "[12]:".
const prompts = () => page.$$eval(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt",
  (els) => els.map((e) => e.textContent.trim()));

try {
  await page.goto(`${spec.hub}/hub/login`);
  await page.fill("#username_input", spec.user);
  await page.fill("#password_input", "any password");
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith("/hub/login")), page.click("#login_submit")]);
  step("log in");

  // The link: hub -> spawn (first time) -> nbgitpuller's clone or merge -> JupyterLab on the notebook.
  await page.goto(spec.link);
  await page.waitForURL((u) => u.pathname.includes("/lab/tree/") && u.pathname.endsWith(spec.notebook));
  const panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)");
  await panel.locator(".jp-Cell").first().waitFor();
  report.url_path = new URL(page.url()).pathname;
  report.tab = (await page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    .first().textContent()).trim();
  const kernel = panel.locator(".jp-Toolbar-kernelName");
  await page.waitForFunction(() => {
    const name = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-kernelName");
    return name && name.textContent.trim() && !/^(No Kernel|Kernel)$/.test(name.textContent.trim());
  });
  report.kernel = (await kernel.first().textContent()).trim();
  step("follow the link to the notebook");

  if (spec.runAll) {
    // Clear the committed outputs first (every prompt back to "[ ]"), so that "done" is unambiguous:
    // every code cell numbered again by this kernel.
    await page.click(".lm-MenuBar-item:has-text('Edit')");
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Clear Outputs of All Cells$/ }).click();
    await page.waitForFunction(() => [...document.querySelectorAll(
      ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")].every((e) => !/\d/.test(e.textContent)));
    await page.click(".lm-MenuBar-item:has-text('Run')");
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    // Done when every code cell shows a number: spec.codeCells of them (JupyterLab draws cells lazily).
    const codeCells = spec.codeCells;
    await page.waitForFunction((n) => {
      const p = [...document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")];
      return p.length === n && p.every((e) => /\[\d+\]/.test(e.textContent));
    }, codeCells, { timeout: spec.runTimeoutMs || 300000, polling: 500 });
    report.prompts = await prompts();
    step("run all cells");
  }

  if (spec.answer) {
    const cell = panel.locator(".jp-CodeCell").filter({ has: page.locator(".cm-content", { hasText: spec.answer.marker }) }).first();
    const check = cell.locator("xpath=following-sibling::div[contains(@class, 'jp-CodeCell')][1]");
    const before = (await check.locator(".jp-InputPrompt").textContent()).trim();
    await cell.locator(".cm-content").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(spec.answer.code); // typed as pasted text: no auto-indent, no auto-brackets
    await page.keyboard.press("Shift+Enter");          // the answer's cell
    await page.keyboard.press("Shift+Enter");          // its checker, the next cell
    // Done when the checker's prompt carries a new execution number.
    await page.waitForFunction(([el, old]) => {
      const now = el.querySelector(".jp-InputPrompt").textContent.trim();
      return /\[\d+\]/.test(now) && now !== old;
    }, [await check.elementHandle(), before]);
    report.checker_output = (await check.locator(".jp-OutputArea").textContent()).trim();
    step("write an answer and run its checker");
  }

  if (spec.runAll || spec.answer) {
    await page.keyboard.press("Control+S");
    await page.waitForFunction(() => !document.querySelector(".lm-TabBar-tab.lm-mod-current.jp-mod-dirty"));
    step("save");
  }

  // What the student sees: the notebook scrolled from top to bottom (JupyterLab renders only the
  // cells near the screen), each rendered cell's text read; the screenshot shows where the first
  // expected text was.
  report.found = Object.fromEntries((spec.expect || []).map((t) => [t, false]));
  const scroller = panel.locator(".jp-WindowedPanel-outer").first();
  if (spec.expect) { await scroller.evaluate((el) => { el.scrollTop = 0; }); }
  let shownAt = null;
  for (let screen = 0; spec.expect && screen < 500; screen++) {
    await page.waitForTimeout(100);
    for (const cell of await panel.locator(".jp-Cell").all()) {
      const text = await cell.innerText().catch(() => "");
      for (const wanted of spec.expect || []) {
        if (text.includes(wanted) && !report.found[wanted]) {
          report.found[wanted] = true;
          shownAt = shownAt ?? await scroller.evaluate((el) => el.scrollTop);
        }
      }
    }
    if (Object.values(report.found).every(Boolean)) { break; }
    const moved = await scroller.evaluate((el) => {
      const before = el.scrollTop;
      el.scrollTop = before + el.clientHeight * 0.8;
      return el.scrollTop > before;
    });
    if (!moved) { break; }
  }
  if (shownAt !== null) {
    await scroller.evaluate((el, top) => { el.scrollTop = top; }, shownAt);
    await panel.locator(".jp-Cell", { hasText: spec.expect.find((t) => report.found[t]) }).first()
      .scrollIntoViewIfNeeded({ timeout: 10000 }).catch(() => {});
    await page.waitForTimeout(500);
  }
  report.errors_shown = await panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").allInnerTexts()
    .then((all) => all.map((t) => t.split("\n").filter((l) => l.trim()).slice(-1)[0] || ""));
  if (spec.screenshot) { await page.screenshot({ path: spec.screenshot }); }
  report.page_errors = consoleErrors;
  report.ok = true;
} catch (error) {
  report.ok = false;
  report.error = String(error).split("\n").slice(0, 6).join("\n");
  report.url = page.url();
  if (spec.screenshot) { await page.screenshot({ path: spec.screenshot }).catch(() => {}); }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
