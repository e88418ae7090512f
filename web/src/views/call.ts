// Call-taking (接警): location by map click, address or intersection; category with the triage
// suggestion; priority; caller details (role-gated); Enter submits. The form is kept in
// sessionStorage on every keystroke, so an expired session, a reload or a server restart
// loses nothing typed.
import { ApiError, CreatedIncident, Incident, Place, get, post } from '../api';
import { App, can } from '../app';
import { clear, h } from '../dom';
import { t } from '../i18n';
import { state } from '../state';
import { categoryLabel } from '../taxonomy';
import { duration } from '../time';

interface Draft {
  address: string;
  lat: number | null;
  lon: number | null;
  location_label: string; // shown to the call-taker
  location_address: string; // sent as the incident's address when no address was typed
  category: string;
  priority: number;
  description: string;
  location_kind: string;
  caller_name: string;
  caller_phone: string;
}

const KEY = 'pingan.call-draft';
const EMPTY: Draft = {
  address: '', lat: null, lon: null, location_label: '', location_address: '', category: '', priority: 3,
  description: '', location_kind: '', caller_name: '', caller_phone: '',
};

function load(): Draft {
  try {
    return { ...EMPTY, ...JSON.parse(sessionStorage.getItem(KEY) ?? '{}') };
  } catch {
    return { ...EMPTY };
  }
}

const draft: Draft = load();
const save = () => sessionStorage.setItem(KEY, JSON.stringify(draft));

function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = 6371008.8, k = Math.PI / 180;
  const dlat = (b.lat - a.lat) * k, dlon = (b.lon - a.lon) * k;
  const s = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * k) * Math.cos(b.lat * k) * Math.sin(dlon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(Math.min(1, s)));
}

export class CallView {
  el = h('section', { class: 'view call', 'data-view': 'call' });
  private candidates: Place[] = [];
  private highlighted = 0;
  private geocodeTimer: number | undefined;
  private triageTimer: number | undefined;
  private suggestion: { category: string; priority: number; score: number; reasons: string[] } | null = null;
  private message: { text: string; kind: 'error' | 'info' | 'ok' } | null = null;
  private created: CreatedIncident | null = null;
  private busy = false;

  constructor(private app: App) {
    this.render();
  }

  // A map click while this view is open sets the location (refused outside the map's data).
  async mapClick(lat: number, lon: number): Promise<void> {
    try {
      const r = await get<Place & { distance_m: number }>(`/api/v1/geocode/reverse?lat=${lat.toFixed(6)}&lon=${lon.toFixed(6)}`);
      this.setLocation(lat, lon, r.label ? t('call.near', { street: r.label }) : t('call.unnamed_road'), r.label);
      this.message = null;
    } catch (e) {
      if (e instanceof ApiError && e.problem.code === 'off_road') {
        this.message = { text: t('call.outside_map'), kind: 'error' };
      } else if (e instanceof ApiError && e.problem.status === 503) {
        // No road map on this server: the click is still a place.
        this.setLocation(lat, lon, `${lat.toFixed(5)}, ${lon.toFixed(5)}`, '');
      } else {
        this.message = { text: e instanceof Error ? e.message : String(e), kind: 'error' };
      }
    }
    this.render();
  }

  private setLocation(lat: number, lon: number, label: string, address: string): void {
    draft.lat = lat;
    draft.lon = lon;
    draft.location_label = label;
    draft.location_address = address;
    save();
    this.app.map?.setDraft(lat, lon);
  }

  focus(): void {
    (this.el.querySelector('#call-address') as HTMLInputElement | null)?.focus();
  }

  private geocode(q: string): void {
    clearTimeout(this.geocodeTimer);
    if (q.trim().length < 2) {
      this.candidates = [];
      this.renderCandidates();
      return;
    }
    this.geocodeTimer = window.setTimeout(async () => {
      try {
        const r = await get<{ items: Place[] }>(`/api/v1/geocode?q=${encodeURIComponent(q)}&limit=6`);
        if (draft.address !== q) return; // typed on meanwhile
        this.candidates = r.items;
        this.highlighted = 0;
        this.message = r.items.length === 0 ? { text: t('call.no_place', { q }), kind: 'error' } : null;
      } catch (e) {
        this.candidates = [];
        if (e instanceof ApiError && e.problem.status === 503) this.message = { text: t('call.no_address_index'), kind: 'info' };
      }
      this.renderCandidates();
      this.renderMessage();
    }, 200);
  }

