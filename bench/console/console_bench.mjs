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
// Units that drive (12 m/s, turning now and then), reported every second through
// POST /api/v1/positions as an AVL gateway would: the server then streams one unit.positions
// frame a second with all of them. MOVING=0: a parked fleet (the benchmark before 2026-11).
const MOVING = Math.min(UNITS, Number(process.env.MOVING ?? UNITS));
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
const fleet = [];
await pool(UNITS, 16, async (i) => {
  const lat = rnd(BOX.s, BOX.n), lon = rnd(BOX.w, BOX.e);
  const u = await api('POST', '/api/v1/units', { callsign: `P-${i + 1}`, agency: i % 10 === 0 ? 'fire' : i % 10 === 1 ? 'ems' : 'police', lat, lon }, token);
  fleet.push({ id: u.id, lat, lon, heading: rnd(0, 360) });
});
await pool(INCIDENTS, 16, (i) => api('POST', '/api/v1/incidents', { lat: rnd(BOX.s, BOX.n), lon: rnd(BOX.w, BOX.e), category: ['theft', 'assault', 'burglary', 'fire', 'medical'][i % 5], priority: 1 + (i % 4), description: `bench ${i}` }, token));
console.error(`loaded ${UNITS} units and ${INCIDENTS} incidents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// The moving part of the fleet, once a second until the end (batches of at most 1,000 reports).
let driving = MOVING > 0;
const drive = (async () => {
  const movers = fleet.slice(0, MOVING);
  const mPerDegLat = 111_195;
  while (driving) {
    const next = Date.now() + 1000;
    for (const u of movers) {
      if (Math.random() < 0.05) u.heading = (u.heading + rnd(-90, 90) + 360) % 360;
      const k = Math.PI / 180;
      u.lat += (12 * Math.cos(u.heading * k)) / mPerDegLat;
      u.lon += (12 * Math.sin(u.heading * k)) / (mPerDegLat * Math.cos(u.lat * k));
      // Bounce off the box's edges.
      if (u.lat < BOX.s || u.lat > BOX.n) u.heading = (180 - u.heading + 360) % 360;
      if (u.lon < BOX.w || u.lon > BOX.e) u.heading = (360 - u.heading) % 360;
    }
    for (let i = 0; i < movers.length; i += 1000) {
      const items = movers.slice(i, i + 1000).map((u) => ({ unit_id: u.id, lat: u.lat, lon: u.lon, heading: Math.round(u.heading), speed: 12 }));
      await api('POST', '/api/v1/positions', { items }, token).catch((e) => console.error(`positions: ${e.message}`));
    }
    await sleep(Math.max(0, next - Date.now()));
  }
})();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
    '--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows'],
});
// Each console in a browser context of its own, as each dispatcher's console is on a
// workstation of its own: pages opened in one context all stalled now and then for ~1 s
// together, all but the last opened (bench/README.md, "Console and map").
async function consoleContext() {
  const c = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  await c.addInitScript((t) => { sessionStorage.setItem('pingan.token', t); sessionStorage.setItem('pingan.tab', 'queue'); localStorage.setItem('pingan.lang', 'en'); }, token);
  return c;
}
const context = await consoleContext();

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
  if (!r.drawn.floor && (r.drawn.incidents < INCIDENTS || r.drawn.units < UNITS)) console.error(`paint ${i}: drew ${r.drawn.incidents} incidents, ${r.drawn.units} units`);
  paints.push(r.paint * 1000);
  ready.push(r.ready * 1000);
  styled.push((r.styled ?? 0) * 1000);
  console.error(`paint ${i}: queue ready ${r.ready.toFixed(0)} ms, map style loaded ${(r.styled ?? 0).toFixed(0)} ms, map painted ${r.paint.toFixed(0)} ms`);
  await page.close();
}

// 2. Event latency on CONSOLES open consoles.
//    One after the other, each live before the next opens (as a shift logs in), so the
//    measure is the steady state, not 50 snapshot loads at once. Each in a context of its own.
const pages = [];
for (let i = 0; i < CONSOLES; i++) {
  const page = await (await consoleContext()).newPage();
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
// PROFILE=FILE: a CPU profile of the first console's page while the events arrive (the
// .cpuprofile opens in Chrome's DevTools), and its heaviest functions by self time.
const profiler = process.env.PROFILE ? await pages[0].context().newCDPSession(pages[0]) : null;
if (profiler) {
  await profiler.send('Profiler.enable');
  await profiler.send('Profiler.setSamplingInterval', { interval: 500 });
  await profiler.send('Profiler.start');
}
// TRACE=FILE: a Chrome trace of the same (opens in DevTools' Performance panel), and the first
// console's main thread by task (self time).
if (process.env.TRACE) {
  await browser.startTracing(pages[0], { path: process.env.TRACE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'gpu', 'cc', 'v8', 'toplevel'] });
}
const ids = [];
for (let i = 0; i < EVENTS; i++) {
  const inc = await api('POST', '/api/v1/incidents', { lat: rnd(BOX.s, BOX.n), lon: rnd(BOX.w, BOX.e), category: 'theft', priority: 3, description: `latency ${i}` }, token);
  ids.push(inc.id);
  await sleep(250);
}
if (process.env.TRACE) {
  await browser.stopTracing();
  const { traceEvents } = JSON.parse(fs.readFileSync(process.env.TRACE, 'utf8'));
  const names = traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  // The renderer main thread with the most work is the first console's.
  const busy = new Map();
  for (const e of traceEvents) if (e.ph === 'X' && names.some((n) => n.pid === e.pid && n.tid === e.tid)) busy.set(`${e.pid}/${e.tid}`, (busy.get(`${e.pid}/${e.tid}`) ?? 0) + (e.dur ?? 0));
  const [key] = [...busy].sort((a, b) => b[1] - a[1])[0];
  const xs = traceEvents.filter((e) => e.ph === 'X' && `${e.pid}/${e.tid}` === key && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Self time: an event's duration less its children's (nested by time on one thread).
  const nodes = [];
  const stack = [];
  let top = 0;
  for (const e of xs) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    if (stack.length) stack[stack.length - 1].self -= e.dur; else top += e.dur;
    const node = { ts: e.ts, dur: e.dur, self: e.dur, name: e.name };
    stack.push(node);
    nodes.push(node);
  }
  const self = new Map();
  for (const n of nodes) self.set(n.name, (self.get(n.name) ?? 0) + n.self);
  const span = xs.length ? xs[xs.length - 1].ts - xs[0].ts : 1;
  console.error(`trace: main thread busy ${(top / 1e6).toFixed(1)} s of ${(span / 1e6).toFixed(1)} s; self time by event:`);
  for (const [n, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.error(`  ${(us / 1000).toFixed(0).padStart(7)} ms  ${n}`);
}
if (profiler) {
  const { profile } = await profiler.send('Profiler.stop');
  fs.writeFileSync(process.env.PROFILE, JSON.stringify(profile));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byName = new Map();
  let total = 0;
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0;
    total += us;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) : ''}:${f.lineNumber}`;
    byName.set(key, (byName.get(key) ?? 0) + us);
  }
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.error(`profile: ${(total / 1e6).toFixed(1)} s sampled`);
  for (const [k, us] of top) console.error(`  ${(us / 1000).toFixed(0).padStart(7)} ms ${(100 * us / total).toFixed(1).padStart(5)} %  ${k}`);
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
driving = false;
await drive;
await browser.close();
for (const ws of await Promise.all(sockets)) ws.close();
console.error(`applied (before drawing) on ${CONSOLES} consoles: p50 ${(pct(appliedLat, 0.5) / 1000).toFixed(1)} ms, p99 ${(pct(appliedLat, 0.99) / 1000).toFixed(1)} ms`);
if (wire.length) console.error(`server fan-out to ${SOCKETS} sockets: p50 ${(pct(wire, 0.5) / 1000).toFixed(1)} ms, p99 ${(pct(wire, 0.99) / 1000).toFixed(1)} ms over ${wire.length}`);
console.error(`latency over ${pages.length} consoles × ${ids.length} events: p50 ${(pct(latencies, 0.5) / 1000).toFixed(1)} ms, p99 ${(pct(latencies, 0.99) / 1000).toFixed(1)} ms, missing ${missing}`);

const result = {
  context: { date: new Date().toISOString(), host_name: 'loopback', executable: 'bench/console/run.sh', num_cpus: (await import('node:os')).cpus().length,
    units: UNITS, moving: MOVING, incidents: INCIDENTS, consoles: CONSOLES, sockets: SOCKETS, events: EVENTS, map: 'porto.osm.pbf', load_average: (await import('node:os')).loadavg() },
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
