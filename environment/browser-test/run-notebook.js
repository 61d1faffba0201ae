// Runs notebooks through the classic Notebook UI (the launch command's last fallback) in a Chromium
// that environment/test-browser.sh started, and checks what a student would see. The browser's start
// flags and lifetime belong to the shell script (so that it alone starts and stops processes); this
// script only attaches to it over the DevTools protocol.
//
//   node run-notebook.js --cdp http://127.0.0.1:PORT --base http://127.0.0.1:PORT --token TOKEN
//                        --shots DIR [--timeout SECONDS] NOTEBOOK.ipynb ...
//
// For each notebook: Cell > Run All with the mouse; every code cell must run, in order, with no error
// output and no stack trace; every hint (<details> in a markdown cell) must start closed and open and
// close on clicks; its kernel is shut down afterwards. Across all: at least one rendered chart image
// and one table. Prints one JSON line per notebook and a last one with "ok" and "text"; exits 0 when
// everything passed. --timeout bounds each notebook (default 600 s).
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');
const { sleep, parseArgs, serverApi, countDetails, checkHints } = require('./common');


// What the page shows: the kernel indicator's state, each code cell's prompt, and any modal dialog
// (such as "Kernel not found"), read from the DOM as a person would read the screen.
function readState() {
  const icon = document.querySelector('#kernel_indicator_icon');
  const kernel = !icon ? 'none'
    : icon.classList.contains('kernel_idle_icon') ? 'idle'
    : icon.classList.contains('kernel_busy_icon') ? 'busy'
    : icon.classList.contains('kernel_dead_icon') ? 'dead'
    : icon.classList.contains('kernel_disconnected_icon') ? 'disconnected' : (icon.className || 'unknown');
  const cells = [...document.querySelectorAll('#notebook-container .cell.code_cell')].map((cell) => ({
    prompt: (cell.querySelector('.input_prompt') || {}).textContent || '',
    empty: ((cell.querySelector('.CodeMirror') || {}).CodeMirror || { getValue: () => 'x' }).getValue().trim() === '',
  }));
  const modal = [...document.querySelectorAll('.modal.in .modal-dialog')].map((d) => d.innerText.trim()).join(' | ');
  return { kernel, cells, modal };
}

async function waitFor(page, what, timeoutMs, test) {
  const deadline = Date.now() + timeoutMs;
  let state;
  while (Date.now() < deadline) {
    state = await page.evaluate(readState);
    if (state.modal) throw new Error(`${what}: the page shows a dialog: ${state.modal}`);
    if (state.kernel === 'dead') throw new Error(`${what}: the kernel died`);
    if (test(state)) return state;
    await sleep(250);
  }
  throw new Error(`${what}: not reached in ${timeoutMs / 1000} s; kernel ${state && state.kernel}, prompts ${
    state ? JSON.stringify(state.cells.map((c) => c.prompt.replace(/\s+/g, ''))) : 'none'}`);
}

