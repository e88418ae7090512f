// Incident detail: the facts, triage, likely duplicates, recommendations with ETA and reasons,
// one-click dispatch, status actions, the cameras whose view covers the place (with "play"),
// caller details (role-gated, every read logged by the server), EIDO/CAP export and the timeline.
import { ApiError, ContainmentPlan, CoveringCamera, Incident, Recommendation, Unit, download, get, post } from '../api';
import { App, can } from '../app';
import { append, clear, h } from '../dom';
import { t } from '../i18n';
import { state } from '../state';
import { categoryLabel, timer } from '../taxonomy';
import { clock, dateTime, duration } from '../time';
import { kindLabel } from '../player';
import { metresLabel, sharingLabel } from './cameras';

interface CallerRecord {
  incident_id?: number;
  name: string;
  phone: string;
  recorded_at?: string;
}

function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = 6371008.8, k = Math.PI / 180;
  const dlat = (b.lat - a.lat) * k, dlon = (b.lon - a.lon) * k;
  const s = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * k) * Math.cos(b.lat * k) * Math.sin(dlon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(Math.min(1, s)));
}

export class DetailView {
  el = h('aside', { class: 'detail', id: 'detail' });
  id: number | null = null;
  private recs: Recommendation[] | null = null;
  private recsByDistance = false;
  private callers: CallerRecord[] | null = null;
  private cameras: CoveringCamera[] | null = null; // covering the incident, best view first
  private camerasAt = ''; // the location they were read for ("lat,lon")
  private camerasError: string | null = null;
  private message: { text: string; kind: 'error' | 'ok' | 'info' } | null = null;
  private disposition = '';
  // The containment plan (封控圈) computed for this incident, drawn on the map while shown.
  private containment: ContainmentPlan | null = null;
  private containmentError: string | null = null;
  private containmentBusy = false;
  private escapeMin = 10;
  private ticker: number;

  constructor(private app: App) {
    this.ticker = window.setInterval(() => this.tickTimer(), 1000);
    state.on((c) => {
      if (this.id === null) return;
      if (c.kind === 'reset' || ((c.kind === 'incident' || c.kind === 'assignment') && c.id === this.id)) {
        void this.loadRecommendations();
        void this.loadCameras(false);
        this.render();
      } else if (c.kind === 'unit') {
        this.render();
      }
    });
  }

  destroy(): void {
    clearInterval(this.ticker);
  }

  async open(id: number | null): Promise<void> {
    this.id = id;
    this.recs = null;
    this.callers = null;
    this.cameras = null;
    this.camerasAt = '';
    this.camerasError = null;
    this.message = null;
    this.disposition = '';
    this.clearContainment(false);
    this.el.classList.toggle('open', id !== null);
    this.app.map?.select(id);
    this.app.map?.setCamerasCovering(null);
    if (id === null) return this.render();
    this.render();
    try {
      const inc = await get<Incident>(`/api/v1/incidents/${id}`);
      if (this.id !== id) return;
      state.upsertIncident(inc);
      this.app.map?.flyTo(inc.lat, inc.lon, 15);
    } catch (e) {
      this.message = { text: e instanceof Error ? e.message : String(e), kind: 'error' };
    }
    await Promise.all([this.loadRecommendations(), this.loadCameras(true)]);
    this.render();
  }

  // The cameras that can see the incident's place; read again only when the place moved.
  private async loadCameras(force: boolean): Promise<void> {
    const id = this.id;
    const inc = id !== null ? state.incidents.get(id) : undefined;
    if (!this.app.features.cameras || !inc || id === null) return;
    const at = `${inc.lat},${inc.lon}`;
    if (!force && at === this.camerasAt) return;
    this.camerasAt = at;
    try {
      const r = await get<{ items: CoveringCamera[] }>(`/api/v1/incidents/${id}/cameras`);
      if (this.id !== id) return;
      this.cameras = r.items;
      this.camerasError = null;
    } catch (e) {
      if (this.id !== id) return;
      this.cameras = [];
      this.camerasError = e instanceof ApiError ? e.problem.detail : String(e);
    }
    this.app.map?.setCamerasCovering(this.cameras);
    if (!force) this.render();
  }

