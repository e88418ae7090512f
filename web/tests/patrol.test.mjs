// The patrol view (issue 9, 必巡区域/点位) in Chromium against a real `pingan serve --patrol` on a
// manual clock: a shift on duty with its duties, a visit detected from position reports, an
// overdue point (red) and one about to be missed (amber) at the top, the points on the map by
// state, the suggested tour drawn with numbered stops, the shift report equal to the API's, a
// visit recorded by hand (refused without a reason, in the server's words), the view read-only
// for an analyst, and a server without a plan saying so quietly. Screenshots in build/e2e/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ANALYST, DISPATCHER, browser, cityServer, mapReady, openConsole, shot, skipReason, waitFor } from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# patrol e2e skipped: ${skip}`);

// The server's clock starts at 09:00 UTC (the centre's offset is 0 here, so the windows below
// are UTC too); the shift runs 08:00–16:00.
const T0 = '2026-03-02T09:00:00.000Z';
const SHIFT = { start: '2026-03-02T08:00:00Z', end: '2026-03-02T16:00:00Z' };

//      +------------------------------- area DUP --------+
//      |            A1 Connecticut & Q (08:00-09:30)     |
//      |   A3 P St & 21st (09:00-09:35)                  |      DC-101 starts 600 m east
//      |        A2 Mass Ave & 20th (08:00-09:20)         |
//      +-------------------------------------------------+
// A1 is visited (dwell 90 s); at 09:22 A2's window is over (overdue) and A3's ends in 13 min.
const POINTS = {
  A1: { name: 'Connecticut & Q', lat: 38.9105, lon: -77.0438, windows: ['08:00-09:30'] },
  A2: { name: 'Mass Ave & 20th', lat: 38.9083, lon: -77.0449, windows: ['08:00-09:20'] },
  A3: { name: 'P St & 21st', lat: 38.9096, lon: -77.0465, windows: ['09:00-09:35'] },
};
function planFile(dir) {
  const features = [{
    type: 'Feature', properties: { id: 'DUP', name: 'Dupont Circle' },
    geometry: { type: 'Polygon', coordinates: [[[-77.05, 38.906], [-77.037, 38.906], [-77.037, 38.914], [-77.05, 38.914], [-77.05, 38.906]]] },
  }];
  for (const [id, p] of Object.entries(POINTS)) {
    features.push({
      type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: { id, area_id: 'DUP', name: p.name, radius_m: 50, min_dwell_s: 60, windows: p.windows },
    });
  }
  const file = path.join(dir, 'patrol.geojson');
  fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
  return file;
}

// As the console shows them (web/src/time.ts duration, views/cameras.ts metresLabel), offset 0.
const hm = (iso) => iso.slice(11, 16);
const duration = (s) => {
  const t = Math.max(0, Math.floor(s));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
};
const metres = (m) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);

const text = async (page, sel) => (await page.textContent(sel))?.trim();
const card = '.patrol-shift[data-shift="S1"]';

// The patrol points as drawn: id -> state.
const drawnPoints = (page) => page.evaluate(async () => {
  const src = window.__pinganApp.map.map.getSource('patrol-points');
  if (!src) return null;
  const data = await src.getData();
  return Object.fromEntries(data.features.map((f) => [f.properties.id, f.properties.state]));
});

