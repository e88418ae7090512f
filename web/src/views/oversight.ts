// Oversight (督察, issue 8), for supervisors and auditors: the counts of GET /api/v1/oversight
// (overdue cases, notices unanswered or past their response deadline, incidents closed without
// a disposition, items in custody, pending hand-overs, locations that did not reconcile) and
// its lists; a case opens in the cases panel, an incident in the detail pane.
// Supervisor notices (督察通知书): every notice the caller may see (GET /api/v1/notices),
// unanswered first and those past their response deadline marked; a supervisor issues one on a
// case or an incident with a response deadline in the centre's time zone, and answers one.
// Auditors read who saw a case or an item (GET /api/v1/audit/reads?subject=…).
// A refusal is shown in the server's words inside the form that sent it.
import { get, post } from '../api';
import { App, can } from '../app';
import { append, clear, detailsOpen, h, keepFocus } from '../dom';
import { t } from '../i18n';
import { state } from '../state';
import { centreInstant, centreLocalInput, dateTime, zoneLabel } from '../time';
import { Case, Notice, deadlineText, openCase, remaining, stageName } from './cases';
import { problemText, refusal } from './evidence';

interface Oversight {
  now: string;
  counts: Record<string, number>;
  overdue_cases: Case[];
  overdue_notices: Notice[];
  incidents_closed_without_disposition: number[];
}

interface Read {
  at: string;
  actor: string;
  kind: string;
  subject: string;
}

const COUNTS = ['open_cases', 'overdue_cases', 'cases_near_deadline', 'unanswered_notices', 'overdue_notices',
  'incidents_closed_without_disposition', 'items_in_custody', 'pending_handovers', 'locations_with_discrepancies'];
// Counts that are bad news when above zero.
const BAD = new Set(['overdue_cases', 'overdue_notices', 'incidents_closed_without_disposition', 'locations_with_discrepancies']);

type Subject = 'case' | 'incident';
type Message = ReturnType<typeof refusal> | { kind: 'ok' | 'info'; text: string; form?: string; field?: string } | null;

// Unanswered first (past their deadline first, then by deadline), then answered, newest first.
export function noticeOrder(a: Notice, b: Notice): number {
  if (a.answered !== b.answered) return a.answered ? 1 : -1;
  if (!a.answered) {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    return a.respond_by.localeCompare(b.respond_by) || a.id - b.id;
  }
  return (b.responded_at ?? '').localeCompare(a.responded_at ?? '') || b.id - a.id;
}

// Another panel (a case's detail) asks for a notice on one of its subjects.
let requested: { kind: Subject; id: number } | null = null;
export function issueNotice(app: App, kind: Subject, id: number): void {
  requested = { kind, id };
  app.setTab('oversight');
}

export class OversightView {
  el = h('section', { class: 'view oversight', 'data-view': 'oversight' });
  private data: Oversight | null = null;
  private notices: Notice[] | null = null;
  private error = '';
  private loading = false;
  private busy = false;
  private message: Message = null;
  private form = { open: false, kind: 'case' as Subject, id: '', text: '', respondBy: '' };
  private answering: number | null = null;
  private answer = '';
  private audit = { kind: 'case' as 'case' | 'evidence', id: '', subject: '', reads: null as Read[] | null };

  constructor(private app: App) {}

  private get canIssue(): boolean {
    return can.approve(this.app.me.role);
  }

