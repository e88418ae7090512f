// Evidence and seized property (涉案财物, issue 8): look an item up by its label code, typed or
// read by a USB barcode scanner (a scanner is a keyboard: it types the code and presses Enter
// into the focused field), see who holds it, where, and its chain of custody, and hand it over
// in two steps: the holder offers it to a named receiver, the receiver confirms in their own
// session (CU-1). The label is the server's Code 128 SVG, fetched with the session token and
// shown as an image from a blob URL: never inserted as markup.
import { ApiError, Problem, get, getToken, post } from '../api';
import { App, can } from '../app';
import { append, clear, h } from '../dom';
import { t } from '../i18n';
import { dateTime } from '../time';

export interface PendingHandover {
  giver: string;
  receiver: string;
  place: string;
  condition: string;
  proposed_at: string;
}

export interface EvidenceItem {
  code: string;
  description: string;
  case_id: string | number;
  holder: string;
  location: string;
  condition: string;
  last_event_at: string;
  events: number;
  pending_handover: PendingHandover | null;
  disposal: string | null;
  custody?: Array<Record<string, unknown> & { kind: string; actor: string; at: string }>;
}

type Message = { kind: 'error' | 'ok' | 'info'; text: string } | null;

// Item codes are 1–40 of A-Z a-z 0-9 - . _ / (docs/cases.md); a scanner may add white space.
const CODE_RE = /^[A-Za-z0-9._/-]{1,40}$/;

// Another panel (a case's item list) asks for an item: the evidence panel shows it when opened.
let requested: string | null = null;
export function openEvidence(app: App, code: string): void {
  requested = code;
  app.setTab('evidence');
}

export function problemText(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  const p: Problem = e.problem;
  if (p.status === 0) return t('conn.unreachable');
  const known = t(`cases.problem.${p.code}`);
  const head = known === `cases.problem.${p.code}` ? '' : `${known} `;
  const field = p.field ? `${t('cases.problem_field', { field: p.field })} ` : '';
  return `${head}${field}${p.detail}`.trim();
}

export class EvidenceView {
  el = h('section', { class: 'view evidence', 'data-view': 'evidence' });
  private code = '';
  private item: EvidenceItem | null = null;
  private loading = false;
  private busy = false;
  private message: Message = null;
  private labelUrl: string | null = null;
  private labelFor = '';
  private receiver = '';
  private place = '';
  private condition = '';
  private relocation = '';
  private mine: EvidenceItem[] | null = null;
  private mineLoading = false;

  // Only who is logged in: the view also serves the unit terminal (/unit), which has no App.
  constructor(private app: Pick<App, 'me'>) {}

  focus(): void {
    const input = this.el.querySelector('#evidence-code') as HTMLInputElement | null;
    input?.focus();
    input?.select();
  }

  private get canWork(): boolean {
    return can.caseWork(this.app.me.role);
  }

  // ---- data ----
  async lookup(raw: string): Promise<void> {
    const code = raw.trim();
    this.code = code;
    if (!CODE_RE.test(code)) {
      this.item = null;
      this.message = { kind: 'error', text: t('evidence.bad_code') };
      return this.render();
    }
    this.loading = true;
    this.message = null;
    this.render();
    try {
      const item = await get<EvidenceItem>(`/api/v1/evidence/${encodeURIComponent(code)}`);
      if (item.code !== this.item?.code) this.prefill(item);
      this.item = item;
      void this.loadLabel(code);
    } catch (e) {
      this.item = null;
      this.dropLabel();
      const p = e instanceof ApiError ? e.problem : null;
      this.message = { kind: 'error', text: p?.status === 404 ? t('evidence.unknown', { code }) : p?.status === 403 ? t('evidence.forbidden') : problemText(e) };
    } finally {
      this.loading = false;
    }
    this.render();
    this.focus();
  }

  // The hand-over form starts from where the item is and how it is; the receiver is named anew.
  private prefill(item: EvidenceItem): void {
    this.receiver = '';
    this.place = item.location;
    this.condition = item.condition;
    this.relocation = '';
  }

  private dropLabel(): void {
    if (this.labelUrl) URL.revokeObjectURL(this.labelUrl);
    this.labelUrl = null;
    this.labelFor = '';
  }

