// Console forms for the accountability routes (issue 8): register an item, relocate it,
// approve its disposal, reconcile a storage location by scanning, issue, list and answer
// supervisor notices, and an auditor's list of who read what. A real `pingan serve` and
// Chromium; every result is checked against the API, every refusal against the problem the
// server gives for the same request, and each form is checked absent for a role the route
// refuses.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, cityServer, openConsole, shot, skipReason, sleep, waitFor } from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# evidence forms e2e skipped: ${skip}`);

const LI = { username: 'sgt-li', password: 'Li-Pass-2026' };
const WANG = { username: 'sgt-wang', password: 'Wang-Pass-2026' };
const AUDITOR = { username: 'aud', password: 'Auditor-Pass-2026' };
const REG = 'EV-REG-0001';

describe('evidence, reconciliation, notice and read-audit forms', { skip: skip ?? false, timeout: 600_000 }, () => {
  let server;
  let chrome;
  let incident;
  let theft; // an administrative case handled by sgt-li
  let offsetMin; // the centre's UTC offset, for typing a time in its zone
  before(async () => {
    server = await cityServer();
    for (const [u, role] of [[LI, 'supervisor'], [WANG, 'supervisor'], [AUDITOR, 'auditor']]) {
      await server.api('POST', '/api/v1/users', { ...u, role }, server.admin);
    }
    server.li = await server.login(LI);
    server.wang = await server.login(WANG);
    server.aud = await server.login(AUDITOR);
    incident = await server.api('POST', '/api/v1/incidents',
      { lat: 38.9080, lon: -77.0370, category: 'theft', priority: 3, description: 'shop lifting, goods recovered' }, server.admin);
    theft = await server.api('POST', '/api/v1/cases',
      { incident_id: incident.id, kind: 'administrative', type: 'theft', stage: 'case_handling', officers: [LI.username] }, server.li);
    offsetMin = (await server.api('GET', '/api/v1/console', undefined, server.li)).utc_offset_minutes;
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  // The server's answer to a request that is to be refused: status and problem JSON.
  async function refused(method, p, body, token) {
    const res = await fetch(server.url + p, {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.ok(res.status >= 400 && res.status < 500, `${method} ${p} should be refused, got ${res.status}`);
    return res.json();
  }

  const item = (code, token = server.li) => server.api('GET', `/api/v1/evidence/${code}`, undefined, token);

  // "2026-11-23T17:00" in the centre's zone, as a datetime-local field takes it.
  const centreLocal = (ms) => new Date(ms + offsetMin * 60_000).toISOString().slice(0, 16);

  async function evidencePanel(page) {
    await page.click('#tab-evidence');
    await waitFor(page, '#evidence-code');
  }

  // A USB scanner types the code and presses Enter into the focused field.
  async function scanInto(page, selector, code) {
    await page.focus(selector);
    await page.keyboard.type(code, { delay: 5 });
    await page.keyboard.press('Enter');
  }

  async function lookUp(page, code) {
    await evidencePanel(page);
    await page.fill('#evidence-code', '');
    await scanInto(page, '#evidence-code', code);
    await waitFor(page, `#evidence-item[data-code="${code}"]`, { timeout: 15_000 });
  }

  test('register an item: shown with its label; a duplicate code is refused in the server\'s words', async () => {
    const { context, page } = await openConsole(chrome, server, LI, 'en');
    // From the case's detail: the form opens on the evidence panel with the case filled in.
    await page.click('#tab-cases');
    await page.click(`#cases-list tr[data-id="${theft.id}"]`);
    await waitFor(page, `#case-detail[data-id="${theft.id}"]`);
    await page.click('#case-register-item');
    await waitFor(page, '#evidence-register[open]');
    assert.equal(await page.inputValue('#register-case'), String(theft.id));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'register-code');

    // A pre-printed label scanned into the code field moves on to the next field, not submits.
    await scanInto(page, '#register-code', REG);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'register-case');
    assert.equal(await page.locator('#evidence-item').count(), 0, 'Enter after the code did not register');
    assert.equal(await page.locator('#register-message').count(), 0, 'nothing was sent');
    await page.fill('#register-description', 'two bottles of spirits, unopened');
    await page.fill('#register-location', 'property room 1');
    await page.fill('#register-condition', 'sealed bag 201');
    await page.click('#register-submit');
    await waitFor(page, `#evidence-item[data-code="${REG}"]`, { timeout: 15_000 });
    await waitFor(page, '#evidence-message.ok');
    assert.equal(await page.textContent('#evidence-message'), `Registered ${REG} on case #${theft.id}: print its label and fix it to the item.`);
    assert.equal(await page.textContent('#evidence-holder'), 'sgt-li (you)');
    assert.equal(await page.textContent('#evidence-location'), 'property room 1');
    assert.equal(await page.textContent('#evidence-description'), 'two bottles of spirits, unopened');
    assert.deepEqual(await page.$$eval('#evidence-custody tbody tr', (rows) => rows.map((r) => r.dataset.kind)), ['registered']);
    await page.waitForFunction(() => {
      const img = document.querySelector('#evidence-label');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 15_000 });
    const api = await item(REG);
    assert.equal(api.holder, LI.username);
    assert.equal(api.case_id, String(theft.id));
    assert.equal(api.location, 'property room 1');
    assert.equal(api.condition, 'sealed bag 201');
    assert.equal(api.description, 'two bottles of spirits, unopened');
    assert.equal(api.custody.length, 1);
    await shot(page, 'evidence-registered');

    // The same code again: the case and place stay for the next item; the server refuses.
    assert.equal(await page.inputValue('#register-case'), String(theft.id));
    assert.equal(await page.inputValue('#register-location'), 'property room 1');
    assert.equal(await page.inputValue('#register-code'), '');
    const body = { code: REG, case_id: theft.id, description: 'a third bottle', location: 'property room 1' };
    const problem = await refused('POST', '/api/v1/evidence', body, server.li);
    assert.equal(problem.code, 'duplicate_item');
    await page.fill('#register-code', REG);
    await page.fill('#register-description', 'a third bottle');
    await page.click('#register-submit');
    await waitFor(page, '#register-message.error');
    assert.equal(await page.textContent('#register-message'), `The code is already in use. [${problem.field}] ${problem.detail}`);
    assert.equal(await page.getAttribute('#register-message', 'data-field'), problem.field);
    assert.equal(await page.getAttribute('#register-code', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#register-description', 'aria-invalid'), null);
    // Nothing was recorded: still one item on the case, still one custody step.
    const onCase = await server.api('GET', `/api/v1/evidence?case_id=${theft.id}`, undefined, server.li);
    assert.deepEqual(onCase.items.map((i) => i.code), [REG]);
    assert.equal((await item(REG)).custody.length, 1);
    // A case number that is not one is the server's refusal too, naming case_id.
    const bad = await refused('POST', '/api/v1/evidence', { ...body, code: 'EV-REG-0009', case_id: 'x7' }, server.li);
    await page.fill('#register-code', 'EV-REG-0009');
    await page.fill('#register-case', 'x7');
    await page.click('#register-submit');
    await page.waitForFunction((f) => document.querySelector('#register-message')?.dataset.field === f, bad.field);
    assert.match(await page.textContent('#register-message'), new RegExp(bad.detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(await page.getAttribute('#register-case', 'aria-invalid'), 'true');
    await shot(page, 'evidence-register-refused');
    await context.close();
  });

  test('the holder relocates; another supervisor approves the disposal; a stale page gets the refusal', async () => {
    const li = await openConsole(chrome, server, LI, 'en');
    await lookUp(li.page, REG);
    // The holder cannot approve their own disposal (CU-4): no form, a note instead.
    assert.equal(await li.page.locator('#disposal-form').count(), 0);
    assert.equal(await li.page.textContent('#disposal-own'), 'An item you hold is disposed of with the approval of another supervisor.');
    await li.page.fill('#relocation-location', 'shelf B-2');
    await li.page.click('#relocation-submit');
    await li.page.waitForFunction(() => document.querySelector('#evidence-location')?.textContent === 'shelf B-2');
    assert.equal(await li.page.textContent('#evidence-message'), 'Now at shelf B-2.');
    let api = await item(REG);
    assert.equal(api.location, 'shelf B-2');
    assert.equal(api.custody.at(-1).kind, 'relocated');
    assert.equal(api.custody.at(-1).actor, LI.username);

    // sgt-wang, a supervisor who does not hold it, approves its return (in Chinese).
    const wang = await openConsole(chrome, server, WANG, 'zh-CN');
    await lookUp(wang.page, REG);
    assert.equal(await wang.page.locator('#handover-form').count(), 0, 'not the holder');
    assert.equal(await wang.page.locator('#relocation-form').count(), 0, 'not the holder');
    assert.equal(await wang.page.textContent('#disposal-form h3'), '批准处置');
    await wang.page.selectOption('#disposal-kind', 'returned');
    await wang.page.fill('#disposal-note', 'returned to the shop, approval 2026-17');
    await wang.page.click('#disposal-submit');
    await waitFor(wang.page, '#evidence-disposal');
    assert.equal(await wang.page.textContent('#evidence-disposal'), '发还');
    assert.equal(await wang.page.textContent('#evidence-message'), '已批准处置：发还。');
    assert.equal(await wang.page.locator('#disposal-form').count(), 0, 'a disposed item takes no further steps');
    api = await item(REG);
    assert.equal(api.disposal, 'returned');
    const step = api.custody.at(-1);
    assert.equal(step.kind, 'disposed');
    assert.equal(step.actor, LI.username, 'the holder disposes');
    assert.equal(step.approver, WANG.username, 'the caller approves');
    assert.equal(step.note, 'returned to the shop, approval 2026-17');
    assert.equal(await wang.page.getAttribute('#evidence-custody tbody tr:last-child', 'data-kind'), 'disposed');
    await shot(wang.page, 'evidence-disposed');

    // A second item: sgt-wang's page shows it free; meanwhile sgt-li offers it to sgt-wang.
    // The approval sent from the stale page is refused, and the page says why, in the
    // server's words, inside the disposal form.
    await server.api('POST', '/api/v1/evidence',
      { code: 'EV-REG-0002', case_id: theft.id, description: 'receipt', location: 'shelf B-2' }, server.li);
    await lookUp(wang.page, 'EV-REG-0002');
    await waitFor(wang.page, '#disposal-form');
    await server.api('POST', '/api/v1/evidence/EV-REG-0002/handover', { receiver: WANG.username, place: 'desk 4', condition: 'folded' }, server.li);
    const problem = await refused('POST', '/api/v1/evidence/EV-REG-0002/disposal', { disposal: 'destroyed' }, server.wang);
    assert.equal(problem.code, 'invalid_transition');
    await wang.page.selectOption('#disposal-kind', 'destroyed');
    await wang.page.click('#disposal-submit');
    await waitFor(wang.page, '#disposal-message.error');
    assert.equal(await wang.page.textContent('#disposal-message'), `当前状态下不可执行。 [${problem.field}] ${problem.detail}`);
    assert.equal((await item('EV-REG-0002')).disposal, null, 'nothing recorded');

    // The auditor reads items but has none of the forms.
    const aud = await openConsole(chrome, server, AUDITOR, 'en');
    await lookUp(aud.page, 'EV-REG-0002');
    for (const form of ['#disposal-form', '#relocation-form', '#handover-form', '#evidence-register', '#evidence-reconcile']) {
      assert.equal(await aud.page.locator(form).count(), 0, form);
    }
    await aud.context.close();
    await wang.context.close();
    await li.context.close();
  });

  test('reconcile a location by scanning: the discrepancies the server finds, then a clean count', async () => {
    for (const [code, location] of [['EV-R-1', 'property room 7'], ['EV-R-2', 'property room 7'], ['EV-R-3', 'property room 7'], ['EV-R-4', 'property room 8']]) {
      await server.api('POST', '/api/v1/evidence', { code, case_id: theft.id, description: `item ${code}`, location }, server.li);
    }
    const { context, page } = await openConsole(chrome, server, WANG, 'en');
    await evidencePanel(page);
    // Both forms opened, and the view redrawn in the same task (an empty scan), before their
    // toggle events: the redraw once drew them closed again.
    assert.deepEqual(await page.evaluate(() => {
      document.querySelector('#evidence-register summary').click();
      document.querySelector('#evidence-reconcile summary').click();
      document.querySelector('#reconcile-scan').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
      return ['#evidence-register', '#evidence-reconcile'].map((form) => document.querySelector(form).open);
    }), [true, true], 'both forms stay open');
    // The locations on record are offered.
    await waitFor(page, '#reconcile-locations option[value="property room 7"]', { state: 'attached' });
    await page.fill('#reconcile-location', 'property room 7');
    // Each scan ends with Enter: into the list, the field emptied, the focus kept. A repeat
    // is said and not listed twice.
    for (const code of ['EV-R-1', 'EV-R-2', 'EV-R-1', 'EV-R-4', 'EV-STRAY-9']) {
      const repeat = await page.locator(`#reconcile-codes li[data-code="${code}"]`).count() > 0;
      await scanInto(page, '#reconcile-scan', code);
      await page.waitForFunction((c) => document.querySelector(`#reconcile-codes li[data-code="${c}"]`) !== null, code);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'reconcile-scan');
      assert.equal(await page.inputValue('#reconcile-scan'), '');
      if (repeat) assert.equal(await page.textContent('#reconcile-message.info'), `${code} is already in the list.`, 'the repeat is said');
      else assert.equal(await page.locator('#reconcile-message').count(), 0);
    }
    assert.deepEqual(await page.$$eval('#reconcile-codes li', (li) => li.map((x) => x.dataset.code)), ['EV-R-1', 'EV-R-2', 'EV-R-4', 'EV-STRAY-9']);
    assert.equal(await page.textContent('#reconcile-count'), '4');
    await page.click('#reconcile-submit');
    await waitFor(page, '#reconcile-result[data-reconciled="false"]');
    const shown = await page.$$eval('#reconcile-discrepancies tbody tr', (rows) => rows.map((r) => `${r.dataset.kind} ${r.dataset.code}`));
    assert.deepEqual([...shown].sort(), ['missing EV-R-3', 'unexpected EV-STRAY-9', 'wrong_location EV-R-4']);
    assert.match(await page.textContent('#reconcile-result .msg'), /^property room 7: 3 discrepancies\. 3 recorded, 4 scanned/);
    assert.equal(await page.textContent('#reconcile-discrepancies tr[data-code="EV-R-4"] td:last-child'), 'property room 8');
    assert.equal(await page.locator('#reconcile-codes li').count(), 0, 'the list starts again');
    // The server recorded the same discrepancies (custody-discrepancies report) and raised the
    // location's alert (oversight count).
    const report = await server.api('GET', '/api/v1/reports/custody-discrepancies', undefined, server.aud);
    const recorded = report.items.filter((d) => d.location === 'property room 7').map((d) => `${d.kind} ${d.item_code}`);
    assert.deepEqual([...recorded].sort(), [...shown].sort());
    assert.equal((await server.api('GET', '/api/v1/oversight', undefined, server.aud)).counts.locations_with_discrepancies, 1);
    await shot(page, 'evidence-reconcile-discrepancies');

    // The three items found: reconciled, and the alert is resolved.
    for (const code of ['EV-R-3', 'EV-R-2', 'EV-R-1']) await scanInto(page, '#reconcile-scan', code);
    await page.waitForFunction(() => document.querySelectorAll('#reconcile-codes li').length === 3);
    await page.click('#reconcile-submit');
    await waitFor(page, '#reconcile-result[data-reconciled="true"]');
    assert.match(await page.textContent('#reconcile-result .msg'), /^property room 7: reconciled\. 3 recorded, 3 scanned/);
    assert.equal(await page.locator('#reconcile-discrepancies').count(), 0);
    assert.equal((await server.api('GET', '/api/v1/oversight', undefined, server.aud)).counts.locations_with_discrepancies, 0);
    // Without a location the form says so and sends nothing.
    await page.fill('#reconcile-location', '');
    await page.click('#reconcile-submit');
    await waitFor(page, '#reconcile-message.error');
    assert.equal(await page.textContent('#reconcile-message'), 'Choose the storage location being counted.');
    await context.close();
  });

  test('supervisor notices: unanswered and overdue first, issue with a deadline, answer; the auditor only reads', async () => {
    const soon = await server.api('POST', '/api/v1/notices',
      { case_id: theft.id, text: 'explain the delay in returning goods', respond_by: new Date(Date.now() + 1500).toISOString() }, server.li);
    const later = await server.api('POST', '/api/v1/notices',
      { incident_id: incident.id, text: 'attach the body-camera recording', respond_by: new Date(Date.now() + 5 * 86_400_000).toISOString() }, server.li);
    const tomorrow = await server.api('POST', '/api/v1/notices',
      { case_id: theft.id, text: 'list the seized items', respond_by: new Date(Date.now() + 86_400_000).toISOString() }, server.li);
    const done = await server.api('POST', '/api/v1/notices',
      { case_id: theft.id, text: 'confirm the officers', respond_by: new Date(Date.now() + 86_400_000).toISOString() }, server.li);
    await server.api('POST', `/api/v1/notices/${done.id}/response`, { response: 'sgt-li alone' }, server.li);
    await sleep(2000); // `soon` is now past its response deadline
    const listed = await server.api('GET', '/api/v1/notices', undefined, server.wang);
    assert.equal(listed.items.find((n) => n.id === soon.id).overdue, true);

    const { context, page } = await openConsole(chrome, server, WANG, 'en');
    await page.click('#tab-oversight');
    await waitFor(page, '#notices-list');
    assert.deepEqual(await page.$$eval('#notices-list tbody tr[data-notice]', (rows) => rows.map((r) => Number(r.dataset.notice))),
      [soon.id, tomorrow.id, later.id, done.id], 'unanswered first, overdue first among them, answered last');
    assert.match(await page.getAttribute(`#notices-list tr[data-notice="${soon.id}"]`, 'class'), /\boverdue\b/);
    assert.equal(await page.textContent(`#notices-list tr[data-notice="${soon.id}"] td.status strong`), 'overdue');
    assert.doesNotMatch(await page.getAttribute(`#notices-list tr[data-notice="${tomorrow.id}"]`, 'class'), /overdue/);
    assert.match(await page.textContent(`#notices-list tr[data-notice="${done.id}"] td.status`), /^answered by sgt-li, .*sgt-li alone$/);
    assert.equal(await page.textContent(`#notices-list tr[data-notice="${later.id}"] [data-subject]`), `incident ${incident.number}`);
    assert.equal(Number(await page.getAttribute('[data-count="overdue_notices"] strong', 'data-value')), 1);

    // Issue one on the case: a deadline in the past is the server's refusal, named.
    // Opened, and redrawn in the same task (before the toggle event): the form once closed again.
    await page.evaluate(() => {
      document.querySelector('#notice-issue summary').click();
      document.querySelector('#notice-subject-kind').dispatchEvent(new Event('change'));
    });
    assert.equal(await page.$eval('#notice-issue', (d) => d.open), true, 'the form stays open');
    await page.selectOption('#notice-subject-kind', 'case');
    await page.fill('#notice-subject-id', String(theft.id));
    await page.fill('#notice-text', 'report on the disposal of EV-REG-0001');
    const past = centreLocal(Date.now() - 3_600_000);
    const problem = await refused('POST', '/api/v1/notices',
      { case_id: theft.id, text: 'x', respond_by: new Date(Date.now() - 3_600_000).toISOString() }, server.wang);
    await page.fill('#notice-respond-by', past);
    await page.click('#notice-submit');
    await waitFor(page, '#notice-message.error');
    assert.equal(await page.textContent('#notice-message'), `[${problem.field}] ${problem.detail}`);
    assert.equal(await page.getAttribute('#notice-respond-by', 'aria-invalid'), 'true');
    // Two days on, at a whole minute of the centre's clock.
    const dueMs = Math.floor((Date.now() + 2 * 86_400_000) / 60_000) * 60_000;
    await page.fill('#notice-respond-by', centreLocal(dueMs));
    await page.click('#notice-submit');
    await waitFor(page, '#notice-message.ok');
    const made = (await server.api('GET', '/api/v1/notices', undefined, server.wang)).items.find((n) => n.text === 'report on the disposal of EV-REG-0001');
    assert.ok(made, 'the notice is in the API');
    assert.equal(made.subject, `case/${theft.id}`);
    assert.equal(made.issued_by, WANG.username);
    assert.equal(Date.parse(made.respond_by), dueMs, 'the deadline typed in the centre\'s zone');
    assert.match(await page.textContent('#notice-message'), new RegExp(`^Notice #${made.id} issued on case #${theft.id}; response due `));
    await waitFor(page, `#notices-list tr[data-notice="${made.id}"]`);

    // Answer the overdue one.
    await page.click(`.notice-answer[data-notice="${soon.id}"]`);
    await page.fill('#notice-response', 'goods returned on the day; delay was the owner\'s');
    await page.click('#notice-response-submit');
    await waitFor(page, '#notices-message.ok');
    assert.equal(await page.textContent('#notices-message'), `Notice #${soon.id} answered.`);
    const answered = (await server.api('GET', '/api/v1/notices', undefined, server.wang)).items.find((n) => n.id === soon.id);
    assert.equal(answered.answered, true);
    assert.equal(answered.responded_by, WANG.username);
    assert.equal(answered.response, 'goods returned on the day; delay was the owner\'s');
    assert.match(await page.getAttribute(`#notices-list tr[data-notice="${soon.id}"]`, 'class'), /\banswered\b/);
    assert.equal(await page.locator(`.notice-answer[data-notice="${soon.id}"]`).count(), 0);

    // A stale answer form: sgt-li answers `later` first; the second answer is refused.
    await page.click(`.notice-answer[data-notice="${later.id}"]`);
    await page.fill('#notice-response', 'recording attached');
    await server.api('POST', `/api/v1/notices/${later.id}/response`, { response: 'attached by sgt-li' }, server.li);
    const twice = await refused('POST', `/api/v1/notices/${later.id}/response`, { response: 'again' }, server.wang);
    await page.click('#notice-response-submit');
    await waitFor(page, '#answer-message.error');
    assert.equal(await page.textContent('#answer-message'), `Not possible in the current state. [${twice.field}] ${twice.detail}`);
    await shot(page, 'oversight-notices');

    // From a case's detail, the notice form opens with the case filled in.
    await page.click('#tab-cases');
    await page.click(`#cases-list tr[data-id="${theft.id}"]`);
    await waitFor(page, `#case-detail[data-id="${theft.id}"]`);
    await page.click('#case-issue-notice');
    await waitFor(page, '#notice-issue[open]');
    assert.equal(await page.inputValue('#notice-subject-kind'), 'case');
    assert.equal(await page.inputValue('#notice-subject-id'), String(theft.id));
    await context.close();

    // The auditor sees the same notices, and neither the form nor an answer button.
    const aud = await openConsole(chrome, server, AUDITOR, 'en');
    await aud.page.click('#tab-oversight');
    await waitFor(aud.page, '#notices-list');
    const all = await server.api('GET', '/api/v1/notices', undefined, server.aud);
    assert.equal(await aud.page.locator('#notices-list tbody tr[data-notice]').count(), all.items.length);
    assert.equal(await aud.page.locator('#notice-issue').count(), 0);
    assert.equal(await aud.page.locator('.notice-answer').count(), 0);
    await aud.context.close();
  });

  test('an auditor lists who read an item and a case; a supervisor has no such form', async () => {
    const { context, page } = await openConsole(chrome, server, AUDITOR, 'zh-CN');
    await page.click('#tab-oversight');
    await waitFor(page, '#audit-form');
    await page.selectOption('#audit-kind', 'evidence');
    await scanInto(page, '#audit-subject', REG);
    await waitFor(page, `#audit-reads[data-subject="evidence/${REG}"]`);
    let api = await server.api('GET', `/api/v1/audit/reads?subject=evidence/${REG}`, undefined, server.aud);
    assert.ok(api.items.length >= 3, 'sgt-li and sgt-wang read it in the tests above');
    assert.deepEqual(await page.$$eval('#audit-reads tbody tr', (rows) => rows.map((r) => [r.dataset.actor, r.dataset.at])),
      api.items.map((r) => [r.actor, r.at]));
    assert.ok(api.items.some((r) => r.actor === WANG.username));
    assert.equal(await page.textContent('#audit-reads tbody tr td:last-child'), '查阅财物');
    assert.equal(await page.textContent('.audit-reads .note'), `evidence/${REG} 共被查阅 ${api.items.length} 次，按时间先后排列。`);

    await page.selectOption('#audit-kind', 'case');
    await page.fill('#audit-subject', String(theft.id));
    await page.click('#audit-submit');
    await waitFor(page, `#audit-reads[data-subject="case/${theft.id}"]`);
    api = await server.api('GET', `/api/v1/audit/reads?subject=case/${theft.id}`, undefined, server.aud);
    assert.deepEqual(await page.$$eval('#audit-reads tbody tr', (rows) => rows.map((r) => r.dataset.actor)), api.items.map((r) => r.actor));
    // A case no one has read.
    await page.fill('#audit-subject', '999');
    await page.click('#audit-submit');
    await waitFor(page, '#audit-none[data-subject="case/999"]');
    assert.equal(await page.textContent('#audit-none'), '尚无人查阅 case/999。');
    await shot(page, 'oversight-audit-reads');
    await context.close();

    const sup = await openConsole(chrome, server, WANG, 'en');
    await sup.page.click('#tab-oversight');
    await waitFor(sup.page, '#oversight-counts');
    assert.equal(await sup.page.locator('#audit-form').count(), 0);
    await assert.rejects(server.api('GET', `/api/v1/audit/reads?subject=case/${theft.id}`, undefined, server.wang), /403/);
    await sup.context.close();
  });
});
