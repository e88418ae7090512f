// Drives the console benchmark (bench/console/run.sh starts the server). Timings are taken in
// the browser: first paint from navigation start to the map's first idle with every incident
// and unit drawn; event latency from the event's commit time (`at`, server clock, the same
// machine) to the first animation frame after the page applied it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(repo, 'web/package.json'));
const { chromium } = require('playwright-core');

const URL_ = process.env.URL;
const OUT = process.env.OUT ?? 'build/bench/console.json';
const UNITS = Number(process.env.UNITS ?? 2000);
const INCIDENTS = Number(process.env.INCIDENTS ?? 1000);
const CONSOLES = Number(process.env.CONSOLES ?? 50);
// Plain WebSocket clients for the server's share of the latency (default: as many as consoles).
const SOCKETS = Number(process.env.SOCKETS ?? CONSOLES);
const EVENTS = Number(process.env.EVENTS ?? 40);
const PAINTS = Number(process.env.PAINTS ?? 5);
// Porto, inside the graph's bounding box.
const BOX = { s: 41.10, n: 41.20, w: -8.68, e: -8.55 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(method, p, body, token) {
  const res = await fetch(URL_ + p, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
async function pool(n, limit, f) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => { while (next < n) await f(next++); }));
}
const rnd = (a, b) => a + Math.random() * (b - a);
function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
}
function entry(name, us, extra = {}) {
  return { name, run_name: name, run_type: 'iteration', iterations: us.length, real_time: pct(us, 0.5), cpu_time: 0, time_unit: 'us',
    p50_us: Math.round(pct(us, 0.5)), p99_us: Math.round(pct(us, 0.99)), max_us: Math.round(Math.max(0, ...us)), samples: us.length, ...extra };
}