  private async loadRecommendations(): Promise<void> {
    const id = this.id;
    const inc = id !== null ? state.incidents.get(id) : undefined;
    if (!inc || id === null || !['received', 'dispatched', 'on_scene'].includes(inc.status)) {
      this.recs = null;
      return;
    }
    if (this.app.features.recommendations !== false) {
      try {
        const r = await get<{ items: Recommendation[] }>(`/api/v1/incidents/${id}/recommendations`);
        this.app.features.recommendations = true;
        if (this.id === id) {
          this.recs = r.items;
          this.recsByDistance = false;
        }
        return;
      } catch (e) {
        if (e instanceof ApiError && e.problem.status === 404 && e.problem.code === 'not_found' && /route/.test(e.problem.detail)) {
          this.app.features.recommendations = false;
        } else {
          this.recs = [];
          return;
        }
      }
    }
    // This server ranks no units: the available ones by straight-line distance, said as such.
    const avail = [...state.units.values()].filter((u) => u.status === 'available' && u.position);
    this.recs = avail
      .map((u) => ({ unit_id: u.id, callsign: u.callsign, eta_s: null, distance_m: metres(inc, u.position!) }))
      .sort((a, b) => a.distance_m - b.distance_m)
      .slice(0, 5);
    this.recsByDistance = true;
  }

  async dispatch(unitId: number): Promise<void> {
    if (this.id === null) return;
    try {
      await post(`/api/v1/incidents/${this.id}/dispatch`, { unit_id: unitId });
      const u = state.units.get(unitId);
      this.message = { text: t('detail.dispatched', { unit: u?.callsign ?? String(unitId) }), kind: 'ok' };
      const inc = await get<Incident>(`/api/v1/incidents/${this.id}`);
      state.upsertIncident(inc);
    } catch (e) {
      this.message = { text: e instanceof Error ? e.message : String(e), kind: 'error' };
    }
    this.render();
  }

  dispatchTop(): void {
    const top = this.recs?.[0];
    if (top) void this.dispatch(top.unit_id);
  }

  private async setStatus(status: string): Promise<void> {
    if (this.id === null) return;
    const body: Record<string, unknown> = { status };
    if (status === 'closed' && this.disposition) body.disposition = this.disposition;
    try {
      const inc = await post<Incident>(`/api/v1/incidents/${this.id}/status`, body);
      state.upsertIncident(inc);
      this.message = { text: t('detail.status_done', { status: t(`incident.${inc.status}`) }), kind: 'ok' };
    } catch (e) {
      this.message = { text: e instanceof Error ? e.message : String(e), kind: 'error' };
    }
    this.render();
  }

  private async planContainment(): Promise<void> {
    const id = this.id;
    if (id === null) return;
    this.containmentBusy = true;
    this.containmentError = null;
    this.render();
    try {
      const plan = await post<ContainmentPlan>(`/api/v1/incidents/${id}/containment`, { escape_min: this.escapeMin });
      if (this.id !== id) return;
      this.containment = plan;
      void this.app.map?.setContainment(plan.checkpoints.map((c) => {
        const u = c.unit_id !== null ? state.units.get(c.unit_id) : undefined;
        return {
          lat: c.lat, lon: c.lon, staffed: c.unit_id !== null,
          label: c.unit_id !== null ? `${c.callsign ?? `#${c.unit_id}`} ${duration(c.eta_s ?? 0)}` : t('containment.map_unstaffed'),
          from: u?.position ? { lat: u.position.lat, lon: u.position.lon } : null,
        };
      }));
    } catch (e) {
      if (this.id !== id) return;
      this.containment = null;
      void this.app.map?.setContainment(null);
      this.containmentError = e instanceof ApiError ? e.problem.detail : String(e);
    } finally {
      if (this.id === id) this.containmentBusy = false;
    }
    this.render();
  }

  private clearContainment(rerender = true): void {
    this.containment = null;
    this.containmentError = null;
    this.containmentBusy = false;
    void this.app.map?.setContainment(null);
    if (rerender) this.render();
  }

