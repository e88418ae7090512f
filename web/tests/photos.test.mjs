// Evidence photos (docs/cases.md PH-1..PH-7) and teams (派出所/中队, "Who sees what") in the
// console. A real `pingan serve` and Chromium: a supervisor attaches a real PNG through the
// file input, the thumbnail is drawn from the bytes the server gives back, and the API lists
// the photo with the SHA-256 computed here; refusals are shown in the server's words and record
// nothing; an auditor sees the photos and has no form. Team supervisors see their team's cases,
// a centre-level supervisor every case, and opens one for a chosen team.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { browser, cityServer, openConsole, shot, skipReason, waitFor } from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# photos and teams e2e skipped: ${skip}`);

const LI = { username: 'sgt-li', password: 'Li-Pass-2026' }; // centre level
const AUDITOR = { username: 'aud', password: 'Auditor-Pass-2026' };
const EAST = { username: 'sgt-dong', password: 'Dong-Pass-2026', team: '东城派出所' };
const WEST = { username: 'sgt-xi', password: 'Xi-Pass-2026', team: '西城派出所' };
const CODE = 'EV-PH-0001';
// A 1×1 PNG (a real image: Chromium decodes it).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PNG_SHA = createHash('sha256').update(PNG).digest('hex');

describe('evidence photos and teams', { skip: skip ?? false, timeout: 600_000 }, () => {
  let server;
  let chrome;
  let theft; // centre-level case, opened by sgt-li
  before(async () => {
    server = await cityServer();
    for (const [u, role] of [[LI, 'supervisor'], [AUDITOR, 'auditor'], [EAST, 'supervisor'], [WEST, 'supervisor']]) {
      await server.api('POST', '/api/v1/users', { ...u, role }, server.admin);
    }
    for (const [key, u] of [['li', LI], ['aud', AUDITOR], ['east', EAST], ['west', WEST]]) server[key] = await server.login(u);
    const incident = await server.api('POST', '/api/v1/incidents',
      { lat: 38.9080, lon: -77.0370, category: 'theft', priority: 3, description: 'bicycle stolen, lock recovered' }, server.admin);
    theft = await server.api('POST', '/api/v1/cases',
      { incident_id: incident.id, kind: 'administrative', type: 'theft', stage: 'case_handling', officers: [LI.username] }, server.li);
    await server.api('POST', '/api/v1/evidence',
      { code: CODE, case_id: theft.id, description: 'cut bicycle lock', location: 'property room 1', condition: 'sealed bag 201' }, server.li);
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  const item = (token = server.li) => server.api('GET', `/api/v1/evidence/${CODE}`, undefined, token);

  // What the server answers to a photo that is to be refused: status and problem JSON.
  async function refusedPhoto(body, type) {
    const res = await fetch(`${server.url}/api/v1/evidence/${CODE}/photos`, {
      method: 'POST', headers: { Authorization: `Bearer ${server.li}`, 'Content-Type': type }, body,
    });
    assert.ok(res.status >= 400 && res.status < 500, `the photo should be refused, got ${res.status}`);
    return { status: res.status, ...await res.json() };
  }

  async function lookUp(page, code) {
    await page.click('#tab-evidence');
    await waitFor(page, '#evidence-code');
    await page.fill('#evidence-code', code);
    await page.press('#evidence-code', 'Enter');
    await waitFor(page, `#evidence-item[data-code="${code}"]`, { timeout: 15_000 });
  }

  // The <img> in the element has decoded an image from the bytes the server gave.
  const loaded = (page, selector) => page.waitForFunction((s) => {
    const img = document.querySelector(s);
    return img && img.complete && img.naturalWidth > 0;
  }, selector, { timeout: 15_000 });

  test('a supervisor attaches a PNG: thumbnail, larger view, the API has it; refusals in the server\'s words record nothing', async () => {
    const { context, page } = await openConsole(chrome, server, LI, 'en');
    await lookUp(page, CODE);
    await waitFor(page, '#evidence-photos-none');
    assert.equal(await page.textContent('#evidence-photo-count'), '0');

    await page.setInputFiles('#photo-file', { name: 'seal.png', mimeType: 'image/png', buffer: PNG });
    await page.fill('#photo-caption', 'seal 201 intact');
    await page.click('#photo-submit');
    await waitFor(page, '#photo-message.ok');
    assert.equal(await page.textContent('#photo-message'), 'Photo seal.png attached.');
    await loaded(page, `.photo-thumb[data-sha256="${PNG_SHA}"] img`);
    assert.equal(await page.textContent('#evidence-photo-count'), '1');
    assert.equal(await page.textContent(`#evidence-photos li[data-sha256="${PNG_SHA}"] .caption`), 'seal 201 intact');
    assert.equal(await page.inputValue('#photo-caption'), '', 'the form starts again');
    assert.equal(await page.$eval('#photo-file', (i) => i.files.length), 0);
    let api = await item();
    assert.equal(api.photos.length, 1);
    assert.equal(api.photos[0].sha256, PNG_SHA);
    assert.equal(api.photos[0].caption, 'seal 201 intact');
    assert.equal(api.photos[0].content_type, 'image/png');
    assert.equal(api.photos[0].bytes, PNG.length);
    assert.equal(api.photos[0].by, LI.username);
    // The server keeps the very bytes that were chosen.
    const bytes = await fetch(`${server.url}/api/v1/evidence/${CODE}/photos/${PNG_SHA}`, { headers: { Authorization: `Bearer ${server.li}` } });
    assert.equal(bytes.status, 200);
    assert.deepEqual(Buffer.from(await bytes.arrayBuffer()), PNG);

    // Click: the larger view, from the same bytes; Escape closes it.
    await page.click(`.photo-thumb[data-sha256="${PNG_SHA}"]`);
    await waitFor(page, `#evidence-photo-view[data-sha256="${PNG_SHA}"]`);
    await loaded(page, '#evidence-photo-large');
    assert.match(await page.textContent('#evidence-photo-view figcaption'), /^seal 201 intact attached by sgt-li, /);
    await shot(page, 'evidence-photo-large');
    await page.keyboard.press('Escape');
    await waitFor(page, '#evidence-photo-view', { state: 'detached' });

    // PH-1: the same bytes again are attached once.
    await page.setInputFiles('#photo-file', { name: 'seal-again.png', mimeType: 'image/png', buffer: PNG });
    await page.click('#photo-submit');
    await waitFor(page, '#photo-message.ok');
    assert.equal(await page.textContent('#photo-message'), 'seal-again.png is already attached to this item; nothing recorded.');
    assert.equal((await item()).photos.length, 1);

    // A text file named .png and sent as image/png: the server's refusal, the field marked.
    const text = Buffer.from('not an image, just notes\n');
    const problem = await refusedPhoto(text, 'image/png');
    assert.equal(problem.status, 422);
    assert.equal(problem.field, 'body');
    await page.setInputFiles('#photo-file', { name: 'notes.png', mimeType: 'image/png', buffer: text });
    await page.fill('#photo-caption', 'should not be kept');
    await page.click('#photo-submit');
    await waitFor(page, '#photo-message.error');
    const said = await page.textContent('#photo-message');
    assert.ok(said.endsWith(`[body] ${problem.detail}`), said);
    assert.equal(await page.getAttribute('#photo-file', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#photo-caption'), 'should not be kept', 'what was typed stays');
    api = await item();
    assert.deepEqual(api.photos.map((p) => p.sha256), [PNG_SHA], 'nothing recorded');
    await shot(page, 'evidence-photo-refused');

    // Over 8 MiB: said here (the server drops such a request before reading it), nothing sent.
    await page.setInputFiles('#photo-file', { name: 'huge.png', mimeType: 'image/png', buffer: Buffer.concat([PNG, Buffer.alloc(8 * 1024 * 1024)]) });
    await page.click('#photo-submit');
    await page.waitForFunction(() => document.querySelector('#photo-message.error')?.textContent.startsWith('huge.png is 8.0 MiB'));
    assert.equal((await item()).photos.length, 1);
    await context.close();
  });

  test('an auditor sees the photos but has no form to attach one', async () => {
    const { context, page } = await openConsole(chrome, server, AUDITOR, 'zh-CN');
    await lookUp(page, CODE);
    await loaded(page, `.photo-thumb[data-sha256="${PNG_SHA}"] img`);
    const listed = (await item(server.aud)).photos.map((p) => p.sha256);
    assert.deepEqual(await page.$$eval('#evidence-photos li', (li) => li.map((x) => x.dataset.sha256)), listed);
    assert.equal(await page.locator('#evidence-photos-none').count(), 0);
    assert.equal(await page.locator('#photo-form').count(), 0);
    assert.equal(await page.locator('#photo-file').count(), 0);
    await context.close();
  });

  test('teams: a team supervisor sees its team\'s cases, the centre sees all and opens one for a chosen team', async () => {
    assert.equal((await server.api('GET', '/api/v1/me', undefined, server.east)).team, EAST.team);
    const incident = () => server.api('POST', '/api/v1/incidents',
      { lat: 38.9100, lon: -77.0400, category: 'theft', priority: 3, description: 'wallet taken' }, server.admin);
    const open = async (token, who) => server.api('POST', '/api/v1/cases',
      { incident_id: (await incident()).id, kind: 'administrative', type: 'theft', stage: 'case_handling', officers: [who] }, token);
    const eastCase = await open(server.east, EAST.username);
    const westCase = await open(server.west, WEST.username);
    assert.equal(eastCase.team, EAST.team);
    assert.equal(westCase.team, WEST.team);

    // The east station's supervisor: its own cases only, with their team.
    const east = await openConsole(chrome, server, EAST, 'en');
    await east.page.click('#tab-cases');
    await waitFor(east.page, `#cases-list tr[data-id="${eastCase.id}"]`);
    const seen = await server.api('GET', '/api/v1/cases?status=open', undefined, server.east);
    assert.deepEqual(seen.items.map((c) => c.id), [eastCase.id]);
    assert.deepEqual(await east.page.$$eval('#cases-list tbody tr', (rows) => rows.map((r) => Number(r.dataset.id))), [eastCase.id]);
    assert.ok((await east.page.$$eval('#cases-list thead th', (th) => th.map((x) => x.textContent))).includes('Team'));
    assert.equal(await east.page.textContent(`#cases-list tr[data-id="${eastCase.id}"] td.team`), EAST.team);
    await east.page.click(`#cases-list tr[data-id="${eastCase.id}"]`);
    await waitFor(east.page, `#case-detail[data-id="${eastCase.id}"]`);
    assert.equal(await east.page.textContent('#case-team'), EAST.team);
    // It opens cases for its own team: the field shows it and cannot be changed.
    const eastIncident = await incident();
    await east.page.click('#case-open summary');
    assert.equal(await east.page.inputValue('#case-team-input'), EAST.team);
    assert.equal(await east.page.getAttribute('#case-team-input', 'readonly'), '');
    await east.page.fill('#case-incident', String(eastIncident.id));
    await east.page.fill('#case-type', 'fraud');
    await east.page.click('#case-open-submit');
    await waitFor(east.page, '#cases-message.ok');
    const eastOpened = Number((await east.page.textContent('#cases-message')).match(/#(\d+)/)[1]);
    assert.equal((await server.api('GET', `/api/v1/cases/${eastOpened}`, undefined, server.east)).team, EAST.team);
    await waitFor(east.page, `#cases-list tr[data-id="${eastOpened}"] td.team`);
    await shot(east.page, 'cases-team');
    await east.context.close();

    // The centre-level supervisor: every case, each with its team or "centre level".
    const centre = await openConsole(chrome, server, LI, 'en');
    await centre.page.click('#tab-cases');
    await waitFor(centre.page, `#cases-list tr[data-id="${westCase.id}"]`);
    const all = await server.api('GET', '/api/v1/cases?status=open', undefined, server.li);
    assert.deepEqual(all.items.map((c) => c.id).sort(), [theft.id, eastCase.id, westCase.id, eastOpened].sort());
    assert.deepEqual(await centre.page.$$eval('#cases-list tbody tr', (rows) => rows.map((r) => [Number(r.dataset.id), r.querySelector('td.team').textContent])),
      all.items.map((c) => [c.id, c.team || 'centre level']));
    // Opens one for the west station, chosen in the form.
    const westIncident = await incident();
    await centre.page.click('#case-open summary');
    assert.equal(await centre.page.getAttribute('#case-team-input', 'readonly'), null);
    await centre.page.fill('#case-incident', String(westIncident.id));
    await centre.page.fill('#case-type', 'burglary');
    await centre.page.fill('#case-team-input', WEST.team);
    await centre.page.click('#case-open-submit');
    await waitFor(centre.page, '#cases-message.ok');
    const opened = Number((await centre.page.textContent('#cases-message')).match(/#(\d+)/)[1]);
    const made = await server.api('GET', `/api/v1/cases/${opened}`, undefined, server.li);
    assert.equal(made.team, WEST.team);
    assert.deepEqual(made.incidents.slice(0, 1), [westIncident.id]);
    await waitFor(centre.page, `#case-detail[data-id="${opened}"]`);
    assert.equal(await centre.page.textContent('#case-team'), WEST.team);
    assert.equal(await centre.page.textContent(`#cases-list tr[data-id="${opened}"] td.team`), WEST.team);
    // The west station now sees it; the east station does not.
    assert.ok((await server.api('GET', '/api/v1/cases?status=open', undefined, server.west)).items.some((c) => c.id === opened));
    assert.ok(!(await server.api('GET', '/api/v1/cases?status=open', undefined, server.east)).items.some((c) => c.id === opened));
    await centre.context.close();
  });
});