  // The label is an SVG from our own server; it is shown through <img>, which runs no script
  // and lets the page's CSP (img-src blob:) hold.
  private async loadLabel(code: string): Promise<void> {
    if (this.labelFor === code && this.labelUrl) return;
    try {
      const token = getToken();
      const res = await fetch(`/api/v1/evidence/${encodeURIComponent(code)}/label.svg`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      if (this.item?.code !== code) return;
      this.dropLabel();
      this.labelUrl = URL.createObjectURL(new Blob([blob], { type: 'image/svg+xml' }));
      this.labelFor = code;
    } catch {
      this.dropLabel();
    }
    this.render();
  }

  private async loadMine(): Promise<void> {
    if (this.mineLoading) return;
    this.mineLoading = true;
    try {
      const r = await get<{ items: EvidenceItem[] }>(`/api/v1/evidence?holder=${encodeURIComponent(this.app.me.username)}`);
      this.mine = r.items;
    } catch {
      this.mine = [];
    } finally {
      this.mineLoading = false;
    }
    this.render();
  }

  private async act(path: string, body: unknown, done: string): Promise<void> {
    if (!this.item || this.busy) return;
    this.busy = true;
    this.message = null;
    this.render();
    try {
      this.item = { ...await post<EvidenceItem>(`/api/v1/evidence/${encodeURIComponent(this.item.code)}${path}`, body), custody: this.item.custody };
      this.message = { kind: 'ok', text: done };
      // The answer has no custody chain: read the item again for it.
      const again = await get<EvidenceItem>(`/api/v1/evidence/${encodeURIComponent(this.item.code)}`).catch(() => null);
      if (again) this.item = again;
      this.prefill(this.item);
      void this.loadMine();
    } catch (e) {
      this.message = { kind: 'error', text: problemText(e) };
    } finally {
      this.busy = false;
    }
    this.render();
  }

  private propose(): Promise<void> {
    const receiver = this.receiver.trim();
    if (!receiver) {
      this.message = { kind: 'error', text: t('evidence.need_receiver') };
      this.render();
      return Promise.resolve();
    }
    return this.act('/handover', { receiver, place: this.place.trim(), condition: this.condition.trim() },
      t('evidence.proposed', { who: receiver }));
  }

  // ---- rendering ----
  private input(id: string, key: 'receiver' | 'place' | 'condition' | 'relocation', extra: Record<string, string> = {}): HTMLInputElement {
    return h('input', { id, type: 'text', value: this[key], autocomplete: 'off', spellcheck: 'false', ...extra,
      oninput: (e: Event) => { this[key] = (e.target as HTMLInputElement).value; } });
  }

  private scanForm(): HTMLElement {
    const input = h('input', {
      id: 'evidence-code', type: 'text', value: this.code, autocomplete: 'off', spellcheck: 'false',
      placeholder: t('evidence.scan_hint'), 'aria-label': t('evidence.code'),
      oninput: (e: Event) => { this.code = (e.target as HTMLInputElement).value; },
    });
    return h('form', {
      class: 'evidence-scan', id: 'evidence-scan',
      onsubmit: (e: Event) => { e.preventDefault(); void this.lookup(input.value); },
    },
      h('label', { class: 'field' }, h('span', { class: 'label' }, t('evidence.code')), input),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'evidence-lookup', disabled: this.loading }, this.loading ? t('evidence.looking') : t('evidence.lookup'))),
    );
  }

  private custodyKind(kind: string): string {
    const s = t(`evidence.kind.${kind}`);
    return s === `evidence.kind.${kind}` ? kind : s;
  }

  private custodyTable(item: EvidenceItem): HTMLElement {
    const steps = item.custody ?? [];
    const text = (v: unknown) => (typeof v === 'string' && v ? v : '');
    return h('table', { class: 'grid', id: 'evidence-custody' },
      h('thead', {}, h('tr', {}, ...['evidence.at', 'evidence.step', 'evidence.actor', 'evidence.details'].map((k) => h('th', {}, t(k))))),
      h('tbody', {}, ...steps.map((s, i) => {
        const parts = [
          text(s.giver) && text(s.receiver) ? `${text(s.giver)} → ${text(s.receiver)}` : '',
          text(s.place) ? `${t('evidence.place')}: ${text(s.place)}` : '',
          text(s.location) ? `${t('evidence.location')}: ${text(s.location)}` : '',
          text(s.condition) ? `${t('evidence.condition')}: ${text(s.condition)}` : '',
          text(s.disposal) ? `${t(`evidence.disposal.${text(s.disposal)}`)}` : '',
          text(s.approver) ? `${t('evidence.approver')}: ${text(s.approver)}` : '',
          text(s.note),
        ].filter(Boolean);
        return h('tr', { 'data-step': i, 'data-kind': s.kind },
          h('td', {}, dateTime(s.at)), h('td', {}, this.custodyKind(s.kind)), h('td', {}, s.actor), h('td', {}, parts.join(' · ')));
      })));
  }

  private itemCard(item: EvidenceItem): HTMLElement {
    const me = this.app.me.username;
    const p = item.pending_handover;
    const holds = item.holder === me;
    const row = (key: string, value: Node | string, id?: string) =>
      h('tr', {}, h('th', {}, t(key)), h('td', id ? { id } : {}, value));
    return h('div', { class: 'evidence-item', id: 'evidence-item', 'data-code': item.code },
      h('h3', {}, item.code, ' ', h('small', { class: 'empty' }, t('evidence.case', { id: String(item.case_id) }))),
      h('table', { class: 'facts' },
        h('tbody', {},
          row('evidence.description', item.description, 'evidence-description'),
          row('evidence.holder', h('strong', {}, item.holder, holds ? ` (${t('evidence.you')})` : ''), 'evidence-holder'),
          row('evidence.location', item.location, 'evidence-location'),
          row('evidence.condition', item.condition || '—'),
          row('evidence.last_event', dateTime(item.last_event_at)),
          item.disposal ? row('evidence.disposed', t(`evidence.disposal.${item.disposal}`), 'evidence-disposal') : null)),
      p ? h('div', { class: 'msg warn', id: 'evidence-pending', 'data-receiver': p.receiver },
        t('evidence.pending', { giver: p.giver, receiver: p.receiver, place: p.place, at: dateTime(p.proposed_at) }),
        p.condition ? ` · ${t('evidence.condition')}: ${p.condition}` : '',
        this.canWork && (p.receiver === me || p.giver === me)
          ? h('div', { class: 'actions' },
              p.receiver === me
                ? h('button', { type: 'button', class: 'primary', id: 'evidence-confirm', disabled: this.busy,
                    onclick: () => void this.act('/handover/confirm', {}, t('evidence.confirmed')) }, t('evidence.confirm'))
                : null,
              h('button', { type: 'button', id: 'evidence-cancel', disabled: this.busy,
                onclick: () => void this.act('/handover/cancel', {}, t('evidence.cancelled')) }, p.receiver === me ? t('evidence.decline') : t('evidence.withdraw')))
          : null) : null,
      this.canWork && holds && !p && !item.disposal ? this.handoverForm() : null,
      this.canWork && holds && !p && !item.disposal ? this.relocationForm() : null,
      this.labelUrl && this.labelFor === item.code
        ? h('figure', { class: 'label' }, h('img', { id: 'evidence-label', src: this.labelUrl, alt: t('evidence.label_alt', { code: item.code }) }),
            h('figcaption', {}, t('evidence.label')))
        : null,
      h('h3', {}, t('evidence.custody')),
      this.custodyTable(item),
    );
  }

  private handoverForm(): HTMLElement {
    return h('form', {
      class: 'handover', id: 'handover-form',
      onsubmit: (e: Event) => { e.preventDefault(); void this.propose(); },
    },
      h('h3', {}, t('evidence.handover')),
      h('div', { class: 'row' },
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('evidence.receiver')), this.input('handover-receiver', 'receiver', { placeholder: t('evidence.receiver_hint') })),
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('evidence.place')), this.input('handover-place', 'place'))),
      h('label', { class: 'field' }, h('span', { class: 'label' }, t('evidence.condition')), this.input('handover-condition', 'condition')),
      h('p', { class: 'note' }, t('evidence.two_party')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'handover-submit', disabled: this.busy }, t('evidence.propose'))));
  }

  private relocationForm(): HTMLElement {
    return h('form', {
      class: 'relocation', id: 'relocation-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const location = this.relocation.trim();
        if (location) void this.act('/relocation', { location }, t('evidence.relocated', { location }));
      },
    },
      h('div', { class: 'actions' },
        this.input('relocation-location', 'relocation', { placeholder: t('evidence.storage'), 'aria-label': t('evidence.storage') }),
        h('button', { type: 'submit', id: 'relocation-submit', disabled: this.busy }, t('evidence.relocate'))));
  }

  private mineList(): HTMLElement | null {
    if (!this.canWork) return null;
    if (this.mine === null) {
      void this.loadMine();
      return null;
    }
    return h('div', { class: 'evidence-mine' },
      h('h3', {}, t('evidence.mine'), ' ', h('span', { class: 'count' }, String(this.mine.length))),
      this.mine.length === 0 ? h('p', { class: 'empty' }, t('evidence.mine_none')) :
        h('table', { class: 'grid', id: 'evidence-mine' },
          h('thead', {}, h('tr', {}, ...['evidence.code', 'evidence.description', 'evidence.location', ''].map((k) => h('th', {}, k ? t(k) : '')))),
          h('tbody', {}, ...this.mine.map((it) => h('tr', { 'data-code': it.code, onclick: () => void this.lookup(it.code) },
            h('td', {}, it.code), h('td', {}, it.description), h('td', {}, it.location),
            h('td', {}, it.pending_handover ? t('evidence.offered_to', { who: it.pending_handover.receiver }) : ''))))));
  }

  render(): void {
    if (requested !== null) {
      const code = requested;
      requested = null;
      void this.lookup(code);
      return;
    }
    const hadFocus = document.activeElement?.id === 'evidence-code';
    clear(this.el);
    append(this.el,
      h('h2', {}, t('evidence.title')),
      this.scanForm(),
      this.message ? h('div', { class: `msg ${this.message.kind}`, id: 'evidence-message', role: 'alert' }, this.message.text) : null,
      this.item ? this.itemCard(this.item) : null,
      this.mineList(),
    );
    if (hadFocus) this.focus();
  }
}
