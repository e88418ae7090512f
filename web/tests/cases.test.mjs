// Cases, evidence custody and oversight in the console (issue 8). A real `pingan serve`; two
// supervisors in two browser contexts hand an evidence item over by scanning its label code
// (a USB scanner is keyboard input ending with Enter), the label image is shown, the cases
// list highlights an overdue case and filters by deadline, a case is opened from the selected
// incident, the oversight counts match the API, and a dispatcher sees none of the panels.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DISPATCHER, UNIT, browser, cityServer, openConsole, shot, skipReason, waitFor } from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# cases e2e skipped: ${skip}`);

const GIVER = { username: 'sgt-li', password: 'Giver-Pass-2026' };
const RECEIVER = { username: 'sgt-wang', password: 'Receiver-Pass-2026' };
const AUDITOR = { username: 'aud', password: 'Auditor-Pass-2026' };
const CODE = 'EV-2026-0001';

describe('cases, evidence and oversight panels', { skip: skip ?? false, timeout: 600_000 }, () => {
  let server;
  let chrome;
  let incident;
  let handling; // an administrative case, 30 days: not due soon
  let overdue; // a criminal case whose 3-day arrest request period began 10 days ago
  before(async () => {
    server = await cityServer();
    for (const [u, role] of [[GIVER, 'supervisor'], [RECEIVER, 'supervisor'], [AUDITOR, 'auditor']]) {
      await server.api('POST', '/api/v1/users', { ...u, role }, server.admin);
    }
    server.giver = await server.login(GIVER);
    server.receiver = await server.login(RECEIVER);
    incident = await server.api('POST', '/api/v1/incidents',
      { lat: 38.9080, lon: -77.0370, category: 'theft', priority: 3, description: 'bicycle taken from a rack' }, server.admin);
    handling = await server.api('POST', '/api/v1/cases',
      { incident_id: incident.id, kind: 'administrative', type: 'theft', stage: 'case_handling', officers: [GIVER.username] }, server.giver);
    overdue = await server.api('POST', '/api/v1/cases',
      { incident_id: incident.id, kind: 'criminal', type: 'robbery', stage: 'arrest_request', officers: [GIVER.username],
        started_at: new Date(Date.now() - 10 * 86_400_000).toISOString() }, server.giver);
    assert.equal(overdue.overdue, true, 'a 3-day period begun 10 days ago is overdue');
    await server.api('POST', '/api/v1/evidence',
      { code: CODE, case_id: handling.id, description: 'red bicycle, frame no. withheld', location: 'scene', condition: 'scratched' }, server.giver);
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  const item = (token) => server.api('GET', `/api/v1/evidence/${CODE}`, undefined, token);

  // A USB scanner types the code and presses Enter into the focused field.
  async function scan(page, code) {
    await page.click('#tab-evidence');
    await waitFor(page, '#evidence-code');
    await page.focus('#evidence-code');
    await page.fill('#evidence-code', '');
    await page.keyboard.type(code, { delay: 5 });
    await page.keyboard.press('Enter');
    await waitFor(page, `#evidence-item[data-code="${code}"]`, { timeout: 15_000 });
  }

  test('two-party hand-over of an item by scanning its label code', async () => {
    const giver = await openConsole(chrome, server, GIVER, 'en');
    await scan(giver.page, CODE);
    assert.match(await giver.page.textContent('#evidence-holder'), /sgt-li \(you\)/);
    assert.equal(await giver.page.textContent('#evidence-location'), 'scene');
    assert.equal(await giver.page.locator('#evidence-custody tbody tr').count(), 1);
    assert.equal(await giver.page.getAttribute('#evidence-custody tbody tr', 'data-kind'), 'registered');
    // The label: the server's Code 128 SVG, fetched with the token, shown as an image.
    await waitFor(giver.page, '#evidence-label', { timeout: 15_000 });
    await giver.page.waitForFunction(() => {
      const img = document.querySelector('#evidence-label');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 15_000 });
    assert.match(await giver.page.getAttribute('#evidence-label', 'src'), /^blob:/);
    // An unknown code is said in words; the scanner's field keeps the focus for the next scan.
    await giver.page.keyboard.type('EV-NOPE-9');
    await giver.page.keyboard.press('Enter');
    await waitFor(giver.page, '#evidence-message.error');
    assert.match(await giver.page.textContent('#evidence-message'), /No item has the code EV-NOPE-9/);
    await scan(giver.page, CODE);

    // The holder offers it; custody does not change yet (CU-1).
    await giver.page.fill('#handover-receiver', RECEIVER.username);
    await giver.page.fill('#handover-place', 'property room 2');
    await giver.page.fill('#handover-condition', 'scratched, sealed bag 114');
    await giver.page.click('#handover-submit');
    await waitFor(giver.page, '#evidence-pending');
    assert.equal(await giver.page.getAttribute('#evidence-pending', 'data-receiver'), RECEIVER.username);
    assert.match(await giver.page.textContent('#evidence-holder'), /sgt-li/);
    assert.equal(await giver.page.locator('#evidence-confirm').count(), 0, 'the giver cannot confirm');
    let api = await item(server.giver);
    assert.equal(api.holder, GIVER.username);
    assert.equal(api.pending_handover.receiver, RECEIVER.username);
    await shot(giver.page, 'evidence-offered');

    // The receiver, in their own session, scans the same label and confirms.
    const receiver = await openConsole(chrome, server, RECEIVER, 'zh-CN');
    await scan(receiver.page, CODE);
    assert.match(await receiver.page.textContent('#evidence-holder'), /sgt-li/);
    assert.equal(await receiver.page.locator('#handover-form').count(), 0, 'only the holder may hand it over');
    await receiver.page.click('#evidence-confirm');
    await waitFor(receiver.page, '#evidence-message.ok');
    await receiver.page.waitForFunction(() => /sgt-wang/.test(document.querySelector('#evidence-holder')?.textContent ?? ''));
    assert.match(await receiver.page.textContent('#evidence-holder'), /sgt-wang（本人）|sgt-wang \(本人\)/);
    assert.equal(await receiver.page.textContent('#evidence-location'), 'property room 2');
    assert.equal(await receiver.page.locator('#evidence-pending').count(), 0);
    assert.deepEqual(await receiver.page.$$eval('#evidence-custody tbody tr', (rows) => rows.map((r) => r.dataset.kind)),
      ['registered', 'handover_proposed', 'handover_confirmed']);
    await shot(receiver.page, 'evidence-confirmed');

    // The API agrees, and the giver's next scan shows the new holder and no hand-over form.
    api = await item(server.receiver);
    assert.equal(api.holder, RECEIVER.username);
    assert.equal(api.location, 'property room 2');
    assert.equal(api.pending_handover, null);
    assert.equal(api.custody.at(-1).kind, 'handover_confirmed');
    await scan(giver.page, CODE);
    // The item from the first scan is still on the page until the new read lands: wait for it.
    await giver.page.waitForFunction(() => /sgt-wang/.test(document.querySelector('#evidence-holder')?.textContent ?? ''));
    assert.match(await giver.page.textContent('#evidence-holder'), /sgt-wang/);
    assert.doesNotMatch(await giver.page.textContent('#evidence-holder'), /you/);
    assert.equal(await giver.page.locator('#handover-form').count(), 0);
    // Every scan was a logged read (auditors can list who saw the item).
    const reads = await server.api('GET', `/api/v1/audit/reads?subject=evidence/${CODE}`, undefined, await server.login(AUDITOR));
    assert.ok(reads.items.some((r) => r.actor === RECEIVER.username));
    await receiver.context.close();
    await giver.context.close();
  });

  test('an officer confirms a hand-over on the unit terminal, scanning while the page redraws', async () => {
    // sgt-wang (holding it after the first test) offers the item to the car's account.
    await server.api('POST', `/api/v1/evidence/${CODE}/handover`,
      { receiver: UNIT.username, place: 'DC-101', condition: 'sealed bag 114' }, server.receiver);
    const ctx = await chrome.newContext({ viewport: { width: 480, height: 1000 } });
    await ctx.addInitScript(() => localStorage.setItem('pingan.lang', 'en'));
    const car = await ctx.newPage();
    car.on('pageerror', (e) => console.error(`[page error] ${e.stack ?? e.message}`));
    await car.goto(server.url + '/unit');
    await car.fill('#login-user', UNIT.username);
    await car.fill('#login-password', UNIT.password);
    await car.click('#login-submit');
    await waitFor(car, '#evidence-code', { timeout: 20_000 });
    // The terminal redraws on every position report (2 s): a slow scan spans several of them.
    await car.focus('#evidence-code');
    await car.keyboard.type(CODE, { delay: 300 });
    await car.keyboard.press('Enter');
    await waitFor(car, `#evidence-item[data-code="${CODE}"]`, { timeout: 15_000 });
    assert.equal(await car.inputValue('#evidence-code'), CODE, 'no keystroke lost to a redraw');
    await car.click('#evidence-confirm');
    await car.waitForFunction(() => /car1/.test(document.querySelector('#evidence-holder')?.textContent ?? ''), null, { timeout: 15_000 });
    assert.equal(await car.textContent('#evidence-location'), 'DC-101');
    await shot(car, 'evidence-unit-confirmed');
    const api = await item(await server.login(UNIT));
    assert.equal(api.holder, UNIT.username);
    assert.equal(api.custody.at(-1).kind, 'handover_confirmed');
    await ctx.close();
  });

  test('cases by deadline: overdue first and highlighted, due_within filter, open from the selected incident', async () => {
    const { context, page } = await openConsole(chrome, server, GIVER, 'en');
    await page.click('#tab-cases');
    await waitFor(page, `#cases-list tr[data-id="${handling.id}"]`);
    const ids = await page.$$eval('#cases-list tbody tr', (rows) => rows.map((r) => Number(r.dataset.id)));
    assert.deepEqual(ids.slice(0, 2), [overdue.id, handling.id], 'overdue first');
    assert.match(await page.getAttribute(`#cases-list tr[data-id="${overdue.id}"]`, 'class'), /overdue/);
    assert.doesNotMatch(await page.getAttribute(`#cases-list tr[data-id="${handling.id}"]`, 'class'), /overdue/);
    assert.match(await page.textContent(`#cases-list tr[data-id="${overdue.id}"]`), /overdue by/);

    // Within 72 h: the overdue case stays, the 30-day case goes (as the API says).
    const within = await server.api('GET', '/api/v1/cases?due_within=72h', undefined, server.giver);
    await page.selectOption('#cases-due', '72h');
    await waitFor(page, `#cases-list tr[data-id="${handling.id}"]`, { state: 'detached' });
    assert.deepEqual(await page.$$eval('#cases-list tbody tr', (rows) => rows.map((r) => Number(r.dataset.id))), within.items.map((c) => c.id));

    // A case's detail: stage, deadline, items; a supervisor approves an extension.
    await page.selectOption('#cases-due', '');
    await page.click(`#cases-list tr[data-id="${handling.id}"]`);
    await waitFor(page, `#case-detail[data-id="${handling.id}"]`);
    assert.match(await page.textContent('#case-stage'), /case handling/);
    assert.equal(await page.locator(`#case-items [data-code="${CODE}"]`).count(), 1);
    const before = await server.api('GET', `/api/v1/cases/${handling.id}`, undefined, server.giver);
    await page.fill('#extension-amount', '30');
    await page.fill('#extension-reason', 'complex case, approved by the county bureau');
    await page.click('#extension-submit');
    await waitFor(page, '#case-stages .extension');
    assert.match(await page.textContent('#case-stages'), /\+30 days, approved by sgt-li/);
    const extended = await server.api('GET', `/api/v1/cases/${handling.id}`, undefined, server.giver);
    assert.equal(extended.deadline.extended_by, 30);
    assert.ok(Date.parse(extended.deadline.ends_at) > Date.parse(before.deadline.ends_at));
    // An item in the case opens in the evidence panel.
    await page.click(`#case-items [data-code="${CODE}"]`);
    await waitFor(page, `#evidence-item[data-code="${CODE}"]`);

    // Open a case from the incident selected in the queue.
    await page.click('#tab-queue');
    await page.click(`tr[data-id="${incident.id}"]`);
    await page.click('#tab-cases');
    await waitFor(page, '#case-open[open]');
    await page.selectOption('#case-kind', 'administrative');
    await page.fill('#case-type', 'vandalism');
    // A supervisor is proposed as the handling officer (the server needs at least one).
    assert.equal(await page.inputValue('#case-officers'), GIVER.username);
    await page.click('#case-open-submit');
    await waitFor(page, '#cases-message');
    assert.match(await page.getAttribute('#cases-message', 'class'), /\bok\b/, await page.textContent('#cases-message'));
    const opened = Number((await page.textContent('#cases-message')).match(/#(\d+)/)[1]);
    const made = await server.api('GET', `/api/v1/cases/${opened}`, undefined, server.giver);
    assert.deepEqual(made.incidents.slice(0, 1), [incident.id]);
    assert.equal(made.type, 'vandalism');
    assert.deepEqual(made.officers, [GIVER.username]);
    await waitFor(page, `#cases-list tr[data-id="${opened}"]`);
    await shot(page, 'cases-list');
    await context.close();
  });

  test('oversight counts match the API; an auditor reads without hand-over controls', async () => {
    const token = await server.login(AUDITOR);
    const expected = await server.api('GET', '/api/v1/oversight', undefined, token);
    assert.ok(expected.counts.overdue_cases >= 1);
    const { context, page } = await openConsole(chrome, server, AUDITOR, 'en');
    await page.click('#tab-oversight');
    await waitFor(page, '#oversight-counts');
    for (const k of ['open_cases', 'overdue_cases', 'items_in_custody', 'pending_handovers']) {
      assert.equal(Number(await page.getAttribute(`[data-count="${k}"] strong`, 'data-value')), expected.counts[k], k);
    }
    assert.equal(await page.locator(`#oversight-overdue tr[data-id="${overdue.id}"]`).count(), 1);
    await shot(page, 'oversight');
    await scan(page, CODE);
    assert.equal(await page.locator('#handover-form').count(), 0);
    assert.equal(await page.locator('#evidence-confirm').count(), 0);
    await context.close();
  });

  test('a dispatcher has no cases, evidence or oversight panel', async () => {
    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await waitFor(page, '#tab-queue');
    for (const tab of ['cases', 'evidence', 'oversight']) assert.equal(await page.locator(`#tab-${tab}`).count(), 0, tab);
    for (const key of ['Alt+K', 'Alt+E', 'Alt+O']) await page.keyboard.press(key);
    for (const v of ['cases', 'evidence', 'oversight']) assert.equal(await page.locator(`[data-view="${v}"]`).count(), 0, v);
    const token = await server.login(DISPATCHER);
    await assert.rejects(server.api('GET', `/api/v1/evidence/${CODE}`, undefined, token), /403/);
    await assert.rejects(server.api('GET', '/api/v1/oversight', undefined, token), /403/);
    await context.close();
  });
});
