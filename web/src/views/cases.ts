// Cases (办案, issue 8): the open cases by their statutory deadline, soonest and overdue first,
// optionally only those ending within a window (GET /api/v1/cases?due_within=…); one case with
// its stages, deadlines and extensions; a supervisor approves an extension; a case is opened
// from the incident selected in the detail pane. Deadlines are computed by the server
// (docs/cases.md DL-1..DL-6); the console only shows them.
// Teams (派出所/中队, docs/cases.md "Who sees what"): the server lists only the cases the caller
// sees; the console shows each case's team, and a centre-level caller chooses the team of a
// case it opens (a caller with a team opens cases for its own team only).
import { Me, get, post } from '../api';
import { App, can } from '../app';
import { append, clear, h } from '../dom';
import { t } from '../i18n';
import { state } from '../state';
import { dateTime } from '../time';
import { openEvidence, problemText, registerEvidence } from './evidence';
import { issueNotice } from './oversight';

export interface Deadline {
  unit: 'hours' | 'calendar_days' | 'working_days' | 'months';
  started_at: string;
  ends_at: string;
  last_day?: string;
  statutory_day?: string;
  moved_for_holiday?: boolean;
  extended_by?: number;
  last_extension_at?: string;
}

export interface Notice {
  id: number;
  subject: string;
  issued_by: string;
  issued_at: string;
  respond_by: string;
  text: string;
  answered: boolean;
  overdue: boolean;
  response: string | null;
  responded_by: string | null;
  responded_at: string | null;
}

export interface Case {
  id: number;
  kind: 'criminal' | 'administrative';
  type: string;
  title: string;
  team?: string; // station or squad handling it; empty: centre level
  officers: string[];
  incidents: number[];
  opened_by: string;
  opened_at: string;
  status: 'open' | 'closed';
  closed_at: string | null;
  stage: string | null;
  deadline: Deadline | null;
  overdue: boolean;
  remaining_s: number;
  alert: string | null;
  items?: string[];
  notices?: Notice[];
  stages?: Array<{
    stage: string;
    started_at: string;
    ended_at: string | null;
    legal_ref: string;
    deadline: Deadline;
    extensions: Array<{ approver: string; reason: string; amount: number; at: string }>;
  }>;
}

// The stages of the shipped limits table (config/case_limits.toml), offered as suggestions: the
// server has no route listing the table, and it checks the stage against its own table anyway.
const STAGES: Record<Case['kind'], string[]> = {
  criminal: ['summons_questioning', 'questioning_after_detention', 'arrest_request', 'arrest_request_serious', 'arrest_review',
    'investigation_custody', 'investigation_custody_extended', 'bail', 'residential_surveillance'],
  administrative: ['summons_questioning', 'case_handling'],
};

const WINDOWS = ['', '2h', '24h', '72h', '7d', '30d'];

type Message = { kind: 'error' | 'ok' | 'info'; text: string } | null;

