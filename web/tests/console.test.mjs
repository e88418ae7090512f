// The console end to end in Chromium against a real pingan (issue 5 checks). Each test leaves a
// screenshot in build/e2e/. Needs ../shared/data (DC roads), /usr/bin/chromium and web/dist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CALLTAKER, DISPATCHER, UNIT, browser, cityServer, mapReady, openConsole, pointOf, setCategory, shot, skipReason, sleep,
} from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# e2e skipped: ${skip}`);

describe('console', { skip: skip ?? false, timeout: 600_000 }, () => {
  let server;
  let chrome;
  before(async () => {
    server = await cityServer();
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  test('log in and create an incident by clicking the map', async () => {
    const { context, page } = await openConsole(chrome, server, CALLTAKER);
    await mapReady(page);
    // Role-aware menu: a call-taker takes calls and reads the queue, but has no statistics.
    assert.equal(await page.locator('#tab-call').count(), 1);
    assert.equal(await page.locator('#tab-stats').count(), 0);
    // Dupont Circle area: a point on a road.
    const p = await pointOf(page, 38.9097, -77.0434);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => document.querySelector('#call-location')?.textContent?.includes('📍'), null, { timeout: 20_000 });
    await page.fill('#call-description', 'bicycle stolen outside the bank');
    await setCategory(page, 'theft');
    await page.fill('#call-caller-name', 'Li Wei');
    await page.fill('#call-caller-phone', '+1 202 555 0100');
    await page.press('#call-description', 'Enter');
    await page.waitForSelector('#call-message .msg.ok', { timeout: 20_000 });
    const text = await page.textContent('#call-message');
    assert.match(text, /\d{4}-\d{6}/);
    await page.click('#tab-queue');
    await page.waitForSelector('#queue-pending tr.incident-row');
    await shot(page, 'create-by-map-click');
    await context.close();
  });

  test('create an incident by typing an address in the DC data', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page);
    await page.click('#tab-call');
    await page.fill('#call-address', 'Connecticut Ave & R St');
    await page.waitForSelector('#call-candidates .candidate[data-kind="intersection"]', { timeout: 20_000 });
    const label = await page.textContent('#call-candidates .candidate.on');
    assert.match(label, /Connecticut Avenue Northwest/);
    assert.match(label, /R Street Northwest/);
    await page.press('#call-address', 'Enter'); // picks the highlighted candidate
    await page.waitForFunction(() => document.querySelector('#call-location')?.textContent?.includes('Connecticut'));
    await setCategory(page, 'assault');
    await page.click('#call-priority button:nth-child(2)');
    await page.fill('#call-description', 'two men fighting at the crossing');
    await page.press('#call-description', 'Enter');
    await page.waitForSelector('#call-message .msg.ok', { timeout: 20_000 });
    await shot(page, 'create-by-address');

    // A house number from the OSM addr:* tags of the extract.
    await page.fill('#call-address', '441 G St NW');
    await page.waitForSelector('#call-candidates .candidate.on[data-kind="address"]', { timeout: 20_000 });
    assert.match(await page.textContent('#call-candidates .candidate.on'), /441 G Street Northwest/);

    // An address that does not resolve is said in plain words, and what was typed stays.
    await page.fill('#call-address', 'Nonexistent Boulevard 99999');
    await page.waitForSelector('#call-message .msg.error', { timeout: 20_000 });
    assert.match(await page.textContent('#call-message'), /No place found/);
    assert.equal(await page.inputValue('#call-address'), 'Nonexistent Boulevard 99999');
    // A click far outside the map's data is refused in words.
    await page.evaluate(() => window.__pinganApp.map.map.jumpTo({ center: [-77.2, 38.8], zoom: 13 }));
    const far = await pointOf(page, 38.8, -77.2);
    await page.mouse.click(far.x, far.y);
    await page.waitForFunction(() => /outside the map/.test(document.querySelector('#call-message')?.textContent ?? ''), null, { timeout: 20_000 });
    await shot(page, 'bad-input');
    await context.close();
  });

  test('recommendation, dispatch, on scene from the unit page, live update, close', async () => {
    const incident = await server.api('POST', '/api/v1/incidents',
      { lat: 38.9080, lon: -77.0370, category: 'robbery', priority: 1, description: 'shop robbed, suspect on foot' }, server.admin);
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await page.click('#tab-queue');
    await page.click(`#queue-pending tr[data-id="${incident.id}"]`);
    await page.waitForSelector('#detail-recs .rec', { timeout: 30_000 });
    const first = await page.textContent('#detail-recs .rec:first-child');
    assert.match(first, /DC-101/, 'the nearest police car is recommended first');
    await shot(page, 'recommendation');
    await page.click('#detail-recs .rec:first-child button.dispatch');
    await page.waitForFunction(() => document.querySelector('#detail-status')?.textContent === 'dispatched', null, { timeout: 20_000 });

    // The car's terminal, in a second browser context.
    const unitCtx = await chrome.newContext({ viewport: { width: 480, height: 860 } });
    await unitCtx.addInitScript(() => localStorage.setItem('pingan.lang', 'en'));
    const car = await unitCtx.newPage();
    await car.goto(server.url + '/unit');
    await car.fill('#login-user', UNIT.username);
    await car.fill('#login-password', UNIT.password);
    await car.click('#login-submit');
    await car.waitForSelector('#unit-assignment .big', { timeout: 20_000 });
    assert.match(await car.textContent('#unit-assignment'), new RegExp(incident.number));
    await car.click('#unit-on_scene');
    await car.waitForFunction(() => document.querySelector('#unit-status')?.textContent === 'on scene', null, { timeout: 20_000 });
    await shot(car, 'unit-page-on-scene');

    // The dispatcher's page follows without a reload.
    await page.waitForFunction(() => document.querySelector('#detail-status')?.textContent === 'on scene', null, { timeout: 20_000 });
    await page.waitForSelector('#detail-assigned .u-on_scene');
    assert.match(await page.textContent('#detail-timeline'), /DC-101 on scene/);
    await shot(page, 'dispatcher-sees-on-scene');

    await page.click('#detail-clear');
    await page.waitForFunction(() => document.querySelector('#detail-status')?.textContent === 'cleared', null, { timeout: 20_000 });
    await page.fill('#detail-disposition', 'suspect gone, report taken');
    await page.click('#detail-close');
    await page.waitForFunction(() => document.querySelector('#detail-status')?.textContent === 'closed', null, { timeout: 20_000 });
    await car.waitForFunction(() => document.querySelector('#unit-status')?.textContent === 'available', null, { timeout: 20_000 });
    await shot(page, 'incident-closed');
    await unitCtx.close();
    await context.close();
  });

  test('switch language', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'zh-CN');
    assert.equal((await page.textContent('#tab-call')).trim(), '接警');
    await page.click('#lang-switch');
    await page.waitForFunction(() => document.querySelector('#tab-call')?.textContent?.trim() === 'Call taking');
    assert.equal((await page.textContent('#tab-queue')).trim(), 'Queue');
    await page.keyboard.press('Alt+G');
    await page.waitForFunction(() => document.querySelector('#tab-call')?.textContent?.trim() === '接警');
    await shot(page, 'language-zh');
    await context.close();
  });

  test('a dropped stream catches up without gap or duplicate', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await page.click('#tab-queue');
    // One live event first, so the page knows where it is in the log.
    const seenFirst = await server.api('POST', '/api/v1/incidents',
      { lat: 38.905, lon: -77.03, category: 'noise', priority: 4, description: 'before the drop' }, server.admin);
    await page.waitForSelector(`#queue-pending tr[data-id="${seenFirst.id}"]`, { timeout: 20_000 });
    const { seq: seqBefore, applied: appliedBefore } = await page.evaluate(() => ({ seq: window.__pinganStream.seq, applied: window.__pinganStream.stats.applied }));
    assert.ok(seqBefore > 0);
    await context.setOffline(true);
    await page.evaluate(() => window.__pinganStream.drop());
    await page.waitForSelector('#conn.reconnecting');
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(await server.api('POST', '/api/v1/incidents',
        { lat: 38.91 + i * 0.001, lon: -77.03, category: 'noise', priority: 4, description: `while offline ${i}` }, server.admin));
    }
    await sleep(500);
    assert.equal(await page.evaluate((id) => window.__pinganApp && document.querySelector(`tr[data-id="${id}"]`) !== null, made[0].id), false);
    await context.setOffline(false);
    await page.waitForSelector('#conn.live', { timeout: 30_000 });
    for (const m of made) await page.waitForSelector(`#queue-pending tr[data-id="${m.id}"]`, { timeout: 20_000 });
    const { stats, seq: seqAfter } = await page.evaluate(() => ({ stats: { ...window.__pinganStream.stats }, seq: window.__pinganStream.seq }));
    assert.equal(stats.gaps, 0);
    assert.equal(stats.duplicates, 0);
    assert.ok(stats.reconnects >= 1);
    assert.ok(stats.resumes >= 1, 'reconnected with ?after=<last seq>');
    assert.equal(stats.resyncs, 0, 'no snapshot reload was needed');
    // Every event between the last one seen and the newest was applied exactly once.
    assert.ok(seqAfter >= seqBefore + 5);
    assert.equal(stats.applied - appliedBefore, seqAfter - seqBefore);
    await shot(page, 'stream-catch-up');
    await context.close();
  });

  test('an expired session is said in plain words and nothing typed is lost', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await page.click('#tab-call');
    await page.fill('#call-description', 'car alarm for an hour, neighbours complain');
    await setCategory(page, 'noise');
    // The token ends (as at the end of a shift) while the form is being filled.
    const token = await page.evaluate(() => sessionStorage.getItem('pingan.token'));
    await server.api('POST', '/api/v1/logout', {}, token);
    // A point on 16th Street with no incident marker on it (a marker click opens the incident).
    let p = await pointOf(page, 38.9220, -77.0365);
    await page.mouse.click(p.x, p.y);
    await page.waitForSelector('#relogin', { timeout: 20_000 });
    assert.match(await page.textContent('#relogin'), /session has expired/);
    await shot(page, 'session-expired');
    await page.fill('#relogin #login-user', DISPATCHER.username);
    await page.fill('#relogin #login-password', DISPATCHER.password);
    await page.click('#relogin #login-submit');
    await page.waitForSelector('#relogin', { state: 'detached' });
    assert.equal(await page.inputValue('#call-description'), 'car alarm for an hour, neighbours complain');
    p = await pointOf(page, 38.9220, -77.0365);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => document.querySelector('#call-location')?.textContent?.includes('📍'), null, { timeout: 20_000 });
    await page.press('#call-description', 'Enter');
    await page.waitForSelector('#call-message .msg.ok', { timeout: 20_000 });
    await context.close();
  });
});