  private pick(p: Place): void {
    this.setLocation(p.lat, p.lon, p.label, p.label);
    draft.address = p.label;
    save();
    this.candidates = [];
    this.app.map?.flyTo(p.lat, p.lon, 16);
    this.message = null;
    this.render();
    (this.el.querySelector('#call-category') as HTMLElement | null)?.focus();
  }

  private triage(): void {
    if (!this.app.features.triage) return;
    clearTimeout(this.triageTimer);
    const text = draft.description.trim();
    if (text.length < 3) {
      this.suggestion = null;
      this.renderSuggestion();
      return;
    }
    this.triageTimer = window.setTimeout(async () => {
      try {
        const body: Record<string, string> = { text };
        if (draft.location_kind) body.location_kind = draft.location_kind;
        this.suggestion = (await post<typeof this.suggestion>('/api/v1/triage', body)) ?? null;
      } catch {
        this.suggestion = null;
      }
      this.renderSuggestion();
    }, 300);
  }

  acceptSuggestion(): void {
    if (!this.suggestion) return;
    draft.category = this.suggestion.category;
    draft.priority = this.suggestion.priority;
    save();
    this.render();
  }

  // Open incidents near the draft location in the last 30 minutes: maybe the same event.
  private nearbyOpen(): Incident[] {
    if (draft.lat === null || draft.lon === null) return [];
    const now = Date.now();
    return state.openIncidents().filter(
      (i) => metres(i, { lat: draft.lat!, lon: draft.lon! }) < 250 && now - new Date(i.received_at).getTime() < 30 * 60_000,
    );
  }

  async submit(): Promise<void> {
    if (this.busy) return;
    if (draft.lat === null || draft.lon === null) {
      this.message = { text: t('call.need_location'), kind: 'error' };
      this.renderMessage();
      return;
    }
    if (!draft.category && !(this.app.features.triage && draft.description.trim())) {
      this.message = { text: t('call.need_category'), kind: 'error' };
      this.renderMessage();
      (this.el.querySelector('#call-category') as HTMLElement | null)?.focus();
      return;
    }
    const body: Record<string, unknown> = {
      lat: Number(draft.lat.toFixed(7)),
      lon: Number(draft.lon.toFixed(7)),
      priority: draft.priority,
      description: draft.description,
      // What was typed, else (a map click) the street the point is on.
      address: draft.address || draft.location_address,
    };
    if (draft.category) body.category = draft.category;
    if (draft.location_kind) body.location_kind = draft.location_kind;
    if (can.caller(this.app.me.role) && (draft.caller_name || draft.caller_phone)) {
      body.caller = { name: draft.caller_name, phone: draft.caller_phone };
    }
    this.busy = true;
    try {
      const inc = await post<CreatedIncident>('/api/v1/incidents', body);
      state.upsertIncident(inc);
      this.created = inc;
      Object.assign(draft, EMPTY);
      save();
      this.app.map?.setDraft(null, null);
      this.message = { text: t(inc.status === 'diverted' ? 'call.created_diverted' : 'call.created', { number: inc.number }), kind: 'ok' };
      this.suggestion = null;
      this.render();
      this.focus();
    } catch (e) {
      // Nothing is cleared: the call-taker fixes the named field and presses Enter again.
      const p = e instanceof ApiError ? e.problem : null;
      this.message = {
        text: p ? (p.status === 0 ? t('conn.lost_kept') : p.status === 401 ? t('auth.expired') : p.detail) : String(e),
        kind: 'error',
      };
      this.renderMessage();
    } finally {
      this.busy = false;
    }
  }

