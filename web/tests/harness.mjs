// End-to-end harness: a real `pingan serve` (fresh database, the DC road graph, the built
// console) and Debian's Chromium driven by playwright-core. Never downloads a browser.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const shots = path.join(repo, 'build/e2e');
export const data = path.resolve(process.env.DATA ?? path.join(repo, '../shared/data'));
export const dcOsm = path.join(data, 'roads/dc-nw.osm.pbf');
export const dcPsa = path.join(data, 'boundaries/dc_psa_2018.geojson');
// DC open-data crime records, 2024-01-01 … 2024-03-17 (analysis tests).
export const dcIncidents = path.join(data, 'incidents/dc_crime_2024-01-01_2024-03-17.csv');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Why the suite cannot run here, in plain words; null when it can.
export function skipReason() {
  if (!fs.existsSync(dcOsm)) return `real data missing: ${dcOsm} (set DATA=/path/to/shared/data)`;
  if (!fs.existsSync(chromiumPath)) return `Chromium missing at ${chromiumPath} (apt-get install chromium)`;
  if (!fs.existsSync(path.join(repo, 'web/dist/index.html'))) return 'console not built: run make web';
  if (!binary()) return 'pingan not built: run make build';
  return null;
}

export function binary() {
  const candidates = [process.env.PINGAN_BIN, 'build/dev/src/cli/pingan', 'build/release/src/cli/pingan', 'build/console/src/cli/pingan']
    .filter(Boolean)
    .map((p) => path.resolve(repo, p));
  // The newest build wins, so a stale one from another preset is not tested by mistake.
  const found = candidates.filter((p) => fs.existsSync(p)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return process.env.PINGAN_BIN ? path.resolve(repo, process.env.PINGAN_BIN) : found[0];
}

function run(args, input) {
  const r = spawnSync(binary(), args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pingan ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// The DC graph is made once per pingan binary and kept in build/e2e (import takes seconds).
export function dcGraph() {
  fs.mkdirSync(shots, { recursive: true });
  const graph = path.join(shots, 'dc-nw.graph');
  const stale = !fs.existsSync(graph) || !fs.existsSync(`${graph}.addresses`) ||
    fs.statSync(graph).mtimeMs < fs.statSync(binary()).mtimeMs;
  if (stale) run(['import', 'osm', dcOsm, '--out', graph]);
  return graph;
}

export const ADMIN = { username: 'admin', password: 'Admin-Pass-2026' };
export const DISPATCHER = { username: 'disp', password: 'Disp-Pass-2026' };
export const CALLTAKER = { username: 'taker', password: 'Taker-Pass-2026' };
export const UNIT = { username: 'car1', password: 'Car1-Pass-2026' };
export const ANALYST = { username: 'ana', password: 'Analyst-Pass-2026' };

export class Server {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-e2e-'));
    this.db = path.join(this.dir, 'pingan.db');
    this.portFile = path.join(this.dir, 'port');
    this.log = path.join(this.dir, 'server.log');
  }

  // port 0 picks a free one; a restart passes the old port so open pages find the server again.
  async start(extra = [], port = 0) {
    this.extra = extra;
    fs.rmSync(this.portFile, { force: true });
    const out = fs.openSync(this.log, 'a');
    this.proc = spawn(binary(), ['serve', '--db', this.db, '--port', String(port), '--port-file', this.portFile,
      '--static-dir', path.join(repo, 'web/dist'), '--graph', dcGraph(), '--threads', '2', ...extra], { stdio: ['ignore', out, out] });
    for (let i = 0; i < 300 && !fs.existsSync(this.portFile); i++) await sleep(50);
    if (!fs.existsSync(this.portFile)) throw new Error(`server did not start:\n${fs.readFileSync(this.log, 'utf8')}`);
    this.port = Number(fs.readFileSync(this.portFile, 'utf8').trim());
    this.url = `http://127.0.0.1:${this.port}`;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await Promise.race([done, sleep(5000)]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }

  // The same database and port, as after an operator restarts the service.
  async restart() {
    await this.stop();
    await this.start(this.extra, this.port);
  }

  addUser(u, role) {
    run(['user', 'add', u.username, '--role', role, '--db', this.db], `${u.password}\n`);
  }

  // `pingan import incidents FILE --format F --db DB`, before the server starts.
  importIncidents(file, format) {
    return run(['import', 'incidents', file, '--format', format, '--db', this.db]);
  }

  async api(method, p, body, token) {
    const res = await fetch(this.url + p, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async login(u) {
    return (await this.api('POST', '/api/v1/login', u)).token;
  }
}

// A fresh server with an admin, a dispatcher, a call-taker, a small DC fleet and a unit account.
// extra: more `pingan serve` options (e.g. --manual-clock for timer tests); incidents: CSV
// records imported into the database before it starts ({ file, format }).
export async function cityServer(extra = [], { incidents } = {}) {
  const s = new Server();
  s.addUser(ADMIN, 'admin');
  if (incidents) s.importIncidents(incidents.file, incidents.format);
  await s.start(extra);
  s.admin = await s.login(ADMIN);
  const fleet = [
    ['DC-101', 'police', 38.9075, -77.0365], ['DC-102', 'police', 38.9200, -77.0430],
    ['DC-103', 'police', 38.9010, -77.0500], ['E-7', 'fire', 38.9150, -77.0300], ['M-3', 'ems', 38.9050, -77.0250],
  ];
  s.units = [];
  for (const [callsign, agency, lat, lon] of fleet) s.units.push(await s.api('POST', '/api/v1/units', { callsign, agency, lat, lon }, s.admin));
  for (const [u, role] of [[DISPATCHER, 'dispatcher'], [CALLTAKER, 'call_taker']]) await s.api('POST', '/api/v1/users', { ...u, role }, s.admin);
  await s.api('POST', '/api/v1/users', { ...UNIT, role: 'unit', unit_id: s.units[0].id }, s.admin);
  return s;
}

export async function browser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--use-gl=swiftshader', '--enable-unsafe-swiftshader'],
  });
}

// beforeLogin(page): set up routes and the like before the console loads anything.
export async function openConsole(b, server, user, lang = 'zh-CN', { beforeLogin } = {}) {
  const context = await b.newContext({ viewport: { width: 1500, height: 900 }, locale: lang });
  await context.addInitScript((l) => localStorage.setItem('pingan.lang', l), lang);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.stack ?? e.message}`));
  if (beforeLogin) await beforeLogin(page);
  await page.goto(server.url + '/');
  await page.fill('#login-user', user.username);
  await page.fill('#login-password', user.password);
  await page.click('#login-submit');
  await waitFor(page, '#conn.live', { timeout: 30_000 });
  return { context, page };
}

// Waits until the first element matching `selector` is in the state asked for (visible by
// default). Unlike page.waitForSelector it hands back no element: Playwright then need not adopt
// the element into the page's main world, a step that once hung for the whole timeout after the
// element was already found visible (patrol view, CI of 43a4a75).
export async function waitFor(page, selector, options = {}) {
  await page.locator(selector).first().waitFor(options);
}

export async function mapReady(page) {
  await page.waitForFunction(() => window.__pinganMapReady !== undefined, null, { timeout: 60_000 });
}

// Pixel position of a coordinate on the map canvas, for clicking it.
export async function pointOf(page, lat, lon) {
  const p = await page.evaluate(([la, lo]) => {
    const m = window.__pinganApp.map.map;
    const pt = m.project([lo, la]);
    const r = m.getCanvas().getBoundingClientRect();
    return { x: r.left + pt.x, y: r.top + pt.y };
  }, [lat, lon]);
  return p;
}

export async function shot(page, name) {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The category field is a list when the server has a taxonomy, a code field when it has none.
export async function setCategory(page, code) {
  const tag = await page.evaluate(() => document.querySelector('#call-category')?.tagName);
  if (tag === 'SELECT') await page.selectOption('#call-category', code);
  else await page.fill('#call-category', code);
}
