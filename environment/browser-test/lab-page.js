// What run-lab.js does with one JupyterLab page: open a notebook, run it as a student would (the menu
// bar, the toolbar), and read back what the screen shows. Everything here reads the DOM a person
// sees (prompts, the status bar, rendered outputs) or the server's REST API; nothing depends on a
// notebook's prose, only on its cells' metadata.
'use strict';

const { sleep, sourceOf, countDetails, checkHints: checkDetails } = require('./common');
const TRACE = /^\s+at \S+\(|^Traceback|^Caused by: |^Exception in thread/m;

// The page's state as a person reads it: the kernel's state from the status bar ("Java (gptcourse) |
// Idle"), each code cell's prompt ("[3]:", "[*]:"), and any dialog on screen.
function readState() {
  const status = (document.querySelector('#jp-main-statusbar') || {}).innerText || '';
  const match = status.match(/\|\s*([A-Za-z]+)/);
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = panel ? [...panel.querySelectorAll('.jp-Notebook > .jp-Cell')].map((cell) => {
    const editor = cell.querySelector('.CodeMirror');
    return {
      code: cell.classList.contains('jp-CodeCell'),
      prompt: ((cell.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
      empty: editor && editor.CodeMirror ? editor.CodeMirror.getValue().trim() === '' : false,
    };
  }) : [];
  const dialog = [...document.querySelectorAll('.jp-Dialog')].map((d) => d.innerText.trim().replace(/\s+/g, ' ')).join(' | ');
  return { kernel: match ? match[1].toLowerCase() : 'none', cells, dialog };
}

async function waitFor(page, what, deadline, test, { allowDialog = false } = {}) {
  let state;
  while (Date.now() < deadline) {
    state = await page.evaluate(readState);
    if (state.dialog && !allowDialog) throw new Error(`${what}: the page shows a dialog: ${state.dialog.slice(0, 300)}`);
    if (state.kernel === 'dead') throw new Error(`${what}: the kernel died`);
    if (test(state)) return state;
    await sleep(300);
  }
  throw new Error(`${what}: not reached in time; kernel ${state && state.kernel}, prompts ${
    state ? JSON.stringify(state.cells.filter((c) => c.code).map((c) => c.prompt)) : 'none'}`);
}

const settled = (s) => s.kernel === 'idle' && !s.cells.some((c) => c.code && c.prompt.includes('*'));

let workspaces = 0;

async function open(page, base, token, name, deadline) {
  // A workspace of its own for each notebook (and ?reset): only this notebook open, not the ones the
  // default workspace would restore (each would start a kernel of its own).
  const workspace = `browser-test-${process.pid}-${++workspaces}`;
  const started = Date.now();
  await page.goto(`${base}/lab/workspaces/${workspace}/tree/${encodeURIComponent(name)}?reset&token=${encodeURIComponent(token)}`,
    { waitUntil: 'load', timeout: Math.max(1000, deadline - Date.now()) });
  await page.waitForSelector('.jp-NotebookPanel .jp-Notebook > .jp-Cell', { timeout: Math.max(1000, deadline - Date.now()) });
  const shown = Date.now();
  await waitFor(page, `${name}: kernel start`, deadline, (s) => s.kernel === 'idle');
  await page.evaluate(watchOutputs);
  return { pageSeconds: Math.round((shown - started) / 100) / 10, kernelSeconds: Math.round((Date.now() - shown) / 100) / 10 };
}

// Notes, from now on, every "[*]" prompt and, for each cell's output area, each output position's
// distinct contents (an image's data, a text) and DOM elements: an output redrawn in place keeps
// its position (and, in JupyterLab, its element) while its content changes; appended copies would
// add positions instead.
function watchOutputs() {
  const hashes = new WeakMap();
  const hash = (img) => {
    const known = hashes.get(img);
    if (known && known.src === img.src) return known.hash;
    let h = 5381;
    for (let i = 0; i < img.src.length; i++) h = ((h * 33) ^ img.src.charCodeAt(i)) | 0;
    hashes.set(img, { src: img.src, hash: h });
    return h;
  };
  const ids = new WeakMap();
  let nextId = 1;
  const idOf = (node) => ids.get(node) || (ids.set(node, nextId), nextId++);
  const watch = { queued: 0, areas: {} };
  window.__gptcourse = watch;
  const scan = () => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return;
    panel.querySelectorAll('.jp-Notebook > .jp-Cell').forEach((cell, index) => {
      const prompt = cell.querySelector('.jp-InputPrompt');
      if (prompt && prompt.textContent.includes('*')) watch.queued++;
      const area = cell.querySelector('.jp-OutputArea');
      if (!area) return;
      const children = [...area.children].filter((c) => c.classList.contains('jp-OutputArea-child'));
      const record = watch.areas[index] || (watch.areas[index] = { max: 0, slots: [] });
      record.max = Math.max(record.max, children.length);
      children.forEach((child, i) => {
        const slot = record.slots[i] || (record.slots[i] = { images: [], texts: [], elements: [] });
        const img = child.querySelector('.jp-OutputArea-output img');
        if (img && img.src) {
          const h = hash(img);
          if (!slot.images.includes(h)) slot.images.push(h);
        } else {
          const text = (child.querySelector('.jp-OutputArea-output') || child).innerText;
          if (!slot.texts.includes(text) && slot.texts.length < 1000) slot.texts.push(text);
        }
        const id = idOf(child);
        if (!slot.elements.includes(id)) slot.elements.push(id);
      });
    });
  };
  new MutationObserver(scan).observe(document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)'),
    { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['src'] });
  scan();
}

// Outputs redrawn in place, from watchOutputs' notes: positions that showed two or more images (or
// texts) in an area that never held more outputs than it ends with.
async function inPlace(page, onlyCell) {
  return page.evaluate((only) => {
    const found = { images: 0, texts: 0, sameElement: 0, cells: [] };
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const cells = [...panel.querySelectorAll('.jp-Notebook > .jp-Cell')];
    for (const [index, record] of Object.entries(window.__gptcourse.areas)) {
      if (only !== null && Number(index) !== only) continue;
      const area = cells[index] && cells[index].querySelector('.jp-OutputArea');
      const now = area ? [...area.children].filter((c) => c.classList.contains('jp-OutputArea-child')).length : 0;
      if (record.max > now) continue; // outputs were added and taken away: not an in-place redraw
      for (const slot of record.slots) {
        const images = slot.images.length >= 2;
        const texts = !images && slot.texts.length >= 2;
        if (images) found.images++;
        if (texts) found.texts++;
        if ((images || texts) && slot.elements.length === 1) found.sameElement++;
        if (images || texts) found.cells.push({ cell: Number(index), images: slot.images.length, texts: slot.texts.length, elements: slot.elements.length });
      }
    }
    return found;
  }, onlyCell === undefined ? null : onlyCell);
}

// What the outputs show, per cell index: rendered images, tables (body rows), stderr/error texts.
function readOutputs() {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  return [...panel.querySelectorAll('.jp-Notebook > .jp-Cell')].map((cell) => {
    const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')];
    const images = [...cell.querySelectorAll('.jp-OutputArea-output img')].filter((i) => i.complete && i.naturalWidth > 0)
      .map((i) => `${i.naturalWidth}x${i.naturalHeight}`)
      .concat([...cell.querySelectorAll('.jp-OutputArea-output svg')].filter((s) => s.getBoundingClientRect().width > 20).map(() => 'svg'));
    const tables = [...cell.querySelectorAll('.jp-OutputArea-output table')].map((t) => (t.tBodies[0] ? t.tBodies[0].rows.length : t.rows.length));
    const stderr = outputs.filter((o) => o.dataset.mimeType === 'application/vnd.jupyter.stderr').map((o) => o.innerText);
    return { images, tables, stderr, text: outputs.map((o) => o.innerText).join('\n') };
  });
}

// The hints of the notebook on screen (<details> in its rendered markdown cells).
const checkHints = (page) => checkDetails(page, '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell .jp-RenderedMarkdown details');

// The saved file, after the toolbar's Save: every non-empty code cell numbered and no error output.
async function checkSaved(page, api, name, deadline) {
  await page.click('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar [data-command="docmanager:save"]');
  let problems = ['the notebook was not saved'];
  while (Date.now() < deadline) {
    const saved = (await api.contents(name)).content;
    const code = saved.cells.filter((c) => c.cell_type === 'code' && sourceOf(c).trim() !== '');
    problems = [];
    const unrun = code.filter((c) => c.execution_count === null).length;
    if (unrun > 0) problems.push(`${unrun} code cells have no execution count in the saved file`);
    const errors = code.flatMap((c) => c.outputs.filter((o) => o.output_type === 'error'));
    if (errors.length > 0) problems.push(`saved error output: ${errors[0].ename}: ${String(errors[0].evalue).slice(0, 200)}`);
    if (unrun === 0) break;
    await sleep(500);
  }
  return problems;
}

async function runAll(page, name, deadline, api) {
  const file = (await api.contents(name)).content;
  const expectedHints = countDetails(file);
  const problems = [];
  // Run > Run All Cells, with the mouse.
  await page.locator('#jp-menu-panel .lm-MenuBar-item, .lm-MenuBar .lm-MenuBar-item', { hasText: /^Run$/ }).first().click();
  await page.locator('.lm-Menu .lm-Menu-item', { has: page.locator('.lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }) }).first().click();
  await page.waitForFunction(() => window.__gptcourse.queued > 0, null, { timeout: Math.max(1000, deadline - Date.now()) })
    .catch(() => { throw new Error(`${name}: no cell was ever shown as queued ([*]) after Run All`); });
  // Settled twice in a row: idle with no [*], not the instant between two cells.
  let last = false;
  const done = await waitFor(page, `${name}: Run All`, deadline, (s) => {
    const ok = settled(s) && last;
    last = settled(s);
    return ok;
  });
  const code = done.cells.filter((c) => c.code && !c.empty);
  const counts = code.map((c) => Number((c.prompt.match(/\[\s*(\d+)\s*\]/) || [])[1]));
  const unrun = counts.filter((n) => !(n > 0)).length;
  if (unrun > 0) problems.push(`${unrun} of ${code.length} code cells did not run (prompts ${JSON.stringify(code.map((c) => c.prompt))})`);
  for (let i = 1; i < counts.length; i++) {
    if (!(counts[i] > counts[i - 1])) { problems.push(`execution counts not in cell order: ${counts.join(',')}`); break; }
  }
  const outputs = await page.evaluate(readOutputs);
  const traces = outputs.flatMap((o) => o.stderr).filter((t) => TRACE.test(t));
  if (traces.length > 0) problems.push(`stack trace shown: ${traces[0].slice(0, 300)}`);
  problems.push(...await checkSaved(page, api, name, deadline));
  const hints = await checkHints(page);
  problems.push(...hints.problems);
  if (hints.count !== expectedHints) problems.push(`${expectedHints} <details> hints in the file, ${hints.count} rendered`);
  return {
    name,
    problems,
    cells: code.length,
    images: outputs.reduce((n, o) => n + o.images.length, 0),
    tables: outputs.reduce((n, o) => n + o.tables.length, 0),
    hints: hints.count,
    inPlace: await inPlace(page),
  };
}

async function runCell(page, index, what, deadline, { wait = true } = {}) {
  const cell = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook > .jp-Cell').nth(index);
  await cell.scrollIntoViewIfNeeded();
  await cell.locator('.jp-InputPrompt').click();
  await page.click('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar [data-command="runmenu:run"]');
  if (!wait) return null;
  let last = false;
  return waitFor(page, what, deadline, (s) => {
    const ok = settled(s) && /\[\s*\d+\s*\]/.test(s.cells[index].prompt) && last;
    last = settled(s) && /\[\s*\d+\s*\]/.test(s.cells[index].prompt);
    return ok;
  });
}

async function runFeatures(page, name, deadline, api) {
  const file = (await api.contents(name)).content;
  const roles = {};
  file.cells.forEach((c, i) => { const r = (c.metadata || {}).gptcourse_browser; if (r) roles[r] = i; });
  const problems = [];
  const need = ['hint', 'live', 'table', 'image', 'compile-error', 'runtime-error', 'long-running', 'after-interrupt'];
  const missing = need.filter((r) => roles[r] === undefined);
  if (missing.length > 0) throw new Error(`no cell with gptcourse_browser metadata ${missing.join(', ')}`);

  const hints = await checkHints(page);
  problems.push(...hints.problems);
  if (hints.count !== countDetails(file)) problems.push(`${countDetails(file)} <details> hints in the file, ${hints.count} rendered`);
  for (const role of ['live', 'table', 'image', 'compile-error', 'runtime-error']) {
    await runCell(page, roles[role], `${name}: the ${role} cell`, deadline);
  }
  const out = await page.evaluate(readOutputs);
  const live = await inPlace(page, roles.live);
  if (live.images < 1 || live.texts < 1) problems.push(`the live chart and progress bar were not redrawn in place: ${JSON.stringify(live)}`);
  if (live.sameElement < 2) problems.push(`the live chart and progress bar were redrawn as new elements: ${JSON.stringify(live)}`);
  if (out[roles.live].images.length !== 1) problems.push(`the live cell shows ${out[roles.live].images.length} images, not one chart`);
  if (JSON.stringify(out[roles.table].tables) !== '[3]') problems.push(`the table cell shows tables ${JSON.stringify(out[roles.table].tables)}, not one of 3 rows`);
  if (out[roles.image].images.length !== 1) problems.push(`the image cell shows ${out[roles.image].images.length} rendered images`);
  const readable = (role, needles, maxLines) => {
    const text = out[roles[role]].text;
    for (const needle of needles) {
      if (!text.includes(needle)) problems.push(`the ${role} cell's output lacks '${needle}': ${JSON.stringify(text.slice(0, 300))}`);
    }
    if (/\u001b\[|\[0;3\dm/.test(text)) problems.push(`the ${role} cell shows raw terminal escapes`);
    if (text.split('\n').length > maxLines) problems.push(`the ${role} cell's message is ${text.split('\n').length} lines long`);
    if (TRACE.test(text) && /jdk\.(jshell|internal)/.test(text)) problems.push(`the ${role} cell shows the kernel's internals: ${text.slice(0, 300)}`);
  };
  readable('compile-error', ['incompatible types'], 20);
  readable('runtime-error', ['NumberFormatException', 'twelve'], 40);

  // Interrupt from the toolbar: the long cell has printed and is still running when the button is clicked.
  const long = roles['long-running'];
  await runCell(page, long, `${name}: the long cell`, deadline, { wait: false });
  await page.waitForFunction((i) => {
    const cell = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook > .jp-Cell')[i];
    return cell.querySelector('.jp-InputPrompt').textContent.includes('*') && cell.querySelector('.jp-OutputArea').innerText.includes('started');
  }, long, { timeout: Math.max(1000, deadline - Date.now()) });
  await sleep(1000);
  const clicked = Date.now();
  await page.click('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar [data-command="kernelmenu:interrupt"]');
  await waitFor(page, `${name}: the interrupted cell`, Math.min(deadline, clicked + 120000),
    (s) => settled(s) && /\[\s*\d+\s*\]/.test(s.cells[long].prompt));
  const interruptSeconds = Math.round((Date.now() - clicked) / 100) / 10;
  const longText = (await page.evaluate(readOutputs))[long].text;
  if (longText.includes('never interrupted')) problems.push('the long cell ran to its end: the interrupt did not stop it');
  await runCell(page, roles['after-interrupt'], `${name}: the cell after the interrupt`, deadline);
  const after = (await page.evaluate(readOutputs))[roles['after-interrupt']].text;
  if (!after.includes('after the interrupt: 42')) problems.push(`the cell after the interrupt printed ${JSON.stringify(after.slice(0, 200))}`);

  return {
    name,
    problems,
    cells: Object.keys(roles).length - 1,
    images: out.reduce((n, o) => n + o.images.length, 0),
    tables: out.reduce((n, o) => n + o.tables.length, 0),
    hints: hints.count,
    inPlace: await inPlace(page),
    interruptSeconds,
    compileError: out[roles['compile-error']].text.split('\n').slice(0, 3).join(' / '),
    runtimeError: out[roles['runtime-error']].text.split('\n').slice(0, 2).join(' / '),
  };
}

// The whole notebook in one picture: the window grows to the notebook's height first (it scrolls
// inside its panel, so a full-page screenshot would stop at the window's edge).
async function screenshot(page, file) {
  const height = await page.evaluate(() => {
    const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-notebook');
    return nb ? nb.scrollHeight + 160 : 900;
  });
  await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 16000) });
  await sleep(500);
  await page.evaluate(() => {
    const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-notebook');
    if (nb) nb.scrollTop = 0;
  });
  await sleep(300);
  await page.screenshot({ path: file });
}

module.exports = { open, runAll, runFeatures, screenshot };
