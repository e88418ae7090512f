// The containment plan (issue 9, 封控圈) in Chromium against a real pingan with the DC graph: the
// detail pane asks POST /api/v1/incidents/{id}/containment, lists the checkpoints and draws them on
// the map; the plan is recorded as an event. Leaves screenshots in build/e2e/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DISPATCHER, browser, cityServer, mapReady, openConsole, shot, skipReason, waitFor } from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# e2e skipped: ${skip}`);

const DUPONT = { lat: 38.9097, lon: -77.0434 };

describe('containment plan', { skip: skip ?? false, timeout: 300_000 }, () => {
  let server;
  let chrome;
  before(async () => {
    server = await cityServer();
    // A few more police cars around Dupont Circle.
    for (const [callsign, lat, lon] of [['PA-1', 38.9120, -77.0460], ['PA-2', 38.9070, -77.0400], ['PA-3', 38.9110, -77.0390]]) {
      await server.api('POST', '/api/v1/units', { callsign, agency: 'police', lat, lon }, server.admin);
    }
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  test('a dispatcher plans checkpoints, sees them listed and on the map; the plan is logged', async () => {
    const incident = await server.api('POST', '/api/v1/incidents',
      { ...DUPONT, category: 'robbery', priority: 1, description: 'armed robbery, suspects fled by car' }, server.admin);
    const other = await server.api('POST', '/api/v1/incidents',
      { lat: 38.9200, lon: -77.0300, category: 'dispute', priority: 3, description: 'neighbours arguing' }, server.admin);
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page);
    await page.click('#tab-queue');
    await page.click(`#queue-pending tr[data-id="${incident.id}"]`);
    await waitFor(page, '#containment-run');
    assert.equal(await page.inputValue('#containment-escape'), '10', 'ten minutes by default');
    await page.fill('#containment-escape', '2');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/incidents/${incident.id}/containment`) && r.request().method() === 'POST', { timeout: 30_000 }),
      page.click('#containment-run'),
    ]);
    assert.equal(response.status(), 200);
    assert.deepEqual(response.request().postDataJSON(), { escape_min: 2 });
    const plan = await response.json();
    assert.equal(plan.escape_s, 120);
    assert.ok(plan.checkpoints.length > 0, 'the DC graph gives checkpoints around Dupont Circle');
    const staffed = plan.checkpoints.filter((c) => c.unit_id !== null).length;
    assert.equal(staffed, plan.staffed);

    // The list: one row per checkpoint, most urgent first, and the summary counts.
    await waitFor(page, '#containment-list li.checkpoint', { timeout: 20_000 });
    assert.equal(await page.locator('#containment-list li.checkpoint').count(), plan.checkpoints.length);
    assert.equal(await page.locator('#containment-list li.staffed').count(), staffed);
    const summary = await page.textContent('#containment-summary');
    assert.match(summary, new RegExp(`^${plan.checkpoints.length} checkpoints, ${staffed} staffed`));
    const rows = await page.locator('#containment-list li.checkpoint').allTextContents();
    plan.checkpoints.forEach((c, i) => {
      if (c.street) assert.ok(rows[i].includes(c.street), `row ${i} names ${c.street}`);
      if (c.unit_id !== null) assert.ok(rows[i].includes(c.callsign), `row ${i} names ${c.callsign}`);
      else assert.match(rows[i], /no unit in time/);
    });

    // The map: a checkpoint layer with as many points, staffed ones labelled "callsign m:ss".
    const drawn = () => page.evaluate(async () => {
      const m = window.__pinganApp.map.map;
      const src = m.getSource('containment');
      if (!src || !m.getLayer('containment')) return null;
      const data = await src.getData();
      return data.features.filter((f) => f.geometry.type === 'Point').map((f) => f.properties);
    });
    await page.waitForFunction(() => !!window.__pinganApp.map.map.getLayer('containment'), null, { timeout: 20_000 });
    const points = await drawn();
    assert.equal(points.length, plan.checkpoints.length);
    assert.equal(points.filter((p) => p.staffed).length, staffed);
    for (const p of points.filter((q) => q.staffed)) assert.match(p.label, /^\S+ \d+:\d\d$/);
    await page.waitForFunction(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['containment'] }).length > 0, null, { timeout: 20_000 });
    await shot(page, 'containment-plan');

    // The plan is in the event log.
    const events = await server.api('GET', '/api/v1/events?after=0&limit=1000', undefined, server.admin);
    const planned = events.items.filter((e) => e.kind === 'incident.containment_planned');
    assert.equal(planned.length, 1);
    assert.match(planned[0].subject, new RegExp(`${incident.id}$`));

    // A wrong escape time: the server's words are shown.
    await page.fill('#containment-escape', '99');
    await page.click('#containment-run');
    await waitFor(page, '#containment-error', { timeout: 20_000 });
    assert.match(await page.textContent('#containment-error'), /escape_min/);
    assert.equal(await page.evaluate(() => !!window.__pinganApp.map.map.getLayer('containment')), false);

    // Clear removes the layer; so does opening another incident.
    await page.fill('#containment-escape', '2');
    await page.click('#containment-run');
    await page.waitForFunction(() => !!window.__pinganApp.map.map.getLayer('containment'), null, { timeout: 20_000 });
    await page.click('#containment-clear');
    await page.waitForFunction(() => !window.__pinganApp.map.map.getSource('containment'), null, { timeout: 20_000 });
    assert.equal(await page.locator('#containment-list').count(), 0);
    await page.click('#containment-run');
    await page.waitForFunction(() => !!window.__pinganApp.map.map.getLayer('containment'), null, { timeout: 20_000 });
    await page.click(`#queue-pending tr[data-id="${other.id}"]`);
    await page.waitForFunction(() => !window.__pinganApp.map.map.getSource('containment'), null, { timeout: 20_000 });
    assert.equal(await page.locator('#containment-list').count(), 0);
    await context.close();
  });
});