  private containmentSection(): HTMLElement {
    const plan = this.containment;
    const box = h('div', { class: 'detail-containment', id: 'detail-containment' },
      h('h3', {}, t('containment.title')),
      h('div', { class: 'actions' },
        h('label', {}, t('containment.escape_min'), ' ',
          h('input', {
            id: 'containment-escape', type: 'number', min: '1', max: '60', step: '1', value: String(this.escapeMin), style: 'width:4.5em',
            oninput: (e: Event) => (this.escapeMin = Number((e.target as HTMLInputElement).value)),
          })),
        h('button', { id: 'containment-run', class: 'primary', disabled: this.containmentBusy, onclick: () => this.planContainment() },
          this.containmentBusy ? t('detail.loading') : t('containment.run')),
        plan || this.containmentError ? h('button', { id: 'containment-clear', onclick: () => this.clearContainment() }, t('containment.clear')) : null));
    if (this.containmentError) append(box, h('p', { class: 'msg error', id: 'containment-error' }, this.containmentError));
    if (plan) {
      append(box,
        h('p', { class: 'msg info', id: 'containment-summary' },
          t('containment.summary', { n: plan.checkpoints.length, m: plan.staffed, min: Math.round(plan.escape_s / 60) })),
        h('ol', { class: 'recs', id: 'containment-list' }, ...plan.checkpoints.map((c, i) => {
          const staffed = c.unit_id !== null;
          return h('li', { class: `rec checkpoint ${staffed ? 'staffed' : 'unstaffed'}`, 'data-index': i },
            h('div', {},
              h('strong', {}, c.street || t('containment.unnamed', { cls: c.road_class })), ' ',
              h('span', { class: 'dist' }, t('containment.escape_at', { min: (c.escape_s / 60).toFixed(1) }))),
            h('small', { class: 'reasons' }, staffed
              ? t('containment.staffed', { unit: c.callsign ?? `#${c.unit_id}`, eta: duration(c.eta_s ?? 0), margin: duration(c.margin_s ?? 0) })
              : c.best_eta_s !== undefined
                ? t('containment.unstaffed_best', { eta: duration(c.best_eta_s) })
                : t('containment.unstaffed')));
        })));
    }
    return box;
  }

  private async showCaller(): Promise<void> {
    if (this.id === null) return;
    try {
      // This incident's caller and those of calls merged into it; the server logs the read.
      this.callers = (await get<{ items: CallerRecord[] }>(`/api/v1/incidents/${this.id}/caller`)).items;
    } catch (e) {
      this.message = { text: e instanceof Error ? e.message : String(e), kind: 'error' };
    }
    this.render();
  }

  private async exportAs(kind: 'eido' | 'cap', number: string): Promise<void> {
    if (this.id === null) return;
    try {
      await download(`/api/v1/incidents/${this.id}/${kind}`, `${number}.${kind === 'eido' ? 'eido.json' : 'cap.xml'}`);
    } catch (e) {
      const p = e instanceof ApiError ? e.problem : null;
      this.message = { text: p?.status === 404 ? t('detail.export_missing') : String(e), kind: 'error' };
      this.render();
    }
  }

  private tickTimer(): void {
    const el = this.el.querySelector<HTMLElement>('#detail-timer');
    const inc = this.id !== null ? state.incidents.get(this.id) : undefined;
    if (!el || !inc) return;
    const tm = timer(inc, Date.now());
    el.textContent = tm ? duration(tm.seconds) : '';
    el.className = `timer ${tm?.level ?? ''}`;
  }

  private timeline(inc: Incident): HTMLElement {
    type Row = { at: string; text: string };
    const rows: Row[] = [{ at: inc.received_at, text: t('timeline.received', { who: inc.created_by }) }];
    for (const a of inc.assignments ?? []) {
      const u = state.units.get(a.unit_id)?.callsign ?? `#${a.unit_id}`;
      rows.push({ at: a.dispatched_at, text: t('timeline.dispatched', { unit: u, who: a.dispatched_by }) });
      if (a.en_route_at) rows.push({ at: a.en_route_at, text: t('timeline.en_route', { unit: u }) });
      if (a.on_scene_at) rows.push({ at: a.on_scene_at, text: t('timeline.on_scene', { unit: u }) });
      if (a.cleared_at) rows.push({ at: a.cleared_at, text: t('timeline.unit_cleared', { unit: u }) });
    }
    if (inc.cleared_at) rows.push({ at: inc.cleared_at, text: t('timeline.cleared') });
    if (inc.closed_at) rows.push({ at: inc.closed_at, text: t(`timeline.closed_${inc.status}`) + (inc.disposition ? ` — ${inc.disposition}` : '') });
    rows.sort((a, b) => a.at.localeCompare(b.at));
    return h('ol', { class: 'timeline', id: 'detail-timeline' }, ...rows.map((r) => h('li', {}, h('time', {}, clock(r.at)), ' ', r.text)));
  }