  async load(): Promise<void> {
    this.loading = true;
    this.render();
    try {
      const [d, n] = await Promise.all([get<Oversight>('/api/v1/oversight'), get<{ items: Notice[] }>('/api/v1/notices')]);
      this.data = d;
      this.notices = [...n.items].sort(noticeOrder);
      this.error = '';
    } catch (e) {
      this.error = problemText(e);
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async issue(): Promise<void> {
    if (this.busy) return;
    const f = this.form;
    const id = f.id.trim();
    // Typed values go as typed when they are not what they should be: the server names the
    // field and says why, in its words.
    const body: Record<string, unknown> = {
      [f.kind === 'case' ? 'case_id' : 'incident_id']: /^\d+$/.test(id) ? Number(id) : id,
      text: f.text.trim(),
      respond_by: centreInstant(f.respondBy) ?? f.respondBy,
    };
    this.busy = true;
    this.message = null;
    this.render();
    try {
      const n = await post<Notice>('/api/v1/notices', body);
      this.form = { ...f, text: '' };
      this.message = { kind: 'ok', text: t('notices.issued', { id: n.id, subject: this.subjectText(n.subject), at: dateTime(n.respond_by) }), form: 'notice' };
      await this.load();
    } catch (e) {
      this.message = refusal(e, 'notice');
    } finally {
      this.busy = false;
    }
    this.render();
  }

  private async respond(id: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.message = null;
    this.render();
    try {
      await post<Notice>(`/api/v1/notices/${id}/response`, { response: this.answer.trim() });
      this.answering = null;
      this.answer = '';
      this.message = { kind: 'ok', text: t('notices.answered_ok', { id }), form: 'notices' };
      await this.load();
    } catch (e) {
      this.message = refusal(e, 'answer');
    } finally {
      this.busy = false;
    }
    this.render();
  }

  private async readsOf(): Promise<void> {
    const a = this.audit;
    const subject = `${a.kind}/${a.id.trim()}`;
    this.message = null;
    try {
      const r = await get<{ subject: string; items: Read[] }>(`/api/v1/audit/reads?subject=${encodeURIComponent(subject)}`);
      a.subject = r.subject;
      a.reads = r.items;
    } catch (e) {
      a.reads = null;
      this.message = refusal(e, 'audit');
    }
    this.render();
  }

  // ---- rendering ----
  private subjectText(subject: string): string {
    const [kind, id] = subject.split('/');
    if (kind === 'case') return t('notices.subject_case', { id });
    const inc = state.incidents.get(Number(id));
    return t('notices.subject_incident', { id: inc?.number ?? `#${id}` });
  }

  private subjectLink(subject: string): HTMLElement {
    const [kind, id] = subject.split('/');
    const open = kind === 'case' ? () => openCase(this.app, Number(id)) : () => this.app.openIncident(Number(id));
    return h('button', { type: 'button', class: 'link-inline', 'data-subject': subject, onclick: open }, this.subjectText(subject));
  }

  private formMessage(form: string): HTMLElement | null {
    const m = this.message;
    return m && m.form === form ? h('div', { class: `msg ${m.kind}`, id: `${form}-message`, role: 'alert', 'data-field': m.field ?? '' }, m.text) : null;
  }

  // A labelled control; marked when the last refusal of its form names one of `fields`.
  private field(form: string, fields: string, label: string, control: HTMLElement): HTMLElement {
    const m = this.message;
    if (m && m.kind === 'error' && m.form === form && m.field && fields.split(' ').includes(m.field)) {
      control.classList.add('invalid');
      control.setAttribute('aria-invalid', 'true');
    }
    control.setAttribute('data-field', fields);
    return h('label', { class: 'field' }, h('span', { class: 'label' }, label), control);
  }

  private issueForm(): HTMLElement {
    const f = this.form;
    // The deadline starts three days from the server's now, on the hour, in the centre's zone.
    if (!f.respondBy) {
      const now = this.data ? Date.parse(this.data.now) : Date.now();
      f.respondBy = centreLocalInput(Math.ceil((now + 3 * 86_400_000) / 3_600_000) * 3_600_000);
    }
    return h('details', {
      class: 'notice-issue', id: 'notice-issue', open: f.open,
      ontoggle: (e: Event) => { f.open = (e.target as HTMLDetailsElement).open; },
    },
      h('summary', {}, t('notices.issue')),
      h('form', { id: 'notice-form', onsubmit: (e: Event) => { e.preventDefault(); void this.issue(); } },
        h('div', { class: 'row' },
          this.field('notice', '', t('notices.subject'),
            h('select', { id: 'notice-subject-kind', onchange: (e: Event) => { f.kind = (e.target as HTMLSelectElement).value as Subject; this.render(); } },
              ...(['case', 'incident'] as const).map((k) => h('option', { value: k, selected: k === f.kind }, t(`notices.kind.${k}`))))),
          this.field('notice', f.kind === 'case' ? 'case_id' : 'incident_id', f.kind === 'case' ? t('notices.case_id') : t('notices.incident_id'),
            h('input', { id: 'notice-subject-id', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: f.id,
              oninput: (e: Event) => { f.id = (e.target as HTMLInputElement).value; } })),
          this.field('notice', 'respond_by', t('notices.respond_by', { zone: zoneLabel() }),
            h('input', { id: 'notice-respond-by', type: 'datetime-local', value: f.respondBy,
              oninput: (e: Event) => { f.respondBy = (e.target as HTMLInputElement).value; } }))),
        this.field('notice', 'text', t('notices.text'),
          h('textarea', { id: 'notice-text', rows: 3, placeholder: t('notices.text_hint'),
            oninput: (e: Event) => { f.text = (e.target as HTMLTextAreaElement).value; } }, f.text)),
        this.formMessage('notice'),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'notice-submit', disabled: this.busy }, t('notices.submit')))));
  }

  private answerRow(n: Notice): HTMLElement {
    return h('tr', { class: 'answer-row' }, h('td', { colspan: 5 },
      h('form', { id: 'notice-answer-form', 'data-notice': n.id, onsubmit: (e: Event) => { e.preventDefault(); void this.respond(n.id); } },
        this.field('answer', 'response', t('notices.response'),
          h('textarea', { id: 'notice-response', rows: 3, oninput: (e: Event) => { this.answer = (e.target as HTMLTextAreaElement).value; } }, this.answer)),
        this.formMessage('answer'),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', id: 'notice-response-submit', disabled: this.busy }, t('notices.send_answer')),
          h('button', { type: 'button', id: 'notice-response-cancel', onclick: () => { this.answering = null; this.message = null; this.render(); } }, t('notices.cancel'))))));
  }

  private noticeList(): HTMLElement {
    const list = this.notices ?? [];
    if (list.length === 0) return h('p', { class: 'empty', id: 'notices-none' }, t('notices.none'));
    const rows: HTMLElement[] = [];
    for (const n of list) {
      const status = n.answered
        ? h('td', { class: 'status' }, t('notices.answered_by', { who: n.responded_by ?? '', at: dateTime(n.responded_at) }),
            h('br', {}), h('small', { class: 'response' }, n.response ?? ''))
        : h('td', { class: 'status' },
            n.overdue ? h('strong', { class: 'late' }, t('notices.overdue')) : t('notices.open'),
            this.canIssue && this.answering !== n.id
              ? h('div', {}, h('button', { type: 'button', class: 'notice-answer', 'data-notice': n.id,
                  onclick: () => { this.answering = n.id; this.answer = ''; this.message = null; this.render(); (this.el.querySelector('#notice-response') as HTMLElement | null)?.focus(); } }, t('notices.answer')))
              : null);
      rows.push(h('tr', { 'data-notice': n.id, class: n.answered ? 'answered' : n.overdue ? 'overdue' : 'near' },
        h('td', {}, `#${n.id} `, this.subjectLink(n.subject)),
        h('td', {}, n.issued_by, h('br', {}), h('small', {}, dateTime(n.issued_at))),
        h('td', { class: n.overdue ? 'late' : '' }, dateTime(n.respond_by)),
        h('td', { class: 'text' }, n.text),
        status));
      if (this.answering === n.id && !n.answered) rows.push(this.answerRow(n));
    }
    return h('table', { class: 'grid', id: 'notices-list' },
      h('thead', {}, h('tr', {}, ...['notices.subject', 'notices.issued_by', 'notices.deadline', 'notices.text', 'notices.status'].map((k) => h('th', {}, t(k))))),
      h('tbody', {}, ...rows));
  }

  private auditForm(): HTMLElement {
    const a = this.audit;
    return h('div', { class: 'audit-reads' },
      h('h3', {}, t('audit.title')),
      h('form', { id: 'audit-form', onsubmit: (e: Event) => { e.preventDefault(); void this.readsOf(); } },
        h('div', { class: 'row' },
          this.field('audit', '', t('audit.kind'),
            h('select', { id: 'audit-kind', onchange: (e: Event) => { a.kind = (e.target as HTMLSelectElement).value as 'case'; } },
              ...(['case', 'evidence'] as const).map((k) => h('option', { value: k, selected: k === a.kind }, t(`audit.kind.${k}`))))),
          this.field('audit', 'subject', t('audit.subject'),
            h('input', { id: 'audit-subject', type: 'text', autocomplete: 'off', spellcheck: 'false', value: a.id, placeholder: t('audit.subject_hint'),
              oninput: (e: Event) => { a.id = (e.target as HTMLInputElement).value; } }))),
        this.formMessage('audit'),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'audit-submit' }, t('audit.show')))),
      a.reads === null ? null
        : a.reads.length === 0 ? h('p', { class: 'empty', id: 'audit-none', 'data-subject': a.subject }, t('audit.none', { subject: a.subject }))
          : h('div', {},
              h('p', { class: 'note' }, t('audit.count', { n: a.reads.length, subject: a.subject })),
              h('table', { class: 'grid', id: 'audit-reads', 'data-subject': a.subject },
                h('thead', {}, h('tr', {}, ...['audit.at', 'audit.reader', 'audit.what'].map((k) => h('th', {}, t(k))))),
                h('tbody', {}, ...a.reads.map((r) => h('tr', { 'data-actor': r.actor, 'data-at': r.at },
                  h('td', {}, dateTime(r.at)), h('td', {}, r.actor), h('td', {}, t(`audit.read.${r.kind}`) === `audit.read.${r.kind}` ? r.kind : t(`audit.read.${r.kind}`))))))));
  }

  render(): void {
    this.form.open = detailsOpen(this.el, '#notice-issue', this.form.open);
    if (requested !== null && this.canIssue) {
      this.form = { ...this.form, open: true, kind: requested.kind, id: String(requested.id) };
      requested = null;
      this.message = null;
      this.draw();
      (this.el.querySelector('#notice-text') as HTMLElement | null)?.focus();
      return;
    }
    requested = null;
    this.draw();
  }

  private draw(): void {
    if (this.data === null && !this.loading && !this.error) void this.load();
    keepFocus(this.el, () => {
      clear(this.el);
      const d = this.data;
      append(this.el,
        h('h2', {}, t('oversight.title')),
        h('div', { class: 'actions' },
          h('button', { type: 'button', id: 'oversight-refresh', disabled: this.loading, onclick: () => void this.load() }, t('cases.refresh')),
          d ? h('span', { class: 'note' }, t('cases.as_of', { at: dateTime(d.now) })) : null),
        this.error ? h('div', { class: 'msg error', id: 'oversight-message', role: 'alert' }, this.error) : null);
      if (!d) return;
      append(this.el,
        h('div', { class: 'kpis', id: 'oversight-counts' }, ...COUNTS.map((k) => {
          const n = d.counts[k] ?? 0;
          return h('div', { class: `kpi ${BAD.has(k) && n > 0 ? 'up' : ''}`, 'data-count': k },
            h('span', { class: 'label' }, t(`oversight.count.${k}`)), h('strong', { 'data-value': n }, String(n)));
        })),
        h('h3', {}, t('oversight.count.overdue_cases')),
        d.overdue_cases.length === 0 ? h('p', { class: 'empty' }, t('oversight.none')) :
          h('table', { class: 'grid', id: 'oversight-overdue' },
            h('thead', {}, h('tr', {}, ...['cases.id', 'cases.type', 'cases.stage', 'cases.deadline', 'cases.officers'].map((k) => h('th', {}, t(k))))),
            h('tbody', {}, ...d.overdue_cases.map((c) => h('tr', { 'data-id': c.id, class: 'overdue', onclick: () => openCase(this.app, c.id) },
              h('td', {}, `#${c.id}`), h('td', {}, c.type), h('td', {}, stageName(c.stage)),
              h('td', {}, deadlineText(c.deadline), h('br', {}), h('small', {}, remaining(c.remaining_s))),
              h('td', {}, c.officers.join(', ')))))),
        h('h3', {}, t('oversight.notices'), ' ', h('span', { class: 'count' }, String(this.notices?.length ?? 0))),
        this.formMessage('notices'),
        this.noticeList(),
        this.canIssue ? this.issueForm() : null,
        h('h3', {}, t('oversight.count.incidents_closed_without_disposition')),
        d.incidents_closed_without_disposition.length === 0 ? h('p', { class: 'empty' }, t('oversight.none')) :
          h('div', { class: 'chips', id: 'oversight-nodisp' }, ...d.incidents_closed_without_disposition.map((id) =>
            h('button', { type: 'button', class: 'link-inline', 'data-id': id, onclick: () => this.app.openIncident(id) }, state.incidents.get(id)?.number ?? `#${id}`))),
        can.auditReads(this.app.me.role) ? this.auditForm() : null,
      );
    });
  }
}