// 3 d 4 h / 5 h 12 min / 40 min, negative when past.
export function remaining(seconds: number): string {
  const past = seconds < 0;
  const s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const hh = Math.floor((s % 86_400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const text = d > 0 ? t('cases.dur_dh', { d, h: hh }) : hh > 0 ? t('cases.dur_hm', { h: hh, m: mm }) : t('cases.dur_m', { m: mm });
  return past ? t('cases.overdue_by', { d: text }) : text;
}

// A case's team, or "centre level" for none.
export function teamName(team: string | undefined): string {
  return team ? team : t('cases.team_centre');
}

export function stageName(stage: string | null): string {
  if (!stage) return '—';
  const s = t(`cases.stage.${stage}`);
  return s === `cases.stage.${stage}` ? stage : s;
}

export function deadlineText(d: Deadline | null): string {
  if (!d) return '—';
  // Day limits end at local midnight after the last day: say the day, as the law does.
  return d.last_day ? `${d.last_day}${d.moved_for_holiday ? ` (${t('cases.moved', { day: d.statutory_day ?? '' })})` : ''}` : dateTime(d.ends_at);
}

// Another panel (oversight) asks for a case: the cases panel opens it when shown.
let requested: number | null = null;
export function openCase(app: App, id: number): void {
  requested = id;
  app.setTab('cases');
}

export class CasesView {
  el = h('section', { class: 'view cases', 'data-view': 'cases' });
  private list: Case[] | null = null;
  private listNow = '';
  private dueWithin = '';
  private status: 'open' | 'closed' | 'all' = 'open';
  private loading = false;
  private selected: Case | null = null;
  private message: Message = null;
  private busy = false;
  // The "open a case" form.
  private form = { incident: '', kind: 'administrative' as Case['kind'], type: '', title: '', stage: 'case_handling', officers: '', team: '' };
  private ext = { amount: '', reason: '' };
  private nextStage = '';
  // The caller's team; null until known. The login answer and /api/v1/me carry it; should
  // `me` lack it, it is read from /api/v1/me.
  private team: string | null;

  constructor(private app: App) {
    // The server needs at least one handling officer; a unit account is added by the server.
    if (app.me.role === 'supervisor') this.form.officers = app.me.username;
    this.team = app.me.team ?? null;
    if (this.team === null) {
      void get<Me>('/api/v1/me').then((me) => { this.team = me.team ?? ''; }, () => undefined).then(() => this.render());
    }
  }

  focus(): void {
    (this.el.querySelector('#cases-due') as HTMLElement | null)?.focus();
  }

  private get canWork(): boolean {
    return can.caseWork(this.app.me.role);
  }

  private get myTeam(): string {
    return this.team ?? '';
  }

  async load(): Promise<void> {
    this.loading = true;
    const q = new URLSearchParams({ status: this.status });
    if (this.dueWithin) q.set('due_within', this.dueWithin);
    try {
      const r = await get<{ items: Case[]; now: string }>(`/api/v1/cases?${q}`);
      this.list = r.items;
      this.listNow = r.now;
    } catch (e) {
      this.list = [];
      this.message = { kind: 'error', text: problemText(e) };
    } finally {
      this.loading = false;
    }
    this.render();
  }

  async open(id: number): Promise<void> {
    try {
      this.selected = await get<Case>(`/api/v1/cases/${id}`);
      this.message = null;
      this.nextStage = '';
    } catch (e) {
      this.message = { kind: 'error', text: problemText(e) };
    }
    this.render();
  }

  private async send(path: string, body: unknown, done: (c: Case) => string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.message = null;
    this.render();
    try {
      const c = await post<Case>(path, body);
      await this.open(c.id);
      await this.load();
      this.message = { kind: 'ok', text: done(c) };
    } catch (e) {
      this.message = { kind: 'error', text: problemText(e) };
    } finally {
      this.busy = false;
    }
    this.render();
  }

  private openCase(): Promise<void> {
    const f = this.form;
    const incident = Number(f.incident || this.app.selectedIncident || 0);
    if (!Number.isInteger(incident) || incident <= 0) {
      this.message = { kind: 'error', text: t('cases.need_incident') };
      this.render();
      return Promise.resolve();
    }
    const officers = f.officers.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
    const body: Record<string, unknown> = { incident_id: incident, kind: f.kind, type: f.type.trim(), stage: f.stage.trim() };
    if (f.title.trim()) body.title = f.title.trim();
    if (officers.length) body.officers = officers;
    // A caller with a team: the server takes its team (another would be refused).
    if (!this.myTeam && f.team.trim()) body.team = f.team.trim();
    return this.send('/api/v1/cases', body, (c) => t('cases.opened', { id: c.id }));
  }

  // ---- rendering ----
  private filters(): HTMLElement {
    return h('div', { class: 'filters', id: 'cases-filters' },
      h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.due_within')),
        h('select', { id: 'cases-due', onchange: (e: Event) => { this.dueWithin = (e.target as HTMLSelectElement).value; void this.load(); } },
          ...WINDOWS.map((w) => h('option', { value: w, selected: w === this.dueWithin }, w ? t('cases.within', { w }) : t('cases.any'))))),
      h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.status')),
        h('select', { id: 'cases-status', onchange: (e: Event) => { this.status = (e.target as HTMLSelectElement).value as 'open'; void this.load(); } },
          ...(['open', 'closed', 'all'] as const).map((s) => h('option', { value: s, selected: s === this.status }, t(`cases.status.${s}`))))),
      h('button', { type: 'button', id: 'cases-refresh', onclick: () => void this.load() }, t('cases.refresh')));
  }

  private listTable(): HTMLElement {
    const list = this.list ?? [];
    if (this.loading && this.list === null) return h('p', { class: 'empty' }, t('cases.loading'));
    if (list.length === 0) return h('p', { class: 'empty', id: 'cases-none' }, this.dueWithin ? t('cases.none_within') : t('cases.none'));
    return h('table', { class: 'grid', id: 'cases-list' },
      h('thead', {}, h('tr', {}, ...['cases.id', 'cases.type', 'cases.team', 'cases.stage', 'cases.deadline', 'cases.remaining'].map((k) => h('th', {}, t(k))))),
      h('tbody', {}, ...list.map((c) => h('tr', {
        'data-id': c.id, class: `${c.overdue ? 'overdue' : c.alert ? 'near' : ''}${this.selected?.id === c.id ? ' on' : ''}`,
        onclick: () => void this.open(c.id),
      },
        h('td', {}, `#${c.id}`),
        h('td', {}, `${t(`cases.kind.${c.kind}`)} · ${c.type}`, c.title ? h('br', {}) : null, c.title ? h('small', {}, c.title) : null),
        h('td', { class: 'team', 'data-team': c.team ?? '' }, teamName(c.team)),
        h('td', {}, c.status === 'closed' ? t('cases.closed') : stageName(c.stage)),
        h('td', {}, deadlineText(c.deadline)),
        h('td', { class: 'n' }, c.status === 'closed' ? '—' : c.overdue ? h('strong', { class: 'late' }, remaining(c.remaining_s)) : remaining(c.remaining_s))))));
  }

  private detail(c: Case): HTMLElement {
    const cur = c.stages?.find((s) => s.ended_at === null) ?? null;
    return h('div', { class: 'case-detail', id: 'case-detail', 'data-id': c.id },
      h('h3', {}, t('cases.case_n', { id: c.id }), ' ', h('small', { class: 'empty' }, `${t(`cases.kind.${c.kind}`)} · ${c.type}`)),
      c.title ? h('p', {}, c.title) : null,
      h('table', { class: 'facts' }, h('tbody', {},
        h('tr', {}, h('th', {}, t('cases.stage')), h('td', { id: 'case-stage' }, c.status === 'closed' ? t('cases.closed') : stageName(c.stage))),
        h('tr', {}, h('th', {}, t('cases.deadline')), h('td', { id: 'case-deadline', class: c.overdue ? 'late' : '' },
          deadlineText(c.deadline), c.deadline ? ` · ${c.status === 'closed' ? '' : remaining(c.remaining_s)}` : '')),
        cur ? h('tr', {}, h('th', {}, t('cases.legal_ref')), h('td', {}, cur.legal_ref)) : null,
        h('tr', {}, h('th', {}, t('cases.team')), h('td', { id: 'case-team', 'data-team': c.team ?? '' }, teamName(c.team))),
        h('tr', {}, h('th', {}, t('cases.officers')), h('td', {}, c.officers.join(', ') || '—')),
        h('tr', {}, h('th', {}, t('cases.incidents')), h('td', {}, ...c.incidents.map((id) =>
          h('button', { type: 'button', class: 'link-inline', onclick: () => this.app.openIncident(id) }, state.incidents.get(id)?.number ?? `#${id}`)))),
        h('tr', {}, h('th', {}, t('cases.opened_by')), h('td', {}, `${c.opened_by} · ${dateTime(c.opened_at)}`)))),
      h('h3', {}, t('cases.stages')),
      h('table', { class: 'grid', id: 'case-stages' },
        h('thead', {}, h('tr', {}, ...['cases.stage', 'cases.started', 'cases.deadline', 'cases.extensions'].map((k) => h('th', {}, t(k))))),
        h('tbody', {}, ...(c.stages ?? []).map((s) => h('tr', { 'data-stage': s.stage },
          h('td', { title: s.legal_ref }, stageName(s.stage), s.ended_at ? h('small', { class: 'empty' }, ` (${t('cases.ended', { at: dateTime(s.ended_at) })})`) : null),
          h('td', {}, dateTime(s.started_at)),
          h('td', {}, deadlineText(s.deadline)),
          h('td', { class: 'extensions' }, ...s.extensions.map((x) => h('div', { class: 'extension' },
            t('cases.extension_line', { amount: x.amount, unit: t(`cases.unit.${s.deadline.unit}`), approver: x.approver, at: dateTime(x.at) }),
            h('small', {}, ` ${x.reason}`)))))))),
      this.app.me.role === 'supervisor' && c.status === 'open' ? this.extensionForm(c) : null,
      this.canWork && c.status === 'open' ? this.stageForm(c) : null,
      h('h3', {}, t('cases.items'), ' ', h('span', { class: 'count' }, String(c.items?.length ?? 0))),
      (c.items ?? []).length
        ? h('ul', { class: 'case-items', id: 'case-items' }, ...(c.items ?? []).map((code) => h('li', {},
            h('button', { type: 'button', class: 'link-inline', 'data-code': code, onclick: () => openEvidence(this.app, code) }, code))))
        : h('p', { class: 'empty' }, t('cases.no_items')),
      (this.canWork && c.status === 'open') || can.approve(this.app.me.role)
        ? h('div', { class: 'actions' },
            this.canWork && c.status === 'open'
              ? h('button', { type: 'button', id: 'case-register-item', onclick: () => registerEvidence(this.app, c.id) }, t('cases.register_item'))
              : null,
            can.approve(this.app.me.role)
              ? h('button', { type: 'button', id: 'case-issue-notice', onclick: () => issueNotice(this.app, 'case', c.id) }, t('cases.issue_notice'))
              : null)
        : null,
      (c.notices ?? []).length ? h('h3', {}, t('oversight.notices')) : null,
      ...(c.notices ?? []).map((n) => h('div', { class: `msg ${n.overdue ? 'error' : n.answered ? 'ok' : 'info'}`, 'data-notice': n.id },
        `${n.issued_by} · ${dateTime(n.issued_at)} → ${dateTime(n.respond_by)}: ${n.text}`,
        n.answered ? h('div', {}, `${n.responded_by}: ${n.response}`) : null)),
    );
  }

  private extensionForm(c: Case): HTMLElement {
    return h('form', {
      class: 'extension-form', id: 'case-extension',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const amount = Number(this.ext.amount);
        if (!Number.isInteger(amount) || amount <= 0 || !this.ext.reason.trim()) {
          this.message = { kind: 'error', text: t('cases.need_extension') };
          return this.render();
        }
        void this.send(`/api/v1/cases/${c.id}/extensions`, { amount, reason: this.ext.reason.trim() }, () => {
          this.ext = { amount: '', reason: '' };
          return t('cases.extended');
        });
      },
    },
      h('h3', {}, t('cases.approve_extension')),
      h('div', { class: 'row' },
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.amount', { unit: c.deadline ? t(`cases.unit.${c.deadline.unit}`) : '' })),
          h('input', { id: 'extension-amount', type: 'number', min: '1', value: this.ext.amount, oninput: (e: Event) => { this.ext.amount = (e.target as HTMLInputElement).value; } })),
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.reason')),
          h('input', { id: 'extension-reason', type: 'text', value: this.ext.reason, oninput: (e: Event) => { this.ext.reason = (e.target as HTMLInputElement).value; } }))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'extension-submit', disabled: this.busy }, t('cases.approve'))));
  }

  private stageForm(c: Case): HTMLElement {
    const options = STAGES[c.kind].filter((s) => s !== c.stage);
    return h('form', {
      class: 'stage-form', id: 'case-stage-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const stage = this.nextStage || options[0];
        if (stage) void this.send(`/api/v1/cases/${c.id}/stage`, { stage }, () => t('cases.stage_changed', { stage: stageName(stage) }));
      },
    },
      h('div', { class: 'actions' },
        h('select', { id: 'case-next-stage', onchange: (e: Event) => { this.nextStage = (e.target as HTMLSelectElement).value; } },
          ...options.map((s) => h('option', { value: s, selected: s === this.nextStage }, stageName(s))),
          h('option', { value: 'closed', selected: this.nextStage === 'closed' }, t('cases.close'))),
        h('button', { type: 'submit', id: 'case-stage-submit', disabled: this.busy }, t('cases.change_stage'))));
  }

  private openForm(): HTMLElement {
    const f = this.form;
    const sel = this.app.selectedIncident;
    const inc = sel ? state.incidents.get(sel) : undefined;
    const input = (id: string, key: 'incident' | 'type' | 'title' | 'officers' | 'stage', extra: Record<string, string> = {}) =>
      h('input', { id, type: 'text', value: f[key], autocomplete: 'off', ...extra, oninput: (e: Event) => { f[key] = (e.target as HTMLInputElement).value; } });
    return h('details', { class: 'open-case', id: 'case-open', open: !!sel },
      h('summary', {}, t('cases.open_case')),
      h('form', {
        id: 'case-open-form',
        onsubmit: (e: Event) => { e.preventDefault(); void this.openCase(); },
      },
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.incident')),
          input('case-incident', 'incident', { placeholder: sel ? `${inc?.number ?? ''} (#${sel})` : t('cases.incident_hint'), inputmode: 'numeric' })),
        h('div', { class: 'row' },
          h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.kind')),
            h('select', { id: 'case-kind', onchange: (e: Event) => { f.kind = (e.target as HTMLSelectElement).value as Case['kind']; if (!STAGES[f.kind].includes(f.stage)) f.stage = STAGES[f.kind][0]; this.render(); } },
              ...(['administrative', 'criminal'] as const).map((k) => h('option', { value: k, selected: k === f.kind }, t(`cases.kind.${k}`))))),
          h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.stage')),
            h('select', { id: 'case-stage-select', onchange: (e: Event) => { f.stage = (e.target as HTMLSelectElement).value; } },
              ...STAGES[f.kind].map((s) => h('option', { value: s, selected: s === f.stage }, stageName(s)))))),
        h('div', { class: 'row' },
          h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.type')), input('case-type', 'type', { placeholder: t('cases.type_hint') })),
          h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.officers')), input('case-officers', 'officers', { placeholder: t('cases.officers_hint') }))),
        h('div', { class: 'row' },
          h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.title_field')), input('case-title', 'title', { placeholder: t('cases.title_hint') })),
          this.teamField()),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'case-open-submit', disabled: this.busy }, t('cases.open')))));
  }

  // Centre level: any team or none, the teams of the listed cases offered; with a team: that
  // team, read-only.
  private teamField(): HTMLElement {
    const mine = this.myTeam;
    const known = [...new Set((this.list ?? []).map((c) => c.team ?? '').filter(Boolean))].sort();
    return h('label', { class: 'field' }, h('span', { class: 'label' }, t('cases.team')),
      mine
        ? h('input', { id: 'case-team-input', type: 'text', value: mine, readonly: true, 'aria-readonly': 'true', title: t('cases.team_own') })
        : h('input', { id: 'case-team-input', type: 'text', value: this.form.team, autocomplete: 'off', maxlength: '64', list: 'case-teams',
            placeholder: t('cases.team_hint'), oninput: (e: Event) => { this.form.team = (e.target as HTMLInputElement).value; } }),
      mine ? null : h('datalist', { id: 'case-teams' }, ...known.map((k) => h('option', { value: k }))));
  }

  render(): void {
    if (requested !== null) {
      const id = requested;
      requested = null;
      void this.open(id);
    }
    if (this.list === null && !this.loading) void this.load();
    clear(this.el);
    append(this.el,
      h('h2', {}, t('cases.title')),
      this.filters(),
      this.message ? h('div', { class: `msg ${this.message.kind}`, id: 'cases-message', role: 'alert' }, this.message.text) : null,
      this.listTable(),
      this.listNow ? h('p', { class: 'note' }, t('cases.as_of', { at: dateTime(this.listNow) })) : null,
      this.selected ? this.detail(this.selected) : null,
      this.canWork ? this.openForm() : null,
    );
  }
}
