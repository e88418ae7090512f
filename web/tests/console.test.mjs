// The console end to end in Chromium against a real pingan (issue 5 checks). Each test leaves a
// screenshot in build/e2e/. Needs ../shared/data (DC roads), /usr/bin/chromium and web/dist.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CALLTAKER, DISPATCHER, UNIT, browser, cityServer, mapReady, openConsole, pointOf, setCategory, shot, skipReason, sleep, waitFor,
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
    await waitFor(page, '#call-message .msg.ok', { timeout: 20_000 });
    const text = await page.textContent('#call-message');
    assert.match(text, /\d{4}-\d{6}/);
    await page.click('#tab-queue');
    await waitFor(page, '#queue-pending tr.incident-row');
    await shot(page, 'create-by-map-click');
    await context.close();
  });

  test('create an incident by typing an address in the DC data', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page);
    await page.click('#tab-call');
    await page.fill('#call-address', 'Connecticut Ave & R St');
    await waitFor(page, '#call-candidates .candidate[data-kind="intersection"]', { timeout: 20_000 });
    const label = await page.textContent('#call-candidates .candidate.on');
    assert.match(label, /Connecticut Avenue Northwest/);
    assert.match(label, /R Street Northwest/);
    await page.press('#call-address', 'Enter'); // picks the highlighted candidate
    await page.waitForFunction(() => document.querySelector('#call-location')?.textContent?.includes('Connecticut'));
    await setCategory(page, 'assault');
    await page.click('#call-priority button:nth-child(2)');
    await page.fill('#call-description', 'two men fighting at the crossing');
    await page.press('#call-description', 'Enter');
    await waitFor(page, '#call-message .msg.ok', { timeout: 20_000 });
    await shot(page, 'create-by-address');

    // A house number from the OSM addr:* tags of the extract.
    await page.fill('#call-address', '441 G St NW');
    await waitFor(page, '#call-candidates .candidate.on[data-kind="address"]', { timeout: 20_000 });
    assert.match(await page.textContent('#call-candidates .candidate.on'), /441 G Street Northwest/);

    // An address that does not resolve is said in plain words, and what was typed stays.
    await page.fill('#call-address', 'Nonexistent Boulevard 99999');
    await waitFor(page, '#call-message .msg.error', { timeout: 20_000 });
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
    await waitFor(page, '#detail-recs .rec', { timeout: 30_000 });
    const first = await page.textContent('#detail-recs .rec:first-child');
    assert.match(first, /DC-101/, 'the nearest police car is recommended first');
    // With its road ETA and the reasons for its rank (capability, jurisdiction, coverage …).
    assert.match(await page.textContent('#detail-recs .rec:first-child .eta'), /ETA/);
    assert.ok((await page.textContent('#detail-recs .rec:first-child .reasons')).trim().length > 0, 'reasons are shown');
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
    await waitFor(car, '#unit-assignment .big', { timeout: 20_000 });
    assert.match(await car.textContent('#unit-assignment'), new RegExp(incident.number));
    await car.click('#unit-on_scene');
    await car.waitForFunction(() => document.querySelector('#unit-status')?.textContent === 'on scene', null, { timeout: 20_000 });
    await shot(car, 'unit-page-on-scene');

    // The dispatcher's page follows without a reload.
    await page.waitForFunction(() => document.querySelector('#detail-status')?.textContent === 'on scene', null, { timeout: 20_000 });
    await waitFor(page, '#detail-assigned .u-on_scene');
    assert.match(await page.textContent('#detail-timeline'), /DC-101 on scene/);
    await shot(page, 'dispatcher-sees-on-scene');

    await page.click('#detail-clear');
    await page.waitForFunction(() => document.querySelector('#detail-status')?.textContent === 'cleared', null, { timeout: 20_000 });
    await page.fill('#detail-disposition', 'suspect gone, report taken');
    await page.click('#detail-close');
    await page.waitForFunction(() => document.querySelector('#detail-status')?.textContent === 'closed', null, { timeout: 20_000 });
    await car.waitForFunction(() => document.querySelector('#unit-status')?.textContent === 'available', null, { timeout: 20_000 });
    await shot(page, 'incident-closed');

    // Export links: EIDO (JSON) and CAP 1.2 (XML) of the incident, fetched with the session.
    for (const [id, re] of [['#export-eido', /"incident|\{/], ['#export-cap', /<alert[\s>]/]]) {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(id)]);
      const file = await download.path();
      assert.match(fs.readFileSync(file, 'utf8'), re, `${id} downloads the export`);
      assert.match(download.suggestedFilename(), new RegExp(incident.number));
    }
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
      { lat: 38.905, lon: -77.03, category: 'dispute', priority: 3, description: 'before the drop' }, server.admin);
    await waitFor(page, `#queue-pending tr[data-id="${seenFirst.id}"]`, { timeout: 20_000 });
    const { seq: seqBefore, applied: appliedBefore } = await page.evaluate(() => ({ seq: window.__pinganStream.seq, applied: window.__pinganStream.stats.applied }));
    assert.ok(seqBefore > 0);
    await context.setOffline(true);
    await page.evaluate(() => window.__pinganStream.drop());
    await waitFor(page, '#conn.reconnecting');
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(await server.api('POST', '/api/v1/incidents',
        { lat: 38.91 + i * 0.001, lon: -77.03, category: 'dispute', priority: 3, description: `while offline ${i}` }, server.admin));
    }
    await sleep(500);
    assert.equal(await page.evaluate((id) => window.__pinganApp && document.querySelector(`tr[data-id="${id}"]`) !== null, made[0].id), false);
    await context.setOffline(false);
    await waitFor(page, '#conn.live', { timeout: 30_000 });
    for (const m of made) await waitFor(page, `#queue-pending tr[data-id="${m.id}"]`, { timeout: 20_000 });
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

  test('an event that arrives while the snapshot loads is kept, and the page goes on', async () => {
    // The snapshot's unit list is held back until an incident has reached the page by the stream.
    let asked;
    let release;
    const loading = new Promise((r) => { asked = r; });
    const held = new Promise((r) => { release = r; });
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en', {
      beforeLogin: (p) => p.route((url) => url.pathname === '/api/v1/units', async (route) => {
        asked();
        await held;
        await route.continue();
      }),
    });
    await loading;
    const made = await server.api('POST', '/api/v1/incidents',
      { lat: 38.906, lon: -77.031, category: 'dispute', priority: 3, description: 'while the snapshot loads' }, server.admin);
    await page.waitForFunction((id) => window.__pinganSeen.some((s) => s.id === id), made.id, { timeout: 20_000 });
    release();
    // The event came while the snapshot loaded, so it was buffered and is applied again after
    // the snapshot. The page once replayed that buffer into itself for ever and answered nothing.
    await page.click('#tab-queue', { timeout: 20_000 });
    await waitFor(page, `#queue-pending tr[data-id="${made.id}"]`, { timeout: 20_000 });
    // Applied live and again after the snapshot: still one row.
    assert.equal(await page.locator(`#queue-pending tr[data-id="${made.id}"]`).count(), 1);
    await context.close();
  });

  test('an expired session is said in plain words and nothing typed is lost', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page); // pointOf below needs the map
    await page.click('#tab-call');
    await page.fill('#call-description', 'car alarm for an hour, neighbours complain');
    await setCategory(page, 'noise');
    // The triage hint is in (asked 300 ms after typing stops), so no request of the form is on
    // its way when the session ends.
    await waitFor(page, '#call-suggestion .suggest-box', { timeout: 20_000 });
    // The token ends (as at the end of a shift) while the form is being filled.
    const token = await page.evaluate(() => sessionStorage.getItem('pingan.token'));
    await server.api('POST', '/api/v1/logout', {}, token);
    // Two clicks on a point of 16th Street with no incident marker on it (a marker click opens
    // the incident). Their address look-ups are held: the first is answered before the new
    // login, the second only after it, refused for the old token. That late refusal once opened
    // the login box again, over the map, after the dispatcher had logged in.
    const held = [];
    let twoHeld;
    const bothSent = new Promise((resolve) => { twoHeld = resolve; });
    await page.route('**/api/v1/geocode/reverse*', (route) => {
      if (held.length === 2) return route.continue();
      if (held.push(route) === 2) twoHeld();
    });
    const p = await pointOf(page, 38.9220, -77.0365);
    await page.mouse.click(p.x, p.y);
    await page.waitForTimeout(600); // two clicks, not a double click
    await page.mouse.click(p.x, p.y);
    await bothSent;
    await held[0].continue();
    await waitFor(page, '#relogin', { timeout: 20_000 });
    assert.match(await page.textContent('#relogin'), /session has expired/);
    await shot(page, 'session-expired');
    await page.fill('#relogin #login-user', DISPATCHER.username);
    await page.fill('#relogin #login-password', DISPATCHER.password);
    await page.click('#relogin #login-submit');
    await waitFor(page, '#relogin', { state: 'detached' });
    assert.equal(await page.inputValue('#call-description'), 'car alarm for an hour, neighbours complain');
    // The late refusal: the look-up goes again with the new token and sets the location.
    await held[1].continue();
    await page.waitForFunction(() => document.querySelector('#call-location')?.textContent?.includes('📍'), null, { timeout: 20_000 });
    assert.equal(await page.locator('#relogin').count(), 0, 'no second login box');
    await page.press('#call-description', 'Enter');
    await waitFor(page, '#call-message .msg.ok', { timeout: 20_000 });
    await context.close();
  });

  test('a likely duplicate is flagged before and after the call is created', async () => {
    const first = await server.api('POST', '/api/v1/incidents',
      { lat: 38.9165, lon: -77.0319, category: 'burglary', priority: 2, description: 'window broken at the back' }, server.admin);
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page);
    await page.click('#tab-call');
    await page.evaluate(() => window.__pinganApp.map.map.jumpTo({ center: [-77.0319, 38.9165], zoom: 16 }));
    // A second call from about 30 m away: the open incident there is named before submitting.
    const p = await pointOf(page, 38.9168, -77.0322);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => document.querySelector('#call-location')?.textContent?.includes('📍'), null, { timeout: 20_000 });
    await waitFor(page, '#duplicate-banner', { timeout: 20_000 });
    assert.match(await page.textContent('#duplicate-banner'), /Possible duplicate/);
    assert.match(await page.textContent('#duplicate-banner'), new RegExp(first.number));
    await setCategory(page, 'burglary');
    await page.fill('#call-description', 'neighbour reports a break-in next door');
    await page.press('#call-description', 'Enter');
    await waitFor(page, '#call-message .msg.ok', { timeout: 20_000 });
    // The server's duplicate check (space, time, type) agrees, and the banner says so.
    await page.waitForFunction((n) => /Likely duplicate of/.test(document.querySelector('#duplicate-banner')?.textContent ?? '') &&
      document.querySelector('#duplicate-banner').textContent.includes(n), first.number, { timeout: 20_000 });
    // The recommendation made at intake is shown with the confirmation.
    await waitFor(page, '#call-recs .rec-chip');
    await shot(page, 'duplicate-banner');
    // The incident's detail offers the merge.
    await page.click('#call-open-created');
    await waitFor(page, '#detail-duplicates');
    assert.match(await page.textContent('#detail-duplicates'), new RegExp(first.number));
    await context.close();
  });

  test('coverage overlay can be switched on and off', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page);
    const visible = () => page.evaluate(() => window.__pinganApp.map.map.getLayoutProperty('coverage', 'visibility'));
    assert.notEqual(await visible(), 'visible');
    await page.check('#coverage-toggle');
    await page.waitForFunction(() => /\d+% of roads/.test(document.querySelector('#coverage-share')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.equal(await visible(), 'visible');
    const pieces = await page.evaluate(() => window.__pinganApp.map.map.getSource('coverage')._data?.features?.length ??
      window.__pinganApp.map.map.getSource('coverage').serialize().data.features.length);
    assert.ok(pieces > 0, 'covered road pieces are drawn');
    await shot(page, 'coverage-overlay');
    await page.uncheck('#coverage-toggle');
    await page.waitForFunction(() => window.__pinganApp.map.map.getLayoutProperty('coverage', 'visibility') === 'none');
    await context.close();
  });

  test('queue timers turn amber and red at the taxonomy targets; alerts show in the banner and list', async () => {
    // A second server whose clock the test moves: calls received 25 and 10 minutes ago.
    const now = Date.now();
    const clocked = await cityServer(['--manual-clock', new Date(now - 25 * 60_000).toISOString()]);
    try {
      // P4 target: dispatched within 30 min; at 25 min it is past three quarters (amber).
      const old = await clocked.api('POST', '/api/v1/incidents',
        { lat: 38.9030, lon: -77.0420, category: 'theft', priority: 4, description: 'wallet taken on the bus yesterday' }, clocked.admin);
      await clocked.api('POST', '/api/v1/test/clock', { advance_s: 15 * 60 }, clocked.admin);
      // P1 target: dispatched within 60 s; after 10 min it is red and the server raises alerts.
      const late = await clocked.api('POST', '/api/v1/incidents',
        { lat: 38.9120, lon: -77.0380, category: 'robbery', priority: 1, description: 'armed robbery at the pharmacy' }, clocked.admin);
      await clocked.api('POST', '/api/v1/test/clock', { now: new Date(now).toISOString() }, clocked.admin);
      // The timers run after the clock moved (the answer does not wait for their alerts).
      let alerts = [];
      for (let i = 0; i < 100 && !alerts.some((a) => a.kind === 'not_dispatched' && a.incident_id === late.id); i++) {
        await sleep(100);
        alerts = (await clocked.api('GET', '/api/v1/alerts', undefined, clocked.admin)).items;
      }
      assert.ok(alerts.some((a) => a.kind === 'not_dispatched' && a.incident_id === late.id), 'the server raised not_dispatched');

      const { context, page } = await openConsole(chrome, clocked, DISPATCHER, 'en');
      await page.click('#tab-queue');
      await waitFor(page, `#queue-pending td[data-timer="${late.id}"].red`, { timeout: 20_000 });
      await waitFor(page, `#queue-pending td[data-timer="${old.id}"].amber`, { timeout: 20_000 });
      assert.match(await page.textContent(`#queue-pending td[data-timer="${late.id}"]`), /^(\d+:)?\d{1,2}:\d{2}$/);
      // The banner counts the open alerts and names one in words; a click opens the list.
      await waitFor(page, '#alert-banner:not([hidden])');
      assert.match(await page.textContent('#alert-banner'), /alert/i);
      assert.match(await page.textContent('#alert-banner'), new RegExp(late.number));
      await shot(page, 'queue-timers-alerts');
      await page.click('#alert-banner');
      await waitFor(page, '#alerts-list li.open');
      assert.match(await page.textContent('#alerts-list'), /Not dispatched/);
      // Dispatching resolves the alert live, over the stream.
      await clocked.api('POST', `/api/v1/incidents/${late.id}/dispatch`, { unit_id: clocked.units[0].id }, clocked.admin);
      await clocked.api('POST', '/api/v1/test/clock', { advance_s: 1 }, clocked.admin);
      await page.waitForFunction(() => /Not dispatched/.test(document.querySelector('#alerts-list li.resolved')?.textContent ?? ''), null, { timeout: 20_000 });
      await shot(page, 'alerts-list');
      await context.close();
    } finally {
      await clocked.stop();
    }
  });

  test('a server restart mid-session is said in plain words and nothing typed is lost', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page);
    await page.click('#tab-call');
    await page.fill('#call-address', '');
    await setCategory(page, 'theft');
    await page.fill('#call-description', 'scooter taken from the rack, owner waiting');
    const p = await pointOf(page, 38.9060, -77.0400);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => document.querySelector('#call-location')?.textContent?.includes('📍'), null, { timeout: 20_000 });

    await server.stop();
    await waitFor(page, '#conn.reconnecting', { timeout: 30_000 });
    assert.match(await page.textContent('#conn'), /Connection to the server lost/);
    // Enter while the server is down: said in words, the form stays as typed.
    await page.press('#call-description', 'Enter');
    await waitFor(page, '#call-message .msg.error', { timeout: 20_000 });
    assert.match(await page.textContent('#call-message'), /cannot be reached/);
    assert.equal(await page.inputValue('#call-description'), 'scooter taken from the rack, owner waiting');
    await shot(page, 'server-restart');

    const before = await page.evaluate(() => window.__pinganStream.seq);
    await server.restart();
    await waitFor(page, '#conn.live', { timeout: 60_000 });
    await page.press('#call-description', 'Enter');
    await waitFor(page, '#call-message .msg.ok', { timeout: 20_000 });
    const created = (await page.textContent('#call-message')).match(/\d{4}-\d{6}/)[0];
    await page.click('#tab-queue');
    await page.waitForFunction((n) => [...document.querySelectorAll('#queue-pending tr .num')].some((td) => td.textContent === n), created, { timeout: 20_000 });
    const { stats, seq } = await page.evaluate(() => ({ stats: { ...window.__pinganStream.stats }, seq: window.__pinganStream.seq }));
    assert.ok(seq > before);
    assert.equal(stats.gaps, 0);
    assert.equal(stats.duplicates, 0);
    await context.close();
  });
});
