// Evidence and seized property (涉案财物, issue 8): look an item up by its label code, typed or
// read by a USB barcode scanner (a scanner is a keyboard: it types the code and presses Enter
// into the focused field), see who holds it, where, and its chain of custody, and hand it over
// in two steps: the holder offers it to a named receiver, the receiver confirms in their own
// session (CU-1). The label is the server's Code 128 SVG, fetched with the session token and
// shown as an image from a blob URL: never inserted as markup.
// Also: register an item on a case (the caller is its first holder), a supervisor approves the
// holder's disposal (CU-4), and a storage location is reconciled: its items are scanned into a
// list and the server answers with what is missing, unexpected or recorded elsewhere.
// A refusal is shown in the server's words next to the form that caused it, and the field it
// names is marked.
// Photos of the item (PH-1..PH-7): thumbnails fetched with the token like the label, a larger
// view on click, and for those who may write evidence a form attaching one image file.
import { ApiError, EvidencePhoto, Problem, get, getToken, post } from '../api';
import { App, can } from '../app';
import { append, clear, detailsOpen, h, keepFocus } from '../dom';
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
  photos?: EvidencePhoto[]; // only when one item is read, in the order attached
}

export interface Discrepancy {
  kind: 'missing' | 'unexpected' | 'wrong_location';
  item_code: string;
  recorded_location: string;
  scanned_location: string;
  detail: string;
}

export interface Reconciliation {
  location: string;
  expected: number;
  scanned: number;
  reconciled: boolean;
  discrepancies: Discrepancy[];
  at: string;
}

// form: the form the message belongs to (shown inside it), none for the panel's own line;
// field: the body field a refusal names, marked in that form.
type Message = { kind: 'error' | 'ok' | 'info'; text: string; form?: string; field?: string } | null;

// A refusal of the server, for the form that sent it.
export function refusal(e: unknown, form?: string): NonNullable<Message> {
  return { kind: 'error', text: problemText(e), form, field: e instanceof ApiError ? e.problem.field : undefined };
}

// The server takes a photo of up to 8 MiB (413 above); it refuses a larger declared length
// before reading the body, which a browser sees as a dropped connection, not as the problem.
const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
const PHOTO_TYPES = 'image/jpeg,image/png,image/webp';