describe('patrol view', { skip: skip ?? false, timeout: 300_000 }, () => {
  let server;
  let chrome;
  let unit;
  before(async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pingan-patrol-'));
    server = await cityServer(['--patrol', planFile(dir), '--manual-clock', T0]);
    unit = server.units[0]; // DC-101
    await server.api('POST', '/api/v1/users', { ...ANALYST, role: 'analyst' }, server.admin);
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  const position = (lat, lon) => server.api('POST', `/api/v1/units/${unit.id}/position`, { lat, lon }, server.admin);
  const advance = (s) => server.api('POST', '/api/v1/test/clock', { advance_s: s }, server.admin);

  test('a dispatcher follows a shift: visits, overdue and about-to-miss points, tour, report, a visit by hand', async () => {
    const shift = await server.api('POST', '/api/v1/patrol/shifts', { unit_id: unit.id, area_id: 'DUP', ...SHIFT }, server.admin);
    assert.equal(shift.shift_id, 'S1');
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await mapReady(page);

    // Alt+P opens the tab; the shift on duty with its three duties, nothing alerted yet.
    await page.keyboard.press('Alt+p');
    await waitFor(page, `${card} tr[data-point="A3"]`, { timeout: 20_000 });
    assert.equal(await text(page, '#tab-patrol'), 'Patrol');
    assert.equal(await text(page, '#patrol-count'), '1');
    assert.equal(await text(page, `${card} .callsign`), 'DC-101');
    assert.equal(await text(page, `${card} .area`), 'Dupont Circle');
    assert.deepEqual(await page.locator(`${card} .counts span`).allTextContents(), ['0 met', '0 missed', '3 pending']);
    assert.deepEqual(await page.locator(`${card} tr.duty td.name`).allTextContents(), [POINTS.A2.name, POINTS.A1.name, POINTS.A3.name], 'soonest closing first');
    assert.equal(await text(page, `${card} tr[data-point="A1"] td.n`), '08:00–09:30');
    assert.equal(await text(page, `${card} tr[data-point="A1"] .visits`), '0/1');
    assert.equal(await page.locator('#patrol-alerts li').count(), 0);
    await waitFor(page, '#patrol-alerts-none');

    // The required points on the map, all owed now (blue).
    await page.waitForFunction(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['patrol-points'] }).length === 3, null, { timeout: 20_000 });
    assert.deepEqual(await drawnPoints(page), { A1: 'pending', A2: 'pending', A3: 'pending' });

    // The suggested tour: the API's stops in its order, numbered on the map with arrival times.
    const tour = await server.api('GET', '/api/v1/patrol/shifts/S1/tour', undefined, server.admin);
    assert.equal(tour.stops.length, 3);
    // The assignment form opened, and the tab redrawn in the same task (the tour asked for),
    // before its toggle event: the redraw once drew the form closed again.
    assert.equal(await page.evaluate((c) => {
      document.querySelector('details.patrol-assign summary').click();
      document.querySelector(`${c} button.tour`).click();
      return document.querySelector('details.patrol-assign').open;
    }, card), true, 'the assignment form stays open');
    await waitFor(page, `${card} .patrol-tour-list li`, { timeout: 30_000 });
    assert.deepEqual(await page.locator(`${card} .patrol-tour-list li strong:not(.late-mark)`).allTextContents(), tour.stops.map((s) => s.point_name));
    assert.deepEqual(await page.locator(`${card} .patrol-tour-list li .arrive`).allTextContents(), tour.stops.map((s) => `arrive ${hm(s.arrive)}`));
    assert.equal(await text(page, `${card} .patrol-tour-summary`), `Stops: 3, late: ${tour.late}, done by ${hm(tour.finish)} (by road)`);
    await page.waitForFunction(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['patrol-tour-stops'] }).length === 3, null, { timeout: 20_000 });
    const drawnTour = await page.evaluate(async () => {
      const data = await window.__pinganApp.map.map.getSource('patrol-tour').getData();
      return {
        stops: data.features.filter((f) => f.geometry.type === 'Point').map((f) => ({ ...f.properties, at: f.geometry.coordinates })),
        line: data.features.filter((f) => f.geometry.type === 'LineString').map((f) => f.geometry.coordinates),
      };
    });
    assert.deepEqual(drawnTour.stops.map((s) => s.n), ['1', '2', '3']);
    assert.deepEqual(drawnTour.stops.map((s) => s.label), tour.stops.map((s) => (s.late ? `${hm(s.arrive)} late` : hm(s.arrive))));
    assert.deepEqual(drawnTour.stops.map((s) => s.at), tour.stops.map((s) => [s.lon, s.lat]));
    assert.equal(drawnTour.line.length, 1);
    const expectedLine = tour.path?.length >= 2 ? tour.path : [[tour.from.lon, tour.from.lat], ...tour.stops.map((s) => [s.lon, s.lat])];
    assert.deepEqual(drawnTour.line[0], expectedLine, tour.path ? 'the road path' : 'straight from the unit through the stops');
    await shot(page, 'patrol-tour');

    // DC-101 stays 90 s at A1 and drives off: the visit is recorded and A1 turns met (green).
    await position(POINTS.A1.lat, POINTS.A1.lon);
    for (const [dn, de] of [[0.00002, 0.00002], [0, 0], [-0.00001, 0]]) {
      await advance(30);
      await position(POINTS.A1.lat + dn, POINTS.A1.lon + de);
    }
    await advance(20);
    await position(38.9075, -77.0365);
    await advance(35);
    await position(38.9076, -77.0366);
    await waitFor(page, `${card} tr[data-point="A1"] .dstate.ds-met`, { timeout: 20_000 });
    assert.equal(await text(page, `${card} tr[data-point="A1"] .dstate`), 'met');
    assert.equal(await text(page, `${card} tr[data-point="A1"] .visits`), '1/1');
    assert.deepEqual(await page.locator(`${card} .counts span`).allTextContents(), ['1 met', '0 missed', '2 pending']);
    assert.equal(await page.locator(`${card} tr[data-point="A1"] button.manual`).count(), 0, 'nothing to record by hand for a met duty');
    await page.waitForFunction(() => window.__pinganApp.map.map.getSource('patrol-points') !== undefined, null);
    assert.deepEqual(await drawnPoints(page), { A1: 'met', A2: 'pending', A3: 'pending' });
    // The tour shown follows: from where DC-101 is now, without A1.
    const tour2 = await server.api('GET', '/api/v1/patrol/shifts/S1/tour', undefined, server.admin);
    assert.deepEqual(tour2.stops.map((s) => s.point_id).sort(), ['A2', 'A3']);
    await page.waitForFunction((n) => document.querySelectorAll('.patrol-tour-list li').length === n, tour2.stops.length, { timeout: 20_000 });
    assert.deepEqual(await page.locator(`${card} .patrol-tour-list li`).evaluateAll((els) => els.map((e) => e.dataset.point)), tour2.stops.map((s) => s.point_id));
    await page.waitForFunction(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['patrol-tour-stops'] }).length === 2, null, { timeout: 20_000 });

    // 09:22: A2's window is over (overdue, red, first), A3's ends in 13 minutes (amber).
    await server.api('POST', '/api/v1/test/clock', { now: '2026-03-02T09:22:00Z' }, server.admin);
    await page.click('#patrol-refresh');
    await waitFor(page, '#patrol-alerts li.overdue', { timeout: 20_000 });
    // Read in one go: the panel may be redrawn between two reads.
    const alerts = await page.evaluate(() => [...document.querySelectorAll('#patrol-alerts li')].map((e) => ({
      kind: e.className, point: e.dataset.point, text: e.textContent, border: getComputedStyle(e).borderLeftColor,
    })));
    assert.deepEqual(alerts.map((a) => [a.kind, a.point]), [['overdue', 'A2'], ['about_to_miss', 'A3']]);
    assert.equal(alerts[0].text, 'Overdue Mass Ave & 20th · DC-101 · window ended 09:20 · 0/1');
    assert.equal(alerts[0].border, 'rgb(207, 46, 46)', 'overdue in red');
    assert.equal(alerts[1].text, 'About to miss P St & 21st · DC-101 · 13 min left (until 09:35) · 0/1');
    assert.equal(alerts[1].border, 'rgb(217, 138, 0)', 'about to miss in amber');
    assert.equal(await text(page, `${card} tr[data-point="A2"] .dstate`), 'overdue');
    assert.deepEqual(await page.locator(`${card} .counts span`).allTextContents(), ['1 met', '1 missed', '1 pending']);
    await page.waitForFunction(async () => {
      const data = await window.__pinganApp.map.map.getSource('patrol-points').getData();
      return data.features.some((f) => f.properties.state === 'overdue');
    }, null, { timeout: 20_000 });
    assert.deepEqual(await drawnPoints(page), { A1: 'met', A2: 'overdue', A3: 'about_to_miss' });
    await shot(page, 'patrol-overdue');

    // The report: the API's numbers, in the console's formats.
    const report = await server.api('GET', '/api/v1/patrol/shifts/S1/report', undefined, server.admin);
    assert.equal(report.fixes, 6);
    assert.ok(report.distance_m > 500, `DC-101 drove from A1 back east (${report.distance_m} m)`);
    await page.click(`${card} button.report`);
    await waitFor(page, `${card} .patrol-report .r-fixes`, { timeout: 20_000 });
    assert.equal(await text(page, `${card} .patrol-report h3`), 'Patrol report');
    assert.deepEqual({
      met: await text(page, `${card} .r-met`), missed: await text(page, `${card} .r-missed`), pending: await text(page, `${card} .r-pending`),
      time: await text(page, `${card} .r-time`), distance: await text(page, `${card} .r-distance`),
      idle: await text(page, `${card} .r-idle`), fixes: await text(page, `${card} .r-fixes`),
    }, {
      met: '1', missed: '1', pending: '1', time: duration(report.time_in_area_s), distance: metres(report.distance_m),
      idle: duration(report.idle_s), fixes: '6',
    });
    assert.match(await text(page, `${card} .patrol-report .note`), /^Missed: Mass Ave & 20th 08:00–09:20$/);

    // A visit by hand without a reason: refused, in the server's words; with one: A3 is met.
    const refused = await fetch(`${server.url}/api/v1/patrol/visits`, {
      method: 'POST', headers: { Authorization: `Bearer ${server.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ unit_id: unit.id, point_id: 'A3', reason: '' }),
    });
    assert.equal(refused.status, 422);
    const { detail } = await refused.json();
    await page.click(`${card} tr[data-point="A3"] button.manual`);
    await waitFor(page, '#patrol-visit-reason');
    await page.click('#patrol-visit-submit');
    await waitFor(page, '#patrol-visit-error', { timeout: 20_000 });
    assert.equal(await text(page, '#patrol-visit-error'), detail);
    await page.fill('#patrol-visit-reason', 'GPS lost in the underpass; officer reported by radio');
    await page.click('#patrol-visit-submit');
    await waitFor(page, `${card} tr[data-point="A3"] .dstate.ds-met`, { timeout: 20_000 });
    assert.equal(await text(page, `${card} tr[data-point="A3"] .visits`), '1/1 (1 by hand)');
    assert.deepEqual(await page.locator(`${card} .counts span`).allTextContents(), ['2 met', '1 missed', '0 pending']);
    assert.deepEqual(await page.locator('#patrol-alerts li').evaluateAll((els) => els.map((e) => e.dataset.point)), ['A2'], 'A3 is no longer about to be missed');
    assert.equal(await page.locator('#patrol-visit-reason').count(), 0, 'the form closed');
    const events = await server.api('GET', '/api/v1/events?after=0&limit=1000', undefined, server.admin);
    const manual = events.items.filter((e) => e.kind === 'patrol.visit_recorded' && e.payload.manual);
    assert.equal(manual.length, 1);
    assert.equal(manual[0].actor, DISPATCHER.username);
    assert.equal(manual[0].payload.reason, 'GPS lost in the underpass; officer reported by radio');
    assert.equal(manual[0].payload.point_id, 'A3');

    // In Chinese, with the centre's words.
    await page.click('#lang-switch');
    await page.waitForFunction(() => document.querySelector('#tab-patrol')?.textContent === '巡逻');
    assert.match(await text(page, '#patrol-alerts li.overdue'), /^超时未巡 Mass Ave & 20th/);
    assert.equal(await text(page, `${card} button.tour`), '隐藏路线');
    assert.equal(await text(page, `${card} .patrol-report h3`), '巡逻报告');
    assert.equal(await page.locator('th', { hasText: '必巡点' }).count(), 1);
    await shot(page, 'patrol-zh');

    // Leaving the tab takes the points and the tour off the map.
    await page.click('#tab-queue');
    await page.waitForFunction(() => !window.__pinganApp.map.map.getSource('patrol-points') && !window.__pinganApp.map.map.getSource('patrol-tour'), null, { timeout: 10_000 });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('an analyst watches but records nothing', async () => {
    const { context, page } = await openConsole(chrome, server, ANALYST, 'en');
    await page.click('#tab-patrol');
    await waitFor(page, `${card} tr[data-point="A2"]`, { timeout: 20_000 });
    assert.equal(await page.locator('#patrol-alerts li.overdue').count(), 1);
    assert.equal(await page.locator('button.manual').count(), 0, 'no visit by hand');
    assert.equal(await page.locator('#patrol-assign').count(), 0, 'no shift assignment');
    await context.close();
  });

  test('a server without a patrol plan says so, and nothing fails', async () => {
    const plain = await cityServer();
    try {
      const { context, page } = await openConsole(chrome, plain, DISPATCHER, 'en');
      const problems = [];
      page.on('pageerror', (e) => problems.push(e.message));
      // The one probe at login answers 503, which Chromium logs as a failed resource; nothing else.
      page.on('console', (m) => { if (m.type() === 'error' && !/status of 503/.test(m.text())) problems.push(m.text()); });
      await page.click('#tab-patrol');
      await waitFor(page, '#patrol-unavailable');
      assert.equal(await text(page, '#patrol-unavailable'), 'No patrol plan on this server (pingan serve --patrol FILE).');
      assert.equal(await page.locator('#patrol-refresh').count(), 0);
      assert.equal(await page.locator('.toast.error').count(), 0);
      await page.waitForTimeout(1500);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      await plain.stop();
    }
  });
});