  private camerasSection(inc: Incident): HTMLElement {
    const list = this.cameras;
    const box = h('div', { class: 'detail-cameras', id: 'detail-cameras' },
      h('h3', {}, t('detail.cameras'), ' ', h('small', {}, t('detail.cameras_note'))));
    if (this.camerasError) append(box, h('p', { class: 'msg error' }, this.camerasError));
    if (list === null) append(box, h('p', { class: 'empty' }, t('detail.loading')));
    else if (list.length === 0 && !this.camerasError) append(box, h('p', { class: 'empty', id: 'detail-cameras-none' }, t('detail.no_cameras')));
    else if (list.length > 0) {
      append(box, h('ol', { class: 'recs cams' }, ...list.map((c) =>
        h('li', { class: 'rec cam', 'data-camera': c.id, onmouseenter: () => this.app.map?.selectCamera(c.id), onmouseleave: () => this.app.map?.selectCamera(null) },
          h('div', {},
            h('strong', {}, c.id), ' ',
            h('span', { class: 'dist' }, metresLabel(c.distance_m)), ' ',
            h('span', { class: 'dist' }, kindLabel(c.stream_kind))),
          h('small', { class: 'reasons' },
            c.fov_deg >= 360 ? t('camera.dome') : t('camera.off_axis', { deg: Math.round(Math.abs(c.off_axis_deg)) }), ' · ', sharingLabel(c)),
          h('button', { class: 'play', onclick: () => this.app.playCamera(c, inc.id) }, `▶ ${t('cameras.play')}`)))));
    }
    return box;
  }