// POST the file as the body with its own type; a refusal becomes the ApiError `request` gives.
async function postPhoto(code: string, file: File, caption: string): Promise<{ photo: EvidencePhoto; created: boolean }> {
  const token = getToken();
  const q = caption ? `?caption=${encodeURIComponent(caption)}` : '';
  let res: Response;
  try {
    res = await fetch(`/api/v1/evidence/${encodeURIComponent(code)}/photos${q}`, {
      method: 'POST',
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': file.type || 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new ApiError({ status: 0, code: 'unreachable', detail: 'server unreachable' });
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // a proxy's HTML page: the status says enough
  }
  if (!res.ok) {
    // Let the shared client notice an expired session (it tells the app, which asks to log in).
    if (res.status === 401) void get('/api/v1/me').catch(() => undefined);
    throw new ApiError({
      status: res.status, code: typeof json.code === 'string' ? json.code : `http_${res.status}`,
      field: typeof json.field === 'string' ? json.field : undefined,
      detail: typeof json.detail === 'string' ? json.detail : res.statusText,
    });
  }
  return { photo: json as unknown as EvidencePhoto, created: res.status === 201 };
}

// Item codes are 1–40 of A-Z a-z 0-9 - . _ / (docs/cases.md); a scanner may add white space.
const CODE_RE = /^[A-Za-z0-9._/-]{1,40}$/;

// Another panel (a case's item list) asks for an item: the evidence panel shows it when opened.
let requested: string | null = null;
export function openEvidence(app: App, code: string): void {
  requested = code;
  app.setTab('evidence');
}
// A case's detail asks to register an item on it: the form opens with the case filled in.
let registerOn: number | null = null;
export function registerEvidence(app: App, caseId: number): void {
  registerOn = caseId;
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
  private focusNext: string | null = null;
  // Registering an item; the case and place stay for the next item seized at the same scene.
  private reg = { open: false, code: '', caseId: '', description: '', location: '', condition: '' };
  private dispose = { kind: 'returned' as 'returned' | 'confiscated' | 'destroyed', note: '' };
  // Reconciling a location: the codes scanned there so far, and the server's last answer.
  private rec = { open: false, location: '', scan: '', codes: [] as string[], result: null as Reconciliation | null, locations: null as string[] | null };
  // Photos of the item shown: blob URLs by sha256 ('failed' when the bytes could not be read),
  // the one shown large, and the caption typed for the next upload.
  private photoUrls = new Map<string, string>();
  private photosFor = '';
  private photoLoading = new Set<string>();
  private viewing: string | null = null;
  private caption = '';
  // The file input is kept across redraws: a new element would forget the chosen file.
  private fileInput: HTMLInputElement | null = null;

  // Only who is logged in: the view also serves the unit terminal (/unit), which has no App.
  constructor(private app: Pick<App, 'me'>) {}

  focus(): void {
    // The register form asked for (from a case) takes the focus once; else the scan field.
    const first = this.focusNext;
    this.focusNext = null;
    const input = this.el.querySelector(`#${first ?? 'evidence-code'}`) as HTMLInputElement | null;
    input?.focus();
    input?.select();
  }

  private get canWork(): boolean {
    return can.caseWork(this.app.me.role);
  }

  private get canApprove(): boolean {
    return can.approve(this.app.me.role);
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
      if (item.code !== this.item?.code) {
        this.prefill(item);
        // A file chosen for another item is not attached to this one.
        this.caption = '';
        if (this.fileInput) this.fileInput.value = '';
      }
      this.item = item;
      // A scan tries again the photos that could not be read last time.
      for (const [sha, url] of this.photoUrls) if (url === 'failed') this.photoUrls.delete(sha);
      void this.loadLabel(code);
    } catch (e) {
      this.item = null;
      this.dropLabel();
      this.dropPhotos();
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

  private dropPhotos(): void {
    for (const url of this.photoUrls.values()) if (url !== 'failed') URL.revokeObjectURL(url);
    this.photoUrls.clear();
    this.photoLoading.clear();
    this.photosFor = '';
    this.viewing = null;
  }

  // Each photo's bytes once per item shown (a read is logged by the server, PH-3), as an image
  // from a blob URL of the type the server recorded: never markup.
  private loadPhotos(item: EvidenceItem): void {
    if (this.photosFor !== item.code) {
      this.dropPhotos();
      this.photosFor = item.code;
    }
    const token = getToken();
    for (const p of item.photos ?? []) {
      if (this.photoUrls.has(p.sha256) || this.photoLoading.has(p.sha256)) continue;
      this.photoLoading.add(p.sha256);
      const code = item.code;
      void fetch(`/api/v1/evidence/${encodeURIComponent(code)}/photos/${p.sha256}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
        .then(async (res) => {
          if (!res.ok) throw new Error(String(res.status));
          return res.blob();
        })
        .then((blob) => new Blob([blob], { type: p.content_type }), () => null)
        .then((blob) => {
          if (this.photosFor !== code || !this.photoLoading.delete(p.sha256)) return;
          this.photoUrls.set(p.sha256, blob ? URL.createObjectURL(blob) : 'failed');
          this.render();
        });
    }
  }

  private photoFile(): HTMLInputElement {
    if (!this.fileInput) {
      this.fileInput = h('input', { id: 'photo-file', type: 'file', accept: PHOTO_TYPES,
        onchange: () => { if (this.message?.form === 'photo') { this.message = null; this.render(); } } });
    }
    return this.fileInput;
  }

  private async attachPhoto(): Promise<void> {
    if (!this.item || this.busy) return;
    const input = this.photoFile();
    const file = input.files?.[0];
    if (!file) {
      this.message = { kind: 'error', text: t('evidence.photo_need_file'), form: 'photo', field: 'body' };
      return this.render();
    }
    if (file.size > MAX_PHOTO_BYTES) {
      this.message = { kind: 'error', text: t('evidence.photo_too_large', { name: file.name, mib: (file.size / 1048576).toFixed(1) }), form: 'photo', field: 'body' };
      return this.render();
    }
    const code = this.item.code;
    this.busy = true;
    this.message = null;
    this.render();
    try {
      const { created } = await postPhoto(code, file, this.caption.trim());
      this.message = { kind: 'ok', text: t(created ? 'evidence.photo_attached' : 'evidence.photo_already', { name: file.name }), form: 'photo' };
      input.value = '';
      this.caption = '';
      // The answer is the photo alone: read the item again for its list.
      const again = await get<EvidenceItem>(`/api/v1/evidence/${encodeURIComponent(code)}`).catch(() => null);
      if (again && this.item?.code === code) this.item = again;
    } catch (e) {
      this.message = refusal(e, 'photo');
    } finally {
      this.busy = false;
    }
    this.render();
  }

  private showPhoto(sha: string | null): void {
    const back = this.viewing;
    this.viewing = sha;
    this.render();
    const target = sha ? '#evidence-photo-close' : `.photo-thumb[data-sha256="${back}"]`;
    (this.el.querySelector(target) as HTMLElement | null)?.focus();
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

  private async act(path: string, body: unknown, done: string, form?: string): Promise<void> {
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
      this.message = refusal(e, form);
    } finally {
      this.busy = false;
    }
    this.render();
  }

  async register(): Promise<void> {
    if (this.busy) return;
    const r = this.reg;
    const caseId = r.caseId.trim();
    // A case id that is not a number goes as typed: the server names the field and the reason.
    const body: Record<string, unknown> = {
      code: r.code.trim(), case_id: /^\d+$/.test(caseId) ? Number(caseId) : caseId,
      description: r.description.trim(), location: r.location.trim(),
    };
    if (r.condition.trim()) body.condition = r.condition.trim();
    this.busy = true;
    this.message = null;
    this.render();
    let made: EvidenceItem | null = null;
    try {
      made = await post<EvidenceItem>('/api/v1/evidence', body);
    } catch (e) {
      this.message = refusal(e, 'register');
    } finally {
      this.busy = false;
    }
    if (!made) return this.render();
    this.reg = { ...r, code: '', description: '', condition: '' };
    this.mine = null;
    // Show it as a scan would: holder, custody chain (one step) and the label to print.
    await this.lookup(made.code);
    this.message = { kind: 'ok', text: t('evidence.registered', { code: made.code, id: String(made.case_id) }) };
    this.render();
  }

  private approveDisposal(): Promise<void> {
    const kind = this.dispose.kind;
    const body: Record<string, string> = { disposal: kind };
    if (this.dispose.note.trim()) body.note = this.dispose.note.trim();
    return this.act('/disposal', body, t('evidence.disposal_done', { what: t(`evidence.disposal.${kind}`) }), 'disposal');
  }

  // ---- reconciliation ----
  private async loadLocations(): Promise<void> {
    this.rec.locations = [];
    try {
      const r = await get<{ items: EvidenceItem[] }>('/api/v1/evidence');
      this.rec.locations = [...new Set(r.items.map((i) => i.location))].sort();
    } catch {
      // Suggestions only: a location may be typed.
    }
    this.render();
  }

  // One scan (a USB scanner types the code and Enter): into the list, once.
  private addScanned(raw: string): void {
    const code = raw.trim();
    this.rec.scan = '';
    if (!code) return this.render();
    if (!CODE_RE.test(code)) this.message = { kind: 'error', text: t('evidence.bad_code'), form: 'reconcile' };
    else if (this.rec.codes.includes(code)) this.message = { kind: 'info', text: t('evidence.rec_again', { code }), form: 'reconcile' };
    else {
      this.rec.codes.push(code);
      this.message = null;
    }
    this.render();
  }

  private async reconcile(): Promise<void> {
    if (this.busy) return;
    const location = this.rec.location.trim();
    if (!location) {
      this.message = { kind: 'error', text: t('evidence.rec_need_location'), form: 'reconcile', field: 'location' };
      return this.render();
    }
    this.busy = true;
    this.message = null;
    this.render();
    try {
      this.rec.result = await post<Reconciliation>('/api/v1/evidence/reconciliation', { location, codes: this.rec.codes });
      this.rec.codes = [];
    } catch (e) {
      this.message = refusal(e, 'reconcile');
    } finally {
      this.busy = false;
    }
    this.render();
  }

  private propose(): Promise<void> {
    const receiver = this.receiver.trim();
    if (!receiver) {
      this.message = { kind: 'error', text: t('evidence.need_receiver'), form: 'handover', field: 'receiver' };
      this.render();
      return Promise.resolve();
    }
    return this.act('/handover', { receiver, place: this.place.trim(), condition: this.condition.trim() },
      t('evidence.proposed', { who: receiver }), 'handover');
  }

  // ---- rendering ----
  private input(id: string, key: 'receiver' | 'place' | 'condition' | 'relocation', extra: Record<string, string> = {}): HTMLInputElement {
    return h('input', { id, type: 'text', value: this[key], autocomplete: 'off', spellcheck: 'false', ...extra,
      oninput: (e: Event) => { this[key] = (e.target as HTMLInputElement).value; } });
  }

  // The message of a form, inside it, where the eye is.
  private formMessage(form: string): HTMLElement | null {
    const m = this.message;
    return m && m.form === form ? h('div', { class: `msg ${m.kind}`, id: `${form}-message`, role: 'alert', 'data-field': m.field ?? '' }, m.text) : null;
  }

  // A field of a form: `fields` lists the names the server may give it in a refusal.
  private field(form: string, fields: string, label: string, control: HTMLElement): HTMLElement {
    const m = this.message;
    const bad = !!m && m.kind === 'error' && m.form === form && !!m.field && fields.split(' ').includes(m.field);
    if (bad) {
      control.classList.add('invalid');
      control.setAttribute('aria-invalid', 'true');
    }
    control.setAttribute('data-field', fields);
    return h('label', { class: 'field' }, h('span', { class: 'label' }, label), control);
  }

  private text(id: string, value: string, set: (v: string) => void, extra: Record<string, string | EventListener> = {}): HTMLInputElement {
    return h('input', { id, type: 'text', value, autocomplete: 'off', spellcheck: 'false', ...extra,
      oninput: (e: Event) => set((e.target as HTMLInputElement).value) });
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
      this.canApprove && !holds && !p && !item.disposal ? this.disposalForm(item) : null,
      this.canApprove && holds && !item.disposal ? h('p', { class: 'note', id: 'disposal-own' }, t('evidence.disposal_own')) : null,
      this.labelUrl && this.labelFor === item.code
        ? h('figure', { class: 'label' }, h('img', { id: 'evidence-label', src: this.labelUrl, alt: t('evidence.label_alt', { code: item.code }) }),
            h('figcaption', {}, t('evidence.label')))
        : null,
      this.photoList(item),
      this.canWork ? this.photoForm() : null,
      h('h3', {}, t('evidence.custody')),
      this.custodyTable(item),
    );
  }

  private photoList(item: EvidenceItem): HTMLElement {
    const photos = item.photos ?? [];
    this.loadPhotos(item);
    const viewing = photos.find((p) => p.sha256 === this.viewing) ?? null;
    const about = (p: EvidencePhoto) => t('evidence.photo_by', { who: p.by, at: dateTime(p.at), kb: Math.max(1, Math.round(p.bytes / 1024)) });
    return h('div', { class: 'evidence-photos' },
      h('h3', {}, t('evidence.photos'), ' ', h('span', { class: 'count', id: 'evidence-photo-count' }, String(photos.length))),
      photos.length === 0 ? h('p', { class: 'empty', id: 'evidence-photos-none' }, t('evidence.photos_none')) :
        h('ul', { class: 'photos', id: 'evidence-photos' }, ...photos.map((p) => {
          const url = this.photoUrls.get(p.sha256);
          const label = p.caption ? p.caption : t('evidence.photo_alt', { code: item.code });
          return h('li', { 'data-sha256': p.sha256 },
            h('button', { type: 'button', class: 'photo-thumb', 'data-sha256': p.sha256, title: `${label} · ${about(p)}`,
              'aria-label': t('evidence.photo_open', { what: label }), disabled: !url || url === 'failed',
              onclick: () => this.showPhoto(p.sha256) },
              url && url !== 'failed' ? h('img', { src: url, alt: label }) : h('span', { class: 'empty' }, url ? t('evidence.photo_failed') : '…')),
            p.caption ? h('small', { class: 'caption' }, p.caption) : null);
        })),
      viewing && this.photoUrls.get(viewing.sha256) && this.photoUrls.get(viewing.sha256) !== 'failed'
        ? h('div', {
            class: 'overlay photo-view', id: 'evidence-photo-view', role: 'dialog', 'aria-modal': 'true', 'data-sha256': viewing.sha256,
            'aria-label': viewing.caption || t('evidence.photo_alt', { code: item.code }),
            onclick: (e: Event) => { if (e.target === e.currentTarget) this.showPhoto(null); },
            onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Escape') this.showPhoto(null); },
          },
            h('figure', {},
              h('img', { id: 'evidence-photo-large', src: this.photoUrls.get(viewing.sha256) as string, alt: viewing.caption || t('evidence.photo_alt', { code: item.code }) }),
              h('figcaption', {}, viewing.caption ? h('strong', {}, viewing.caption, ' ') : null, about(viewing)),
              h('div', { class: 'actions' },
                h('button', { type: 'button', id: 'evidence-photo-close', onclick: () => this.showPhoto(null) }, t('evidence.photo_close')))))
        : null);
  }

  // PH-6: whoever may write evidence attaches photos, to a disposed item too (PH-7).
  private photoForm(): HTMLElement {
    const file = this.photoFile();
    file.classList.remove('invalid');
    file.removeAttribute('aria-invalid');
    return h('form', {
      class: 'photo-form', id: 'photo-form',
      onsubmit: (e: Event) => { e.preventDefault(); void this.attachPhoto(); },
    },
      h('div', { class: 'row' },
        this.field('photo', 'body Content-Type', t('evidence.photo_file'), file),
        this.field('photo', 'caption', t('evidence.photo_caption'),
          this.text('photo-caption', this.caption, (v) => { this.caption = v; }, { placeholder: t('evidence.photo_caption_hint'), maxlength: '500' }))),
      h('p', { class: 'note' }, t('evidence.photo_note')),
      this.formMessage('photo'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'photo-submit', disabled: this.busy }, t('evidence.photo_attach'))));
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
      this.formMessage('handover'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'handover-submit', disabled: this.busy }, t('evidence.propose'))));
  }

  private relocationForm(): HTMLElement {
    return h('form', {
      class: 'relocation', id: 'relocation-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const location = this.relocation.trim();
        if (location) void this.act('/relocation', { location }, t('evidence.relocated', { location }), 'relocation');
      },
    },
      h('div', { class: 'actions' },
        this.input('relocation-location', 'relocation', { placeholder: t('evidence.storage'), 'aria-label': t('evidence.storage') }),
        h('button', { type: 'submit', id: 'relocation-submit', disabled: this.busy }, t('evidence.relocate'))),
      this.formMessage('relocation'));
  }

  // CU-4: the holder disposes of the item, a supervisor other than the holder approves; the
  // approver is whoever sends this (the server takes the holder from its ledger).
  private disposalForm(item: EvidenceItem): HTMLElement {
    const kinds = ['returned', 'confiscated', 'destroyed'] as const;
    return h('form', {
      class: 'disposal', id: 'disposal-form',
      onsubmit: (e: Event) => { e.preventDefault(); void this.approveDisposal(); },
    },
      h('h3', {}, t('evidence.disposal_title')),
      h('div', { class: 'row' },
        this.field('disposal', 'disposal', t('evidence.disposal_kind'),
          h('select', { id: 'disposal-kind', onchange: (e: Event) => { this.dispose.kind = (e.target as HTMLSelectElement).value as typeof kinds[number]; } },
            ...kinds.map((k) => h('option', { value: k, selected: k === this.dispose.kind }, t(`evidence.disposal.${k}`))))),
        this.field('disposal', 'note', t('evidence.disposal_note'),
          this.text('disposal-note', this.dispose.note, (v) => { this.dispose.note = v; }, { placeholder: t('evidence.disposal_note_hint') }))),
      h('p', { class: 'note' }, t('evidence.disposal_by', { holder: item.holder, me: this.app.me.username })),
      this.formMessage('disposal'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'disposal-submit', disabled: this.busy }, t('evidence.disposal_approve'))));
  }

  private registerForm(): HTMLElement {
    const r = this.reg;
    const code = this.text('register-code', r.code, (v) => { r.code = v; }, {
      placeholder: t('evidence.scan_hint'),
      // A pre-printed label read by a scanner ends with Enter: go on to the next field.
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key !== 'Enter') return;
        e.preventDefault();
        (this.el.querySelector('#register-case') as HTMLElement | null)?.focus();
      },
    });
    return h('details', {
      class: 'register', id: 'evidence-register', open: r.open,
      ontoggle: (e: Event) => { r.open = (e.target as HTMLDetailsElement).open; },
    },
      h('summary', {}, t('evidence.register')),
      h('form', {
        id: 'register-form',
        onsubmit: (e: Event) => { e.preventDefault(); void this.register(); },
      },
        h('div', { class: 'row' },
          this.field('register', 'code item_code', t('evidence.code'), code),
          this.field('register', 'case_id', t('evidence.case_id'),
            this.text('register-case', r.caseId, (v) => { r.caseId = v; }, { inputmode: 'numeric' }))),
        this.field('register', 'description', t('evidence.description'),
          this.text('register-description', r.description, (v) => { r.description = v; }, { placeholder: t('evidence.description_hint') })),
        h('div', { class: 'row' },
          this.field('register', 'location place', t('evidence.location'),
            this.text('register-location', r.location, (v) => { r.location = v; }, { placeholder: t('evidence.location_hint') })),
          this.field('register', 'condition', t('evidence.condition'),
            this.text('register-condition', r.condition, (v) => { r.condition = v; }))),
        h('p', { class: 'note' }, t('evidence.register_note')),
        this.formMessage('register'),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'register-submit', disabled: this.busy }, t('evidence.register_submit')))));
  }

  private reconcileForm(): HTMLElement {
    const rec = this.rec;
    if (rec.open && rec.locations === null) void this.loadLocations();
    const res = rec.result;
    const scan = this.text('reconcile-scan', rec.scan, (v) => { rec.scan = v; }, {
      placeholder: t('evidence.scan_hint'),
      // Each scan ends with Enter: it adds the code to the list instead of sending the form.
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key !== 'Enter') return;
        e.preventDefault();
        this.addScanned((e.target as HTMLInputElement).value);
      },
    });
    return h('details', {
      class: 'reconcile', id: 'evidence-reconcile', open: rec.open,
      // Creating the element open fires a toggle too: act only on a change.
      ontoggle: (e: Event) => {
        const open = (e.target as HTMLDetailsElement).open;
        if (open === rec.open) return;
        rec.open = open;
        if (open && rec.locations === null) void this.loadLocations();
      },
    },
      h('summary', {}, t('evidence.reconcile')),
      h('form', {
        id: 'reconcile-form',
        onsubmit: (e: Event) => { e.preventDefault(); void this.reconcile(); },
      },
        h('div', { class: 'row' },
          this.field('reconcile', 'location', t('evidence.storage'),
            this.text('reconcile-location', rec.location, (v) => { rec.location = v; }, { list: 'reconcile-locations' })),
          this.field('reconcile', 'codes', t('evidence.rec_scan'), scan)),
        h('datalist', { id: 'reconcile-locations' }, ...(rec.locations ?? []).map((l) => h('option', { value: l }))),
        h('p', { class: 'note' }, t('evidence.rec_note')),
        h('div', { class: 'rec-codes' },
          h('strong', {}, t('evidence.rec_scanned'), ' ', h('span', { class: 'count', id: 'reconcile-count' }, String(rec.codes.length))),
          h('ul', { id: 'reconcile-codes' }, ...rec.codes.map((c) => h('li', { 'data-code': c }, c, ' ',
            h('button', { type: 'button', class: 'link-inline', 'aria-label': t('evidence.rec_remove', { code: c }),
              onclick: () => { rec.codes = rec.codes.filter((x) => x !== c); this.render(); } }, '×'))))),
        this.formMessage('reconcile'),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', id: 'reconcile-submit', disabled: this.busy }, t('evidence.rec_submit')),
          h('button', { type: 'button', id: 'reconcile-clear', disabled: this.busy || rec.codes.length === 0,
            onclick: () => { rec.codes = []; this.render(); } }, t('evidence.rec_clear')))),
      res ? h('div', { class: 'rec-result', id: 'reconcile-result', 'data-reconciled': String(res.reconciled), 'data-location': res.location },
        h('p', { class: `msg ${res.reconciled ? 'ok' : 'warn'}` },
          t(res.reconciled ? 'evidence.rec_ok' : 'evidence.rec_bad',
            { location: res.location, expected: res.expected, scanned: res.scanned, n: res.discrepancies.length, at: dateTime(res.at) })),
        res.discrepancies.length === 0 ? null : h('table', { class: 'grid', id: 'reconcile-discrepancies' },
          h('thead', {}, h('tr', {}, ...['evidence.rec_kind', 'evidence.code', 'evidence.rec_recorded'].map((k) => h('th', {}, t(k))))),
          h('tbody', {}, ...res.discrepancies.map((d) => h('tr', { 'data-kind': d.kind, 'data-code': d.item_code, title: d.detail, onclick: () => void this.lookup(d.item_code) },
            h('td', {}, t(`evidence.rec.${d.kind}`)), h('td', {}, d.item_code), h('td', {}, d.recorded_location || '—')))))) : null);
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
    this.reg.open = detailsOpen(this.el, '#evidence-register', this.reg.open);
    this.rec.open = detailsOpen(this.el, '#evidence-reconcile', this.rec.open);
    if (registerOn !== null) {
      this.reg = { ...this.reg, open: true, caseId: String(registerOn) };
      registerOn = null;
      this.focusNext = 'register-code';
    }
    const m = this.message;
    keepFocus(this.el, () => {
      clear(this.el);
      append(this.el,
        h('h2', {}, t('evidence.title')),
        this.scanForm(),
        m && !m.form ? h('div', { class: `msg ${m.kind}`, id: 'evidence-message', role: 'alert' }, m.text) : null,
        this.item ? this.itemCard(this.item) : null,
        this.canWork ? this.registerForm() : null,
        this.canWork ? this.reconcileForm() : null,
        this.mineList(),
      );
    });
  }
}