const token = (await api('POST', '/api/v1/login', { username: 'bench', password: 'Bench-Pass-2026' })).token;
const t0 = Date.now();
await pool(UNITS, 16, (i) => api('POST', '/api/v1/units', { callsign: `P-${i + 1}`, agency: i % 10 === 0 ? 'fire' : i % 10 === 1 ? 'ems' : 'police', lat: rnd(BOX.s, BOX.n), lon: rnd(BOX.w, BOX.e) }, token));
await pool(INCIDENTS, 16, (i) => api('POST', '/api/v1/incidents', { lat: rnd(BOX.s, BOX.n), lon: rnd(BOX.w, BOX.e), category: ['theft', 'assault', 'burglary', 'fire', 'medical'][i % 5], priority: 1 + (i % 4), description: `bench ${i}` }, token));
console.error(`loaded ${UNITS} units and ${INCIDENTS} incidents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
    '--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
await context.addInitScript((t) => { sessionStorage.setItem('pingan.token', t); sessionStorage.setItem('pingan.tab', 'queue'); localStorage.setItem('pingan.lang', 'en'); }, token);

// 1. First meaningful paint, from a fresh page each time (tiles come from the server's cache
//    after the first run, as for every console of a shift but the first).
const paints = [];
const ready = [];
const styled = [];
for (let i = 0; i < PAINTS; i++) {
  const page = await context.newPage();
  await page.goto(URL_ + '/');
  await page.waitForFunction(() => window.__pinganFirstPaint !== undefined && window.__pinganRendered?.incidents > 0, null, { timeout: 120_000 });
  const r = await page.evaluate(() => ({ paint: window.__pinganFirstPaint, ready: window.__pinganReady, styled: window.__pinganMapReady, drawn: window.__pinganRendered }));
  if (r.drawn.incidents < INCIDENTS || r.drawn.units < UNITS) console.error(`paint ${i}: drew ${r.drawn.incidents} incidents, ${r.drawn.units} units`);
  paints.push(r.paint * 1000);
  ready.push(r.ready * 1000);
  styled.push((r.styled ?? 0) * 1000);
  console.error(`paint ${i}: queue ready ${r.ready.toFixed(0)} ms, map style loaded ${(r.styled ?? 0).toFixed(0)} ms, map painted ${r.paint.toFixed(0)} ms`);
  await page.close();
}

// 2. Event latency on CONSOLES open consoles.
//    One after the other, each live before the next opens (as a shift logs in), so the
//    measure is the steady state, not 50 snapshot loads at once.
const pages = [];
for (let i = 0; i < CONSOLES; i++) {
  const page = await context.newPage();
  await page.goto(URL_ + '/');
  await page.waitForFunction(() => window.__pinganFirstPaint !== undefined, null, { timeout: 300_000 });
  pages.push(page);
}
await sleep(2000);
// The server's part alone: the same events as received by CONSOLES plain WebSocket clients in
// this process (no rendering); needs a global WebSocket (Node ≥ 22, or 20 with
// --experimental-websocket as run.sh passes).
const wire = [];
const sockets = [];
if (typeof WebSocket === 'function') {
  for (let i = 0; i < SOCKETS; i++) {
    const ws = new WebSocket(`${URL_.replace('http', 'ws')}/api/v1/stream?token=${token}`);
    ws.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.kind === 'incident.created' && /^latency /.test(e.payload?.description ?? '')) wire.push((Date.now() - Date.parse(e.at)) * 1000);
    };
    sockets.push(new Promise((r) => { ws.onopen = r; }).then(() => ws));
  }
  await Promise.all(sockets);
}
const ids = [];
for (let i = 0; i < EVENTS; i++) {
  const inc = await api('POST', '/api/v1/incidents', { lat: rnd(BOX.s, BOX.n), lon: rnd(BOX.w, BOX.e), category: 'theft', priority: 3, description: `latency ${i}` }, token);
  ids.push(inc.id);
  await sleep(250);
}
// Until every console has drawn the last event (at most 60 s): a slow console counts as slow,
// not as missing.
for (const page of pages) {
  await page.waitForFunction((id) => window.__pinganSeen.some((x) => x.id === id), ids[ids.length - 1], { timeout: 60_000 }).catch(() => undefined);
}
const latencies = [];
const appliedLat = [];
let missing = 0;
for (const page of pages) {
  const seen = await page.evaluate(() => window.__pinganSeen);
  const byId = new Map(seen.map((s) => [s.id, s]));
  for (const id of ids) {
    const s = byId.get(id);
    if (!s) { missing++; continue; }
    latencies.push((s.seen - Date.parse(s.at)) * 1000);
    if (s.applied) appliedLat.push((s.applied - Date.parse(s.at)) * 1000);
  }
}
await browser.close();
for (const ws of await Promise.all(sockets)) ws.close();
console.error(`applied (before drawing) on ${CONSOLES} consoles: p50 ${(pct(appliedLat, 0.5) / 1000).toFixed(1)} ms, p99 ${(pct(appliedLat, 0.99) / 1000).toFixed(1)} ms`);
if (wire.length) console.error(`server fan-out to ${SOCKETS} sockets: p50 ${(pct(wire, 0.5) / 1000).toFixed(1)} ms, p99 ${(pct(wire, 0.99) / 1000).toFixed(1)} ms over ${wire.length}`);
console.error(`latency over ${pages.length} consoles × ${ids.length} events: p50 ${(pct(latencies, 0.5) / 1000).toFixed(1)} ms, p99 ${(pct(latencies, 0.99) / 1000).toFixed(1)} ms, missing ${missing}`);

const result = {
  context: { date: new Date().toISOString(), host_name: 'loopback', executable: 'bench/console/run.sh', num_cpus: (await import('node:os')).cpus().length,
    units: UNITS, incidents: INCIDENTS, consoles: CONSOLES, sockets: SOCKETS, events: EVENTS, map: 'porto.osm.pbf', load_average: (await import('node:os')).loadavg() },
  benchmarks: [
    entry('console_first_paint', paints, { target_us: 2_000_000 }),
    entry('console_snapshot_ready', ready),
    entry('console_map_style_loaded', styled),
    entry(`console_event_latency/consoles:${CONSOLES}`, latencies, { target_p99_us: 100_000, missing }),
    entry(`console_event_applied/consoles:${CONSOLES}`, appliedLat),
    ...(wire.length ? [entry(`stream_fanout_latency/sockets:${SOCKETS}`, wire)] : []),
  ],
};
fs.writeFileSync(path.resolve(repo, OUT), JSON.stringify(result, null, 2));
console.error(`wrote ${OUT}`);