  render(): void {
    clear(this.el);
    if (this.id === null) return;
    const inc = state.incidents.get(this.id);
    if (!inc) {
      append(this.el, h('p', {}, t('detail.loading')));
      return;
    }
    const role = this.app.me.role;
    const open = ['received', 'dispatched', 'on_scene'].includes(inc.status);
    const assigned = (inc.assignments ?? []).filter((a) => !a.cleared_at);
    const tm = timer(inc, Date.now());
    const kv = (k: string, v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? null : h('div', { class: 'kv' }, h('dt', {}, t(k)), h('dd', {}, String(v))));

    append(this.el, 
      h('header', {},
        h('h2', {}, inc.number, ' ', h('span', { class: `status s-${inc.status}`, id: 'detail-status' }, t(`incident.${inc.status}`))),
        h('span', { id: 'detail-timer', class: `timer ${tm?.level ?? ''}` }, tm ? duration(tm.seconds) : ''),
        h('button', { class: 'close', title: 'Esc', onclick: () => this.app.openIncident(null) }, '×')),
      this.message ? h('div', { class: `msg ${this.message.kind}`, id: 'detail-message' }, this.message.text) : null,
      h('dl', { class: 'facts' },
        kv('detail.category', `${categoryLabel(inc.category)} · P${inc.priority}`),
        kv('detail.address', inc.address),
        kv('detail.description', inc.description),
        kv('detail.received', dateTime(inc.received_at)),
        kv('detail.jurisdiction', inc.jurisdiction),
        kv('detail.patrol_area', inc.patrol_area),
        kv('detail.location_kind', inc.location_kind ? t(`kind.${inc.location_kind}`) : ''),
        kv('detail.disposition', inc.disposition)),
      inc.triage?.suggested
        ? h('p', { class: 'triage' }, t('detail.triage', { category: categoryLabel(inc.triage.suggested.category), priority: inc.triage.suggested.priority }),
            inc.triage.accepted === false ? ` (${t('detail.triage_overridden')})` : '')
        : null,
      inc.likely_duplicates?.length
        ? h('div', { class: 'banner warn', id: 'detail-duplicates' }, t('dup.after'), ' ',
            ...inc.likely_duplicates.map((d) => h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); this.app.openIncident(d); } }, state.incidents.get(d)?.number ?? `#${d}`, ' ')),
            can.dispatch(role) && this.app.features.merge
              ? h('button', { onclick: async () => { try { await post(`/api/v1/incidents/${inc.id}/merge`, { into: inc.likely_duplicates![0] }); } catch (e) { this.message = { text: String(e), kind: 'error' }; this.render(); } } }, t('detail.merge'))
              : null)
        : null,
      inc.handoff ? h('p', { class: 'handoff' }, t('detail.handoff', { status: inc.handoff.status, attempts: inc.handoff.attempts })) : null,
    );

    if (assigned.length > 0 || (inc.assignments ?? []).length > 0) {
      append(this.el, h('h3', {}, t('detail.units')), h('ul', { class: 'assigned', id: 'detail-assigned' },
        ...(inc.assignments ?? []).map((a) => {
          const u: Unit | undefined = state.units.get(a.unit_id);
          return h('li', { 'data-unit': a.unit_id }, h('strong', {}, u?.callsign ?? `#${a.unit_id}`), ' ',
            h('span', { class: `ustatus u-${a.cleared_at ? 'cleared' : u?.status}` }, a.cleared_at ? t('detail.unit_cleared') : t(`unit.${u?.status ?? 'dispatched'}`)));
        })));
    }

    if (open && can.dispatch(role)) {
      append(this.el, h('h3', {}, t('detail.recommendations'), this.recsByDistance ? h('small', {}, ' ', t('detail.by_distance')) : null));
      const recs = this.recs;
      if (recs === null) append(this.el, h('p', { class: 'empty' }, t('detail.loading')));
      else if (recs.length === 0) append(this.el, h('p', { class: 'empty' }, t('detail.no_units')));
      else {
        append(this.el, h('ol', { class: 'recs', id: 'detail-recs' }, ...recs.map((r, idx) => {
          const reasons = r.reasons ?? {};
          const bits: string[] = [];
          if (reasons.capability_match === true) bits.push(t('rec.capability'));
          if (reasons.jurisdiction_match === true) bits.push(t('rec.jurisdiction'));
          if (typeof reasons.coverage_lost_share === 'number') bits.push(t('rec.coverage', { pct: Math.round((reasons.coverage_lost_share as number) * 100) }));
          if (typeof reasons.status === 'string') bits.push(t(`unit.${reasons.status}`));
          return h('li', { class: 'rec', 'data-unit': r.unit_id },
            h('div', {},
              h('strong', {}, r.callsign), ' ',
              r.eta_s !== null && r.eta_s !== undefined ? h('span', { class: 'eta' }, t('rec.eta', { eta: duration(r.eta_s) })) : null, ' ',
              r.distance_m !== null && r.distance_m !== undefined ? h('span', { class: 'dist' }, `${(r.distance_m / 1000).toFixed(1)} km`) : null),
            bits.length ? h('small', { class: 'reasons' }, bits.join(' · ')) : null,
            h('button', { class: 'primary dispatch', onclick: () => this.dispatch(r.unit_id) }, t('detail.dispatch'), idx === 0 ? h('kbd', {}, 'Alt+D') : null));
        })));
      }
    }

    if (open && can.dispatch(role)) append(this.el, this.containmentSection());

    if (can.dispatch(role)) {
      const actions = h('div', { class: 'actions', id: 'detail-actions' });
      if (inc.status === 'dispatched' || inc.status === 'on_scene') actions.append(h('button', { id: 'detail-clear', onclick: () => this.setStatus('cleared') }, t('detail.clear')));
      if (inc.status === 'cleared') {
        actions.append(
          h('input', { id: 'detail-disposition', type: 'text', placeholder: t('detail.disposition_placeholder'), value: this.disposition, oninput: (e: Event) => (this.disposition = (e.target as HTMLInputElement).value) }),
          h('button', { id: 'detail-close', class: 'primary', onclick: () => this.setStatus('closed') }, t('detail.close')));
      }
      if (inc.status === 'received' || inc.status === 'dispatched') actions.append(h('button', { id: 'detail-cancel', onclick: () => this.setStatus('cancelled') }, t('detail.cancel')));
      if (actions.childNodes.length) append(this.el, actions);
    }

    if (this.app.features.cameras) append(this.el, this.camerasSection(inc));

    if (can.caller(role) && inc.has_caller) {
      append(this.el, h('div', { class: 'caller-box', id: 'detail-caller' },
        this.callers
          ? h('ul', { class: 'callers' }, ...(this.callers.length ? this.callers : []).map((c) =>
              h('li', {}, h('strong', {}, t('call.caller')), ' ', [c.name, c.phone].filter(Boolean).join(' · '),
                c.incident_id && c.incident_id !== inc.id ? h('small', {}, ' ', state.incidents.get(c.incident_id)?.number ?? `#${c.incident_id}`) : null)),
            this.callers.length ? null : h('li', { class: 'empty' }, t('detail.no_caller')))
          : h('button', { onclick: () => this.showCaller() }, t('detail.show_caller'), h('small', {}, ' ', t('detail.caller_logged')))));
    }

    append(this.el, 
      h('div', { class: 'exports' },
        h('button', { class: 'link', id: 'export-eido', onclick: () => this.exportAs('eido', inc.number) }, 'EIDO'),
        h('button', { class: 'link', id: 'export-cap', onclick: () => this.exportAs('cap', inc.number) }, 'CAP 1.2')),
      h('h3', {}, t('detail.timeline')),
      this.timeline(inc));
  }
}
