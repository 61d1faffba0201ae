// Runs notebooks through JupyterLab's own UI in a Chromium that environment/test-browser.sh started,
// and checks what a student sees. Like run-notebook.js (the classic Notebook's runner), it only
// attaches to the browser over the DevTools protocol; the shell script starts and stops processes.
//
//   node run-lab.js --cdp http://127.0.0.1:PORT --base http://127.0.0.1:PORT --token TOKEN
//                   --shots DIR [--timeout SECONDS] NOTEBOOK.ipynb[:all|:features] ...
//
// ":all" (the default): Run > Run All Cells from the menu bar, then every code cell must have run, in
// order, with no error and no stack trace shown; hints (<details>) must be closed and open on a click;
// outputs redrawn in place are counted. ":features": the feature notebook, cell by cell with the
// toolbar's Run button, as its cells' "gptcourse_browser" metadata says (lab-features.ipynb). After
// all: at least one rendered image and one table, and a chart and a progress bar redrawn in place.
// --timeout bounds each notebook (default 600 s). Prints one JSON line per notebook and a last one
// with "ok" and "text"; exits 0 when everything passed.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');
const lab = require('./lab-page');
const { parseArgs, serverApi } = require('./common');

async function main() {
  const args = parseArgs(process.argv.slice(2), ['all', 'features']);
  const api = serverApi(args.base, args.token);
  const browser = await chromium.connectOverCDP(args.cdp);
  const results = [];
  try {
    const context = browser.contexts()[0] || await browser.newContext();
    for (const nb of args.notebooks) {
      const started = Date.now();
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      let result;
      try {
        await page.setViewportSize({ width: 1280, height: 900 });
        const deadline = started + args.timeout * 1000;
        const opened = await lab.open(page, args.base, args.token, nb.name, deadline);
        result = nb.mode === 'features'
          ? await lab.runFeatures(page, nb.name, deadline, api)
          : await lab.runAll(page, nb.name, deadline, api);
        Object.assign(result, opened); // seconds to show the notebook, then to start its kernel
      } catch (err) {
        result = { name: nb.name, problems: [String((err && err.message) || err)] };
      }
      if (pageErrors.length > 0) result.problems.push(`page script error: ${pageErrors[0].slice(0, 300)}`);
      result.screenshot = path.join(args.shots, nb.name.replace(/\.ipynb$/, '.png'));
      await lab.screenshot(page, result.screenshot).catch((err) => result.problems.push(`screenshot: ${err.message}`));
      await api.shutdownSessions(nb.name).catch((err) => result.problems.push(`kernel shutdown: ${err.message}`));
      await page.close().catch(() => {});
      result.seconds = Math.round((Date.now() - started) / 100) / 10;
      result.ok = result.problems.length === 0;
      console.log(JSON.stringify(result));
      results.push(result);
    }
  } finally {
    await browser.close().catch(() => {}); // the connection only; test-browser.sh stops Chromium
  }

  const problems = results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
  const images = results.reduce((n, r) => n + (r.images || 0), 0);
  const tables = results.reduce((n, r) => n + (r.tables || 0), 0);
  if (args.expectOutputs) {
    if (images === 0) problems.push('no rendered image in any notebook');
    if (tables === 0) problems.push('no table in any notebook');
    if (!results.some((r) => r.inPlace && r.inPlace.images > 0)) problems.push('no image output was redrawn in place');
    if (!results.some((r) => r.inPlace && r.inPlace.texts > 0)) problems.push('no text output (progress bar) was redrawn in place');
  }
  const cells = results.reduce((n, r) => n + (r.cells || 0), 0);
  const hints = results.reduce((n, r) => n + (r.hints || 0), 0);
  const summary = {
    ok: problems.length === 0,
    notebooks: results.length,
    text: problems.length === 0
      ? `${results.length} notebooks, ${cells} code cells ran; ${images} images, ${tables} tables, ${hints} hints toggled; `
        + `redrawn in place: ${results.reduce((n, r) => n + ((r.inPlace && r.inPlace.images) || 0), 0)} image and `
        + `${results.reduce((n, r) => n + ((r.inPlace && r.inPlace.texts) || 0), 0)} text outputs`
      : problems.slice(0, 8).join('; '),
  };
  console.log(JSON.stringify(summary));
  return summary.ok ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  const message = String((err && err.message) || err);
  console.log(JSON.stringify({ ok: false, text: message }));
  process.exit(1);
});