  private onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (target.id === 'call-address' && this.candidates.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        this.highlighted = (this.highlighted + (e.key === 'ArrowDown' ? 1 : this.candidates.length - 1)) % this.candidates.length;
        this.renderCandidates();
        e.preventDefault();
        return;
      }
      if (e.key === 'Enter') {
        this.pick(this.candidates[this.highlighted]);
        e.preventDefault();
        return;
      }
      if (e.key === 'Escape') {
        this.candidates = [];
        this.renderCandidates();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && target.tagName !== 'BUTTON') {
      e.preventDefault();
      void this.submit();
    }
  };

  render(): void {
    clear(this.el);
    const role = this.app.me.role;
    const field = (id: string, label: string, input: HTMLElement, hint?: string) =>
      h('label', { class: 'field', for: id }, h('span', { class: 'label' }, label, hint ? h('kbd', {}, hint) : null), input);

    const address = h('input', {
      id: 'call-address', type: 'text', autocomplete: 'off', value: draft.address,
      placeholder: t('call.address_placeholder'),
      oninput: (e: Event) => {
        draft.address = (e.target as HTMLInputElement).value;
        save();
        this.geocode(draft.address);
      },
    });
    const categories = state.taxonomy?.categories ?? [];
    let category: HTMLElement;
    if (categories.length > 0) {
      const sel = h('select', {
        id: 'call-category',
        onchange: (e: Event) => {
          draft.category = (e.target as HTMLSelectElement).value;
          const c = categories.find((x) => x.code === draft.category);
          if (c) draft.priority = c.priority;
          save();
          this.render();
        },
      }, h('option', { value: '' }, t('call.category_choose')),
        ...categories.map((c) => h('option', { value: c.code, selected: c.code === draft.category }, `${categoryLabel(c.code)} (${c.code})`)));
      category = sel;
    } else {
      category = h('input', {
        id: 'call-category', type: 'text', value: draft.category, placeholder: 'theft, fire, medical …',
        oninput: (e: Event) => { draft.category = (e.target as HTMLInputElement).value.trim().toLowerCase(); save(); },
      });
    }
    const priority = h('div', { class: 'priority', role: 'radiogroup', id: 'call-priority' },
      ...[1, 2, 3, 4].map((p) => h('button', {
        type: 'button', class: `prio p${p}${draft.priority === p ? ' on' : ''}`, 'aria-pressed': String(draft.priority === p),
        title: `Alt+${p}`, onclick: () => { draft.priority = p; save(); this.render(); },
      }, `P${p}`)));
    const description = h('textarea', {
      id: 'call-description', rows: 3, placeholder: t('call.description_placeholder'),
      oninput: (e: Event) => { draft.description = (e.target as HTMLTextAreaElement).value; save(); this.triage(); },
    });
    description.value = draft.description;
    const kinds = ['', 'street', 'residence', 'business', 'school', 'highway', 'public_place'];
    const locationKind = h('select', {
      id: 'call-location-kind',
      onchange: (e: Event) => { draft.location_kind = (e.target as HTMLSelectElement).value; save(); this.triage(); },
    }, ...kinds.map((k) => h('option', { value: k, selected: k === draft.location_kind }, k ? t(`kind.${k}`) : '—')));

    const form = h('form', { class: 'call-form', onsubmit: (e: Event) => { e.preventDefault(); void this.submit(); }, onkeydown: this.onKey as EventListener },
      h('h2', {}, t('call.title')),
      field('call-address', t('call.address'), address, 'Alt+L'),
      h('ul', { class: 'candidates', id: 'call-candidates', role: 'listbox' }),
      h('div', { class: 'location', id: 'call-location' },
        draft.lat !== null
          ? h('span', {}, h('span', { class: 'pin' }, '📍 '), draft.location_label || `${draft.lat!.toFixed(5)}, ${draft.lon!.toFixed(5)}`)
          : t('call.location_hint')),
      field('call-description', t('call.description'), description),
      h('div', { class: 'suggestion', id: 'call-suggestion' }),
      h('div', { class: 'row' },
        field('call-category', t('call.category'), category, 'Alt+C'),
        field('call-location-kind', t('call.location_kind'), locationKind)),
      h('div', { class: 'field' }, h('span', { class: 'label' }, t('call.priority'), h('kbd', {}, 'Alt+1…4')), priority),
      can.caller(role)
        ? h('fieldset', { class: 'caller', id: 'call-caller' },
            h('legend', {}, t('call.caller'), ' ', h('small', {}, t('call.caller_note'))),
            h('div', { class: 'row' },
              field('call-caller-name', t('call.caller_name'), h('input', { id: 'call-caller-name', type: 'text', value: draft.caller_name, autocomplete: 'off', oninput: (e: Event) => { draft.caller_name = (e.target as HTMLInputElement).value; save(); } })),
              field('call-caller-phone', t('call.caller_phone'), h('input', { id: 'call-caller-phone', type: 'tel', value: draft.caller_phone, autocomplete: 'off', oninput: (e: Event) => { draft.caller_phone = (e.target as HTMLInputElement).value; save(); } }))))
        : null,
      h('div', { class: 'duplicates', id: 'call-duplicates' }),
      h('div', { class: 'message', id: 'call-message', role: 'status' }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'call-submit' }, t('call.submit'), h('kbd', {}, 'Enter')),
        h('button', { type: 'button', id: 'call-clear', onclick: () => { Object.assign(draft, EMPTY); save(); this.created = null; this.message = null; this.app.map?.setDraft(null, null); this.render(); } }, t('call.clear'))),
    );
    this.el.append(form);
    if (draft.lat !== null && draft.lon !== null) this.app.map?.setDraft(draft.lat, draft.lon);
    this.renderCandidates();
    this.renderSuggestion();
    this.renderDuplicates();
    this.renderMessage();
  }

  private renderCandidates(): void {
    const ul = this.el.querySelector('#call-candidates');
    if (!ul) return;
    clear(ul);
    this.candidates.forEach((p, i) => {
      ul.append(h('li', {
        class: `candidate${i === this.highlighted ? ' on' : ''}`, role: 'option', 'data-kind': p.kind,
        onmousedown: (e: Event) => { e.preventDefault(); this.pick(p); },
      }, h('span', { class: 'kind' }, t(`place.${p.kind}`)), ' ', p.label));
    });
  }

  private renderSuggestion(): void {
    const el = this.el.querySelector('#call-suggestion');
    if (!el) return;
    clear(el);
    const s = this.suggestion;
    if (!s) return;
    el.append(h('div', { class: 'suggest-box' },
      h('strong', {}, t('call.suggested')), ' ', `${categoryLabel(s.category)} · P${s.priority}`,
      s.reasons?.length ? h('small', {}, ' — ', s.reasons.join('; ')) : null, ' ',
      h('button', { type: 'button', id: 'call-accept', onclick: () => this.acceptSuggestion() }, t('call.accept'), h('kbd', {}, 'Alt+S'))));
  }

  renderDuplicates(): void {
    const el = this.el.querySelector('#call-duplicates');
    if (!el) return;
    clear(el);
    const ids = new Set<number>();
    for (const i of this.nearbyOpen()) ids.add(i.id);
    for (const id of this.created?.likely_duplicates ?? []) ids.add(id);
    if (ids.size === 0) return;
    const items = [...ids].map((id) => state.incidents.get(id)).filter((x): x is Incident => !!x);
    el.append(h('div', { class: 'banner warn', id: 'duplicate-banner', role: 'alert' },
      h('strong', {}, this.created ? t('dup.after') : t('dup.before')), ' ',
      ...items.map((i) => h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); this.app.openIncident(i.id); } }, `${i.number} ${categoryLabel(i.category)}`, ' '))));
  }

  private renderMessage(): void {
    const el = this.el.querySelector('#call-message');
    if (!el) return;
    clear(el);
    if (this.message) el.append(h('div', { class: `msg ${this.message.kind}` }, this.message.text));
    if (this.created && this.message?.kind === 'ok') {
      const inc = this.created;
      for (const w of inc.warnings ?? []) el.append(h('div', { class: 'msg warn' }, t(`warning.${w}`) === `warning.${w}` ? w : t(`warning.${w}`)));
      // The recommendation made at intake, so the dispatcher sees who to send without a click.
      const recs = (inc.recommendations ?? []).slice(0, 3);
      if (recs.length && can.dispatch(this.app.me.role)) {
        el.append(h('div', { class: 'intake-recs', id: 'call-recs' }, h('strong', {}, t('detail.recommendations')), ' ',
          ...recs.map((r) => h('span', { class: 'rec-chip', 'data-unit': r.unit_id }, r.callsign,
            typeof r.eta_s === 'number' ? ` ${t('rec.eta', { eta: duration(r.eta_s) })}` : '', ' '))));
      }
      el.append(h('button', { type: 'button', class: 'link', id: 'call-open-created', onclick: () => this.app.openIncident(inc.id) }, t('call.open_created')));
    }
  }
}
