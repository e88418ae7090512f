// The analysis panel end to end (issue 6): CompStat for a period against the previous period,
// the CSV, the hotspot overlay on the map, and that a dispatcher sees none of it. A real
// `pingan serve` whose database holds the DC crime records (`pingan import incidents … --format dc`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ADMIN, ANALYST, DISPATCHER, browser, cityServer, dcIncidents, mapReady, openConsole, shot, skipReason, waitFor } from './harness.mjs';

const skip = skipReason() ?? (fs.existsSync(dcIncidents) ? null : `incident records missing: ${dcIncidents}`);
if (skip) console.log(`# analysis e2e skipped: ${skip}`);

const PERIOD = { from: '2024-02-01', to: '2024-02-29', tz: 'America/New_York', compare: 'previous-period' };

describe('analysis panel', { skip: skip ?? false, timeout: 600_000 }, () => {
  let server;
  let chrome;
  before(async () => {
    server = await cityServer([], { incidents: { file: dcIncidents, format: 'dc' } });
    await server.api('POST', '/api/v1/users', { ...ANALYST, role: 'analyst' }, server.admin);
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  test('an analyst runs CompStat, downloads the CSV and shows the hotspot overlay', async () => {
    const token = await server.login(ANALYST);
    const range = await server.api('GET', '/api/v1/analytics/range', undefined, token);
    assert.ok(range.count > 0, 'the import put records in the database');
    const q = new URLSearchParams(PERIOD).toString();
    const expected = await server.api('GET', `/api/v1/analytics/compstat?${q}`, undefined, token);
    assert.ok(expected.total.current > 0);

    const { context, page } = await openConsole(chrome, server, ANALYST, 'en');
    await mapReady(page);
    await page.click('#tab-analysis');
    // The default period: the last 28 days of the data span.
    await waitFor(page, '#analysis-range');
    assert.match(await page.textContent('#analysis-range'), new RegExp(range.count.toLocaleString('en')));
    const from0 = await page.inputValue('#analysis-from');
    const to0 = await page.inputValue('#analysis-to');
    assert.match(to0, /^2024-03-1[78]$/);
    assert.equal((Date.parse(to0) - Date.parse(from0)) / 86_400_000, 27);

    // A period without records is said in words, with what the database holds.
    await page.fill('#analysis-from', '2025-02-01');
    await page.fill('#analysis-to', '2025-02-28');
    await page.click('#analysis-run');
    await waitFor(page, '#analysis-message.error');
    assert.match(await page.textContent('#analysis-message'), /no incident records in this period/);
    assert.match(await page.textContent('#analysis-message'), new RegExp(range.count.toLocaleString('en')));

    await page.fill('#analysis-from', PERIOD.from);
    await page.fill('#analysis-to', PERIOD.to);
    await page.fill('#analysis-tz', PERIOD.tz);
    await page.selectOption('#analysis-compare', PERIOD.compare);
    await page.click('#analysis-run');
    await waitFor(page, '#analysis-total', { timeout: 60_000 });
    assert.equal(await page.locator('#analysis-message').count(), 0, 'the error is gone');
    assert.equal(Number(await page.getAttribute('#analysis-total', 'data-value')), expected.total.current);
    assert.equal((await page.textContent('#analysis-total')).replace(/\D/g, ''), String(expected.total.current));
    assert.equal(Number(await page.getAttribute('#analysis-previous', 'data-value')), expected.total.previous);
    assert.match(await page.textContent('#analysis-period'), /2024-02-01 to 2024-02-29 \(America\/New_York\)/);
    const cats = await page.locator('#analysis-by-category tbody tr').count();
    assert.equal(cats, Math.min(10, expected.by_category.length));
    assert.equal(await page.locator('#analysis-by-jurisdiction tbody tr').count(), expected.by_jurisdiction.length);
    assert.equal(await page.locator('#analysis-segments tbody tr[data-segment="RT-TOTAL"]').count(), 1);
    assert.match(await page.textContent('#analysis-shares'), /Diverted to 12345/);
    await shot(page, 'analysis-compstat');

    // The CSV of the same query, fetched with the session token.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('#analysis-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.match(csv, /^section,category,group,jurisdiction,metric,current,previous,change,change_pct/);
    assert.equal(download.suggestedFilename(), 'compstat_2024-02-01_2024-02-29.csv');

    // The hotspot overlay for the same period: cells filled by density, Gi* hot cells outlined.
    await page.check('#hotspot-toggle');
    await waitFor(page, '#hotspot-legend', { timeout: 60_000 });
    const layers = await page.evaluate(async () => {
      const m = window.__pinganApp.map.map;
      const data = await m.getSource('hotspots')?.getData();
      return {
        fill: !!m.getLayer('hotspots-fill'), hot: !!m.getLayer('hotspots-hot'),
        features: data?.features?.length ?? 0, hotFeatures: data?.features?.filter((f) => f.properties.hotspot === 'hot').length ?? 0,
        query: window.__pinganHotspots?.query,
      };
    });
    assert.ok(layers.fill && layers.hot, 'both hotspot layers are on the map');
    assert.ok(layers.features > 0, 'the overlay has cells');
    assert.ok(layers.hotFeatures > 0, 'some cells are Gi* hot spots');
    assert.match(layers.query, /from=2024-02-01&to=2024-02-29&tz=America%2FNew_York&analyses=kde%2Cgi_star/);
    await page.waitForFunction(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['hotspots-fill'] }).length > 0, null, { timeout: 30_000 });
    const legend = await page.textContent('#hotspot-legend');
    assert.match(legend, /2024-02-01 to 2024-02-29/);
    assert.match(legend, /bandwidth 300 m/);
    assert.match(legend, /999 conditional permutations, seed 1, FDR q = 0\.05/);
    assert.match(legend, /Place-based/);
    await shot(page, 'analysis-hotspots');

    // Off removes the layers and the legend.
    await page.uncheck('#hotspot-toggle');
    await waitFor(page, '#hotspot-legend', { state: 'detached' });
    assert.deepEqual(await page.evaluate(() => {
      const m = window.__pinganApp.map.map;
      return [!!m.getLayer('hotspots-fill'), !!m.getLayer('hotspots-hot'), !!m.getSource('hotspots')];
    }), [false, false, false]);

    // The panel follows the language.
    await page.click('#lang-switch');
    await page.waitForFunction(() => document.querySelector('#tab-analysis')?.textContent?.trim() === '分析');
    assert.equal(Number(await page.getAttribute('#analysis-total', 'data-value')), expected.total.current);
    await context.close();
  });

  test('a dispatcher has no analysis panel', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await waitFor(page, '#tab-queue');
    assert.equal(await page.locator('#tab-analysis').count(), 0);
    await page.keyboard.press('Alt+Y');
    assert.equal(await page.locator('[data-view="analysis"]').count(), 0);
    assert.equal(await page.locator('#hotspot-toggle').count(), 0);
    // And the server refuses the routes to that role.
    const token = await server.login(DISPATCHER);
    await assert.rejects(server.api('GET', '/api/v1/analytics/range', undefined, token), /403/);
    // An administrator has it.
    const admin = await openConsole(chrome, server, ADMIN, 'en');
    await waitFor(admin.page, '#tab-analysis');
    await admin.context.close();
    await context.close();
  });
});
