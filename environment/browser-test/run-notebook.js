// Runs one notebook through the classic Notebook UI in a Chromium that environment/test-browser.sh
// started, and checks what a student would see. The browser's start flags and lifetime belong to
// the shell script (so that it alone starts and stops processes); this script only attaches to it
// over the DevTools protocol.
//
//   node run-notebook.js --cdp http://127.0.0.1:PORT --url NOTEBOOK_URL --screenshot FILE.png [--timeout SECONDS]
//
// Prints one JSON line with what it found (its "text" says it in words); exits 0 when the notebook ran with no error output,
// with at least one rendered chart image and one table, and 1 otherwise.
'use strict';
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const args = { timeout: 180 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`option ${key} needs a value`);
    if (key === '--cdp') args.cdp = value;
    else if (key === '--url') args.url = value;
    else if (key === '--screenshot') args.screenshot = value;
    else if (key === '--timeout') {
      args.timeout = Number(value);
      if (!(args.timeout > 0)) throw new Error(`--timeout must be a positive number of seconds, got '${value}'`);
    } else throw new Error(`unknown option '${key}'`);
  }
  for (const need of ['cdp', 'url', 'screenshot']) {
    if (!args[need]) throw new Error(`--${need} is required`);
  }
  return args;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const browser = await chromium.connectOverCDP(args.cdp);
  try {
    const context = browser.contexts()[0] || await browser.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const consoleErrors = [];
    page.on('pageerror', (err) => consoleErrors.push(String(err)));

    await page.goto(args.url, { waitUntil: 'load', timeout: 60000 });
    await page.waitForSelector('#notebook-container .cell', { timeout: 60000 });
    await waitFor(page, 'kernel start', 90000, (s) => s.kernel === 'idle');

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

    const done = await waitFor(page, 'Run All', args.timeout * 1000, (s) =>
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
      if (!(counts[i] > counts[i - 1])) problems.push(`execution counts not in cell order: ${counts.join(',')}`);
    }
    const goodImages = found.images.filter((i) => (i.kind === 'svg' || i.complete) && i.width > 0 && i.height > 0);
    if (goodImages.length === 0) problems.push(`no rendered chart image (image outputs: ${JSON.stringify(found.images)})`);
    if (found.tables.length === 0) problems.push('no table output');
    if (found.errors.length > 0) problems.push(`error output: ${found.errors[0].slice(0, 400)}`);
    // Logging on stderr is allowed; a stack trace there is a failure a student would see.
    // (A warning that names an exception, e.g. the offline data fallback, is not a trace.)
    const traces = found.stderr.filter((t) =>
      /^\s+at \S+\(|^Traceback|^Caused by: |^Exception in thread|^[\w.$]+(Exception|Error)(: |$)/m.test(t));
    if (traces.length > 0) problems.push(`stack trace on stderr: ${traces[0].slice(0, 400)}`);
    if (consoleErrors.length > 0) problems.push(`page script error: ${consoleErrors[0]}`);

    // The notebook scrolls inside #site, so a full-page screenshot would stop at the window: grow the
    // viewport to the notebook's height first.
    const height = await page.evaluate(() => {
      const header = document.querySelector('#header');
      const nb = document.querySelector('#notebook');
      return Math.ceil((header ? header.offsetHeight : 0) + (nb ? nb.scrollHeight : 900)) + 20;
    });
    await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 12000) });
    await sleep(300);
    await page.screenshot({ path: args.screenshot });

    const summary = {
      ok: problems.length === 0,
      cells: counts.length,
      executionCounts: counts,
      images: goodImages.map((i) => `${Math.round(i.width)}x${Math.round(i.height)}`),
      tables: found.tables.map((rows) => `${rows} rows`),
      errors: found.errors.length,
      stderrOutputs: found.stderr.length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      problems,
    };
    summary.text = summary.ok
      ? `${counts.length} code cells ran; images ${summary.images.join(' ')}; tables ${summary.tables.join(', ')}; no error output`
      : problems.join('; ');
    console.log(JSON.stringify(summary));
    return summary.ok ? 0 : 1;
  } finally {
    // Only the connection: test-browser.sh stops the browser process itself.
    await browser.close().catch(() => {});
  }
}

main().then((code) => process.exit(code), (err) => {
  const message = String((err && err.message) || err);
  console.log(JSON.stringify({ ok: false, problems: [message], text: message }));
  process.exit(1);
});
