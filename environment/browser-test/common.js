// What both browser runners share: their command line, the server's REST API, and the hint check.
'use strict';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --cdp URL --base URL --token T --shots DIR [--timeout S] [--expect-outputs yes|no] NAME.ipynb[:MODE] ...;
// modes[0] is the default. --expect-outputs no: the notebooks together need not show an image, a
// table or an output redrawn in place (a notebook of the user's choice may have none).
function parseArgs(argv, modes) {
  const args = { timeout: 600, notebooks: [], expectOutputs: true };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--')) {
      const [name, mode = modes[0]] = key.split(/:(?=[a-z]+$)/);
      if (!name.endsWith('.ipynb') || name.includes('/')) throw new Error(`'${key}' is not NAME.ipynb${modes.length > 1 ? `[:${modes.join('|:')}]` : ''}`);
      if (!modes.includes(mode)) throw new Error(`unknown mode '${mode}' for ${name}`);
      args.notebooks.push({ name, mode });
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`option ${key} needs a value`);
    if (key === '--cdp') args.cdp = value;
    else if (key === '--base') args.base = value.replace(/\/+$/, '');
    else if (key === '--token') args.token = value;
    else if (key === '--shots') args.shots = value;
    else if (key === '--expect-outputs') {
      if (value !== 'yes' && value !== 'no') throw new Error(`--expect-outputs must be yes or no, got '${value}'`);
      args.expectOutputs = value === 'yes';
    } else if (key === '--timeout') {
      args.timeout = Number(value);
      if (!(args.timeout > 0)) throw new Error(`--timeout must be a positive number of seconds, got '${value}'`);
    } else throw new Error(`unknown option '${key}'`);
  }
  for (const need of ['cdp', 'base', 'token', 'shots']) {
    if (!args[need]) throw new Error(`--${need} is required`);
  }
  if (args.notebooks.length === 0) throw new Error('no notebook given');
  return args;
}

// The Jupyter server's REST API with the token (the same in jupyter-server and Notebook 6).
function serverApi(base, token) {
  const call = async (method, url) => {
    const response = await fetch(`${base}${url}`, { method, headers: { Authorization: `token ${token}` } });
    if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status}`);
    return response.status === 204 ? null : response.json();
  };
  return {
    contents: (name) => call('GET', `/api/contents/${encodeURIComponent(name)}?content=1&type=notebook`),
    // Stops the notebook's kernel (a Java kernel holds a few GB) before the next notebook starts one.
    async shutdownSessions(name) {
      for (const session of await call('GET', '/api/sessions')) {
        const path = session.path || (session.notebook && session.notebook.path);
        if (path === name) await call('DELETE', `/api/sessions/${session.id}`);
      }
    },
  };
}

const sourceOf = (cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source || '');

// How many hints (<details> elements) the notebook file's markdown cells hold.
const countDetails = (nb) => nb.cells.filter((c) => c.cell_type === 'markdown')
  .reduce((n, c) => n + (sourceOf(c).match(/<details[\s>]/g) || []).length, 0);

// Every hint (the <details> elements that `selector` finds) starts closed, opens on a click on its
// summary (the hint grows taller than its summary line) and closes on a second click.
async function checkHints(page, selector) {
  const hints = page.locator(selector);
  const count = await hints.count();
  const problems = [];
  const state = (d) => {
    const summary = d.querySelector('summary');
    return { open: d.open, shown: d.getBoundingClientRect().height > summary.getBoundingClientRect().height + 2 };
  };
  for (let i = 0; i < count; i++) {
    const hint = hints.nth(i);
    const summary = hint.locator('summary').first();
    if (await summary.count() === 0) { problems.push(`hint ${i + 1} has no <summary>`); continue; }
    await hint.scrollIntoViewIfNeeded();
    const before = await hint.evaluate(state);
    await summary.click();
    await sleep(150);
    const opened = await hint.evaluate(state);
    await summary.click();
    await sleep(150);
    if (before.open || before.shown) problems.push(`hint ${i + 1} is open before any click`);
    if (!opened.open || !opened.shown) problems.push(`hint ${i + 1} did not open (or showed nothing) on a click`);
    if ((await hint.evaluate(state)).open) problems.push(`hint ${i + 1} did not close on a second click`);
  }
  return { count, problems };
}

module.exports = { sleep, parseArgs, serverApi, sourceOf, countDetails, checkHints };