async function runNotebook(context, args, api, name) {
  const started = Date.now();
  // Every wait below shares the notebook's --timeout: a loaded machine can take minutes to load a page.
  const deadline = started + args.timeout * 1000;
  const left = () => Math.max(1000, deadline - Date.now());
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    const consoleErrors = [];
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    const expectedHints = countDetails((await api.contents(name)).content);

    await page.goto(`${args.base}/notebooks/${encodeURIComponent(name)}?token=${encodeURIComponent(args.token)}`, { waitUntil: 'load', timeout: left() });
    await page.waitForSelector('#notebook-container .cell', { timeout: left() });
    await waitFor(page, 'kernel start', left(), (s) => s.kernel === 'idle');

    // A MutationObserver notes every "In [*]" prompt from here on: seeing one proves that the click
    // below queued the cells (prompts saved in the file could otherwise pass for finished ones).
    await page.evaluate(() => {
      window.__gptcourseQueued = 0;
      new MutationObserver(() => {
        for (const p of document.querySelectorAll('.code_cell .input_prompt')) {
          if (p.textContent.includes('*')) window.__gptcourseQueued++;
        }
      }).observe(document.querySelector('#notebook-container'), { subtree: true, childList: true, characterData: true });
    });

    // Cell > Run All, with the mouse, as a student would.
    await page.click('#celllink');
    await page.click('#run_all_cells > a');

    const done = await waitFor(page, 'Run All', left(), (s) =>
      s.kernel === 'idle' && s.cells.every((c) => c.empty || /\[\s*\d+\s*\]/.test(c.prompt)));
    const queued = await page.evaluate(() => window.__gptcourseQueued);

    const found = await page.evaluate(() => {
      const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.innerText.trim());
      const images = [...document.querySelectorAll('.output_png img, .output_jpeg img, .output_svg svg')].map((img) =>
        img.tagName.toLowerCase() === 'svg'
          ? { kind: 'svg', width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height }
          : { kind: 'img', complete: img.complete, width: img.naturalWidth, height: img.naturalHeight });
      const tables = [...document.querySelectorAll('.output_html table, .output_markdown table')]
        .map((t) => (t.tBodies[0] ? t.tBodies[0].rows.length : t.rows.length));
      return { images, tables, errors: text('.output_error'), stderr: text('.output_stderr') };
    });

    const counts = done.cells.filter((c) => !c.empty).map((c) => Number((c.prompt.match(/\[\s*(\d+)\s*\]/) || [])[1]));
    const problems = [];
    if (queued === 0) problems.push('no cell was ever shown as queued (In [*]) after Run All');
    for (let i = 1; i < counts.length; i++) {
      if (!(counts[i] > counts[i - 1])) { problems.push(`execution counts not in cell order: ${counts.join(',')}`); break; }
    }
    const goodImages = found.images.filter((i) => (i.kind === 'svg' || i.complete) && i.width > 0 && i.height > 0);
    if (found.errors.length > 0) problems.push(`error output: ${found.errors[0].slice(0, 400)}`);
    // Logging on stderr is allowed; a stack trace there is a failure a student would see.
    // (A warning that names an exception, e.g. the offline data fallback, is not a trace.)
    const traces = found.stderr.filter((t) =>
      /^\s+at \S+\(|^Traceback|^Caused by: |^Exception in thread|^[\w.$]+(Exception|Error)(: |$)/m.test(t));
    if (traces.length > 0) problems.push(`stack trace on stderr: ${traces[0].slice(0, 400)}`);
    const hints = await checkHints(page, '#notebook-container .text_cell_render details');
    problems.push(...hints.problems);
    if (hints.count !== expectedHints) problems.push(`${expectedHints} <details> hints in the file, ${hints.count} rendered`);
    if (consoleErrors.length > 0) problems.push(`page script error: ${consoleErrors[0]}`);

    // The notebook scrolls inside #site, so a full-page screenshot would stop at the window: grow the
    // viewport to the notebook's height first.
    const height = await page.evaluate(() => {
      const header = document.querySelector('#header');
      const nb = document.querySelector('#notebook');
      return Math.ceil((header ? header.offsetHeight : 0) + (nb ? nb.scrollHeight : 900)) + 20;
    });
    await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 16000) });
    await sleep(300);
    const screenshot = path.join(args.shots, name.replace(/\.ipynb$/, '.png'));
    await page.screenshot({ path: screenshot });
    return {
      name,
      problems,
      cells: counts.length,
      images: goodImages.length,
      tables: found.tables.length,
      hints: hints.count,
      errors: found.errors.length,
      screenshot,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } catch (err) {
    return { name, problems: [String((err && err.message) || err)], seconds: Math.round((Date.now() - started) / 100) / 10 };
  } finally {
    await page.close().catch(() => {});
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2), ['all']);
  const api = serverApi(args.base, args.token);
  const browser = await chromium.connectOverCDP(args.cdp);
  const results = [];
  try {
    const context = browser.contexts()[0] || await browser.newContext();
    for (const { name } of args.notebooks) {
      const result = await runNotebook(context, args, api, name);
      await api.shutdownSessions(name).catch((err) => result.problems.push(`kernel shutdown: ${err.message}`));
      result.ok = result.problems.length === 0;
      console.log(JSON.stringify(result));
      results.push(result);
    }
  } finally {
    // Only the connection: test-browser.sh stops the browser process itself.
    await browser.close().catch(() => {});
  }
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
  const images = results.reduce((n, r) => n + (r.images || 0), 0);
  const tables = results.reduce((n, r) => n + (r.tables || 0), 0);
  const hints = results.reduce((n, r) => n + (r.hints || 0), 0);
  const cells = results.reduce((n, r) => n + (r.cells || 0), 0);
  if (args.expectOutputs && images === 0) problems.push('no rendered chart image in any notebook');
  if (args.expectOutputs && tables === 0) problems.push('no table output in any notebook');
  const summary = {
    ok: problems.length === 0,
    notebooks: results.length,
    text: problems.length === 0
      ? `${results.length} notebooks, ${cells} code cells ran; ${images} images, ${tables} tables, ${hints} hints toggled; no error output`
      : problems.slice(0, 8).join('; '),
  };
  console.log(JSON.stringify(summary));
  return summary.ok ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  const message = String((err && err.message) || err);
  console.log(JSON.stringify({ ok: false, problems: [message], text: message }));
  process.exit(1);
});
