// Patrol (issue 9, 必巡区域/点位): every shift on duty with its duties (points owed in each
// window), overdue and about-to-be-missed points at the top, the required points on the map
// coloured by their live state while this tab is open, a suggested tour drawn on the map, the
// shift report, a visit recorded by hand with its reason, and assigning a unit to an area.
// Reads GET /api/v1/patrol/status every 10 s and after patrol and alert events.
import { ApiError, PatrolAlert, PatrolDuty, PatrolPlan, PatrolReport, PatrolStatus, PatrolTour, get, post } from '../api';
import { App, can } from '../app';
import { append, clear, detailsOpen, h } from '../dom';
import { t } from '../i18n';
import type { ConsoleMap, PatrolPointMark, PatrolPointState, PatrolTourMark } from '../map';
import { state } from '../state';
import { clock, clockNear, duration } from '../time';
import { metresLabel } from './cameras';

const REFRESH_MS = 10_000;
const EVENT_DEBOUNCE_MS = 400;
// Duties whose window opens later than this are counted, not listed: a shift of 8 hours with
// windows every two hours would otherwise bury the ones that matter now.
const UPCOMING_MS = 2 * 3600_000;

// 09:30 in the centre's time zone.
export function hm(iso: string): string {
  return clock(iso).slice(0, 5);
}

// A window as the desk shows it: "08:00–09:30".
export function windowLabel(d: Pick<PatrolDuty, 'from' | 'to'>): string {
  return `${hm(d.from)}–${hm(d.to)}`;
}

// The live state of each required point over the shifts on duty: overdue or about to be missed
// (from the alerts), else owed now (a pending duty whose window is open), else met (a duty of
// an open window met), else nothing owed now.
export function pointStates(s: PatrolStatus): Map<string, PatrolPointState> {
  const out = new Map<string, PatrolPointState>();
  const rank: Record<PatrolPointState, number> = { overdue: 4, about_to_miss: 3, pending: 2, met: 1, idle: 0 };
  const raise = (id: string, st: PatrolPointState) => {
    const old = out.get(id);
    if (!old || rank[st] > rank[old]) out.set(id, st);
  };
  const now = new Date(s.now).getTime();
  const onDuty = new Set(s.shifts.map((r) => r.shift_id));
  for (const a of s.alerts) if (onDuty.has(a.shift_id)) raise(a.point_id, a.kind);
  for (const r of s.shifts) {
    for (const d of r.duties) {
      const open = new Date(d.from).getTime() <= now && now < new Date(d.to).getTime();
      if (open && d.state === 'pending') raise(d.point_id, 'pending');
      if (open && d.state === 'met') raise(d.point_id, 'met');
    }
  }
  return out;
}

// The tour's stops as drawn: one mark per point, numbered with its places in the tour ("1,6"
// when a point is owed in two windows) and labelled with the arrival times, late ones marked.
export function tourMarks(tour: PatrolTour): PatrolTourMark['stops'] {
  const byPoint = new Map<string, { lat: number; lon: number; n: number[]; times: string[]; late: boolean }>();
  tour.stops.forEach((s, i) => {
    const m = byPoint.get(s.point_id) ?? { lat: s.lat, lon: s.lon, n: [], times: [], late: false };
    m.n.push(i + 1);
    m.times.push(s.late ? `${hm(s.arrive)} ${t('patrol.late')}` : hm(s.arrive));
    m.late ||= s.late;
    byPoint.set(s.point_id, m);
  });
  return [...byPoint.values()].map((m) => ({ lat: m.lat, lon: m.lon, n: m.n.join(','), label: m.times.join(' · '), late: m.late }));
}

type Loaded<T> = { value: T } | { error: string } | { busy: true };

export class PatrolView {
  el = h('section', { class: 'view patrol', 'data-view': 'patrol' });
  private plan: PatrolPlan | null;
  private status: PatrolStatus | null = null;
  private message: string | null = null;
  private seen = ''; // the last status and its units' statuses, to redraw only on a change
  private active = false;
  private timer: number | undefined;
  private eventTimer: number | undefined;
  private seq = 0;
  private tours = new Map<string, Loaded<PatrolTour>>(); // by shift id
  private tourShown: string | null = null; // the shift whose tour is on the map
  private tourMark: PatrolTourMark | null = null; // as drawn, to draw again when the tab is back
  private reports = new Map<string, Loaded<PatrolReport>>();
  // The duty a visit is being recorded for (shift, point, window start) and what the server said.
  private visitFor: { shift: string; point: string; from: string } | null = null;
  private visitError: string | null = null;
  private visitBusy = false;
  private assignError: string | null = null;
  private assignOpen = false;

  // plan: GET /api/v1/patrol/plan read at login; null when the server has none (503).
  constructor(private app: App, plan: PatrolPlan | null) {
    this.plan = plan;
    this.render();
  }

  get available(): boolean {
    return this.plan !== null;
  }

  // The map exists (it is made while the snapshot loads): draw on it if the tab is open.
  attach(_map: ConsoleMap): void {
    this.drawPoints();
    if (this.active && this.tourMark) void this.app.map?.setPatrolTour(this.tourMark);
  }

  // The tab is shown: read now and every REFRESH_MS, points (and a tour) on the map.
  enter(): void {
    if (this.active) return;
    this.active = true;
    if (!this.plan) return; // said once in the panel; nothing is asked of the server
    this.drawPoints();
    if (this.tourMark) void this.app.map?.setPatrolTour(this.tourMark);
    void this.load();
    this.timer = window.setInterval(() => void this.load(), REFRESH_MS);
  }

  // The tab is left: stop reading, take the points and the tour off the map.
  leave(): void {
    this.active = false;
    clearInterval(this.timer);
    void this.app.map?.setPatrolPoints(null);
    void this.app.map?.setPatrolTour(null);
  }

  // A patrol event (a visit recorded, a shift assigned) or an alert: read again soon.
  changed(): void {
    if (!this.active || !this.plan) return;
    clearTimeout(this.eventTimer);
    this.eventTimer = window.setTimeout(() => void this.load(), EVENT_DEBOUNCE_MS);
  }

  async load(): Promise<void> {
    if (!this.plan) return;
    const seq = ++this.seq;
    let changed = true;
    try {
      const s = await get<PatrolStatus>('/api/v1/patrol/status');
      if (seq !== this.seq) return;
      // The same answer as before (and no unit changed status): the panel and the map stay as
      // they are, no redraw under the pointer every 10 s.
      const seen = JSON.stringify([s, s.shifts.map((r) => state.units.get(r.unit_id)?.status)]);
      changed = this.message !== null || seen !== this.seen;
      this.seen = seen;
      this.status = s;
      this.message = null;
    } catch (e) {
      if (seq !== this.seq) return;
      this.message = e instanceof ApiError ? e.problem.detail : String(e);
    }
    // A shown report and tour follow the live numbers.
    for (const [id, r] of this.reports) if ('value' in r) void this.loadReport(id, false);
    if (this.tourShown && this.status?.shifts.some((r) => r.shift_id === this.tourShown)) void this.loadTour(this.tourShown, false);
    if (!changed) return;
    this.drawPoints();
    this.renderUnlessTyping();
  }

  private drawPoints(): void {
    if (!this.active || !this.plan || !this.app.map) return;
    const states = this.status ? pointStates(this.status) : new Map<string, PatrolPointState>();
    const marks: PatrolPointMark[] = this.plan.points.map((p) => ({ id: p.id, name: p.name, lat: p.lat, lon: p.lon, state: states.get(p.id) ?? 'idle' }));
    void this.app.map.setPatrolPoints(marks);
  }

  // Re-rendering takes the caret out of a field being typed in: wait for the next refresh.
  private renderUnlessTyping(): void {
    const a = document.activeElement;
    if (a && this.el.contains(a) && ['INPUT', 'SELECT', 'TEXTAREA'].includes(a.tagName)) return;
    this.render();
  }

  private async toggleTour(shiftId: string): Promise<void> {
    if (this.tourShown === shiftId) {
      this.tourShown = null;
      this.tours.delete(shiftId);
      this.tourMark = null;
      void this.app.map?.setPatrolTour(null);
      this.render();
      return;
    }
    this.tourShown = shiftId;
    this.tours.clear();
    this.tours.set(shiftId, { busy: true });
    this.render();
    await this.loadTour(shiftId, true);
  }

  // Asks for the shift's tour from where its unit is now and draws it (fit: into view).
  private async loadTour(shiftId: string, fit: boolean): Promise<void> {
    let tour: PatrolTour | null = null;
    let problem: string | null = null;
    try {
      tour = await get<PatrolTour>(`/api/v1/patrol/shifts/${encodeURIComponent(shiftId)}/tour`);
    } catch (e) {
      problem = e instanceof ApiError ? e.problem.detail : String(e);
    }
    if (this.tourShown !== shiftId) return; // hidden, or another asked for, meanwhile
    const next: Loaded<PatrolTour> = tour ? { value: tour } : { error: problem ?? '' };
    if (!fit && JSON.stringify(next) === JSON.stringify(this.tours.get(shiftId))) return; // unchanged
    this.tours.set(shiftId, next);
    this.tourMark = tour ? {
      // The road path when the server gives one, else straight from the unit through the stops.
      path: tour.path && tour.path.length >= 2 ? tour.path : [[tour.from.lon, tour.from.lat], ...tour.stops.map((s) => [s.lon, s.lat] as [number, number])],
      stops: tourMarks(tour),
    } : null;
    if (this.active) void this.app.map?.setPatrolTour(this.tourMark, fit);
    this.renderUnlessTyping();
  }

  private async loadReport(shiftId: string, toggle: boolean): Promise<void> {
    if (toggle && this.reports.has(shiftId)) {
      this.reports.delete(shiftId);
      this.render();
      return;
    }
    if (toggle) {
      this.reports.set(shiftId, { busy: true });
      this.render();
    }
    let next: Loaded<PatrolReport>;
    try {
      next = { value: await get<PatrolReport>(`/api/v1/patrol/shifts/${encodeURIComponent(shiftId)}/report`) };
    } catch (e) {
      next = { error: e instanceof ApiError ? e.problem.detail : String(e) };
    }
    if (!this.reports.has(shiftId) || JSON.stringify(next) === JSON.stringify(this.reports.get(shiftId))) return;
    this.reports.set(shiftId, next);
    this.renderUnlessTyping();
  }

  // POST /api/v1/patrol/visits with the reason as typed: the server decides what is missing.
  private async recordVisit(r: PatrolReport, d: PatrolDuty, reason: string, at: string): Promise<void> {
    const body: Record<string, unknown> = { unit_id: r.unit_id, point_id: d.point_id, reason };
    if (at.trim()) {
      const iso = clockNear(d.from, at);
      if (!iso) {
        this.visitError = t('patrol.visit_bad_time');
        this.render();
        return;
      }
      body.at = iso;
    }
    this.visitBusy = true;
    this.render();
    try {
      await post('/api/v1/patrol/visits', body);
      this.visitFor = null;
      this.visitError = null;
      this.app.toast(t('patrol.visit_recorded', { point: d.point_name }), 'ok');
    } catch (e) {
      this.visitError = e instanceof ApiError ? e.problem.detail : String(e);
    } finally {
      this.visitBusy = false;
    }
    this.render();
    await this.load();
  }

  private async assign(form: HTMLFormElement): Promise<void> {
    const f = new FormData(form);
    const hours = Number(f.get('hours'));
    const start = this.status?.now ?? new Date().toISOString(); // the server's clock
    const end = new Date(new Date(start).getTime() + hours * 3600_000).toISOString();
    try {
      await post('/api/v1/patrol/shifts', { unit_id: Number(f.get('unit')), area_id: String(f.get('area')), start, end });
      this.assignError = null;
      this.app.toast(t('patrol.assigned'), 'ok');
    } catch (e) {
      this.assignError = e instanceof ApiError ? e.problem.detail : String(e);
    }
    this.render();
    await this.load();
  }

  private areaName(id: string): string {
    return this.plan?.areas.find((a) => a.id === id)?.name ?? id;
  }

  render(): void {
    this.assignOpen = detailsOpen(this.el, 'details.patrol-assign', this.assignOpen);
    clear(this.el);
    const s = this.status;
    append(this.el,
      h('h2', {}, t('patrol.title'), ' ',
        h('span', { class: 'count', id: 'patrol-count', title: t('patrol.on_duty') }, s ? String(s.shifts.length) : this.plan ? '…' : '0'), ' ',
        this.plan ? h('button', { class: 'small', id: 'patrol-refresh', onclick: () => void this.load() }, t('patrol.refresh')) : null),
      !this.plan ? h('p', { class: 'empty', id: 'patrol-unavailable' }, t('patrol.unavailable')) : null,
      this.message ? h('p', { class: 'msg error', id: 'patrol-message' }, this.message) : null);
    if (!this.plan) return;
    if (!s) {
      append(this.el, h('p', { class: 'empty' }, t('patrol.loading')));
      return;
    }
    append(this.el,
      h('p', { class: 'note' }, t('patrol.as_of', { time: clock(s.now), points: this.plan.points.length, areas: this.plan.areas.length })),
      this.alertList(s.alerts),
      h('div', { class: 'legend' }, ...(['met', 'pending', 'about_to_miss', 'overdue', 'idle'] as const).map((k) =>
        h('span', { class: 'chip' }, h('i', { class: `pp-${k}` }), t(`patrol.point_state.${k}`)))),
      s.shifts.length === 0 ? h('p', { class: 'empty', id: 'patrol-none' }, t('patrol.none')) : null,
      ...s.shifts.map((r) => this.shiftCard(r, s)),
      can.dispatch(this.app.me.role) ? this.assignForm() : null);
  }

  // Overdue (red) then about to be missed (amber, minutes left), as the server orders them.
  private alertList(alerts: PatrolAlert[]): HTMLElement {
    if (alerts.length === 0) return h('p', { class: 'msg ok', id: 'patrol-alerts-none' }, t('patrol.no_alerts'));
    return h('ul', { class: 'patrol-alerts', id: 'patrol-alerts' }, ...alerts.map((a) => {
      const callsign = state.units.get(a.unit_id)?.callsign ?? `#${a.unit_id}`;
      return h('li', { class: a.kind, 'data-point': a.point_id, 'data-shift': a.shift_id },
        h('strong', { class: 'what' }, t(`patrol.alert.${a.kind}`)), ' ',
        h('span', { class: 'point' }, a.point_name), ' · ', callsign, ' · ',
        h('span', { class: 'when' }, a.kind === 'overdue'
          ? t('patrol.window_ended', { time: hm(a.to) })
          : t('patrol.minutes_left', { n: a.minutes_left, time: hm(a.to) })), ' · ',
        h('span', { class: 'visits' }, `${a.visits}/${a.required}`));
    }));
  }

  private shiftCard(r: PatrolReport, s: PatrolStatus): HTMLElement {
    const unit = state.units.get(r.unit_id);
    const now = new Date(s.now).getTime();
    // Soonest closing first; those opening much later are only counted.
    const listed = r.duties.filter((d) => new Date(d.from).getTime() <= now + UPCOMING_MS)
      .sort((a, b) => a.to.localeCompare(b.to) || a.from.localeCompare(b.from));
    const later = r.duties.length - listed.length;
    const tour = this.tours.get(r.shift_id);
    const report = this.reports.get(r.shift_id);
    const mayRecord = can.dispatch(this.app.me.role);
    const card = h('div', { class: 'patrol-shift', 'data-shift': r.shift_id, 'data-unit': r.unit_id },
      h('header', {},
        h('strong', { class: 'callsign' }, unit?.callsign ?? `#${r.unit_id}`), ' ',
        unit ? h('span', { class: `ustatus u-${unit.status}` }, t(`unit.${unit.status}`)) : null, ' ',
        h('span', { class: 'area' }, this.areaName(r.area_id))),
      h('div', { class: 'counts' },
        h('span', { class: 'c-met' }, t('patrol.n_met', { n: r.met })),
        h('span', { class: 'c-missed' }, t('patrol.n_missed', { n: r.missed })),
        h('span', { class: 'c-pending' }, t('patrol.n_pending', { n: r.pending }))),
      h('div', { class: 'actions' },
        h('button', { class: `small tour${this.tourShown === r.shift_id ? ' on' : ''}`, onclick: () => void this.toggleTour(r.shift_id) },
          this.tourShown === r.shift_id ? t('patrol.tour_hide') : t('patrol.tour')),
        h('button', { class: `small report${report ? ' on' : ''}`, onclick: () => void this.loadReport(r.shift_id, true) },
          report ? t('patrol.report_hide') : t('patrol.report'))));
    if (tour) append(card, this.tourBox(tour));
    if (report) append(card, this.reportBox(report));
    append(card, h('table', { class: 'grid duties' },
      h('thead', {}, h('tr', {}, ...['patrol.point', 'patrol.window', 'patrol.visits', 'patrol.state', ''].map((k) => h('th', {}, k ? t(k) : '')))),
      h('tbody', {}, ...listed.flatMap((d) => {
        const open = this.visitFor && this.visitFor.shift === r.shift_id && this.visitFor.point === d.point_id && this.visitFor.from === d.from;
        const row = h('tr', { class: `duty d-${d.state}`, 'data-point': d.point_id, 'data-from': d.from },
          h('td', { class: 'name' }, d.point_name),
          h('td', { class: 'n' }, windowLabel(d)),
          h('td', { class: 'n visits' }, `${d.visits}/${d.required}`, d.manual_visits > 0 ? h('small', { title: t('patrol.manual_hint') }, ` (${t('patrol.manual_n', { n: d.manual_visits })})`) : null),
          h('td', {}, h('span', { class: `dstate ds-${d.state}` }, t(`patrol.duty.${d.state}`))),
          h('td', { class: 'buttons' }, mayRecord && d.state !== 'met' && new Date(d.from).getTime() <= now
            ? h('button', { class: 'small manual', title: t('patrol.manual_hint'), onclick: () => {
              this.visitFor = open ? null : { shift: r.shift_id, point: d.point_id, from: d.from };
              this.visitError = null;
              this.render();
              (this.el.querySelector('#patrol-visit-reason') as HTMLElement | null)?.focus();
            } }, t('patrol.manual'))
            : null));
        return open ? [row, this.visitRow(r, d)] : [row];
      }))));
    if (later > 0) append(card, h('p', { class: 'note' }, t('patrol.later', { n: later })));
    return card;
  }

  private tourBox(tour: Loaded<PatrolTour>): HTMLElement {
    if ('busy' in tour) return h('p', { class: 'empty' }, t('patrol.loading'));
    if ('error' in tour) return h('p', { class: 'msg error patrol-tour-error' }, tour.error);
    const v = tour.value;
    if (v.stops.length === 0) return h('p', { class: 'msg info patrol-tour-summary' }, t('patrol.tour_empty'));
    return h('div', { class: 'patrol-tour' },
      h('p', { class: 'msg info patrol-tour-summary' }, t('patrol.tour_summary', { n: v.stops.length, late: v.late, finish: hm(v.finish) })),
      h('ol', { class: 'patrol-tour-list' }, ...v.stops.map((st, i) =>
        h('li', { class: st.late ? 'late' : '', 'data-point': st.point_id },
          h('span', { class: 'n' }, String(i + 1)), ' ',
          h('strong', {}, st.point_name), ' ',
          h('span', { class: 'arrive' }, t('patrol.arrive', { time: hm(st.arrive) })),
          st.start !== st.arrive ? h('span', { class: 'dist' }, ` ${t('patrol.wait_until', { time: hm(st.start) })}`) : null,
          ' ', h('span', { class: 'dist' }, t('patrol.until', { time: hm(st.window_to) })),
          st.late ? h('strong', { class: 'late-mark' }, ` ${t('patrol.late')}`) : null))));
  }

  private reportBox(report: Loaded<PatrolReport>): HTMLElement {
    if ('busy' in report) return h('p', { class: 'empty' }, t('patrol.loading'));
    if ('error' in report) return h('p', { class: 'msg error' }, report.error);
    const r = report.value;
    const kv = (key: string, cls: string, value: string) => h('div', { class: 'kv' }, h('dt', {}, t(key)), h('dd', { class: cls }, value));
    return h('dl', { class: 'patrol-report' },
      h('h3', {}, t('patrol.report_title')),
      kv('patrol.visited', 'r-met', String(r.met)),
      kv('patrol.missed', 'r-missed', String(r.missed)),
      kv('patrol.pending', 'r-pending', String(r.pending)),
      kv('patrol.time_in_area', 'r-time', duration(r.time_in_area_s)),
      kv('patrol.distance', 'r-distance', metresLabel(r.distance_m)),
      kv('patrol.idle', 'r-idle', duration(r.idle_s)),
      kv('patrol.fixes', 'r-fixes', String(r.fixes)),
      r.missed > 0 ? h('p', { class: 'note' }, t('patrol.missed_points', {
        list: r.duties.filter((d) => d.state === 'missed').map((d) => `${d.point_name} ${windowLabel(d)}`).join(', '),
      })) : null);
  }

  private visitRow(r: PatrolReport, d: PatrolDuty): HTMLElement {
    const reason = h('input', { id: 'patrol-visit-reason', type: 'text', maxlength: '500', placeholder: t('patrol.reason_placeholder') });
    const at = h('input', { id: 'patrol-visit-at', type: 'text', inputmode: 'numeric', placeholder: t('patrol.visit_at_placeholder'), style: 'width:6.5em;flex:none' });
    return h('tr', { class: 'visit-form' }, h('td', { colspan: '5' },
      h('form', {
        class: 'patrol-visit', onsubmit: (e: Event) => {
          e.preventDefault();
          void this.recordVisit(r, d, reason.value, at.value);
        },
      },
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('patrol.reason')), reason),
        h('div', { class: 'actions' },
          h('label', {}, t('patrol.visit_at'), ' ', at),
          h('button', { type: 'submit', class: 'primary', id: 'patrol-visit-submit', disabled: this.visitBusy }, t('patrol.record')),
          h('button', { type: 'button', onclick: () => { this.visitFor = null; this.visitError = null; this.render(); } }, t('patrol.cancel'))),
        this.visitError ? h('p', { class: 'msg error', id: 'patrol-visit-error' }, this.visitError) : null)));
  }

  // Assign a unit to an area from now (the server's clock) for some hours.
  private assignForm(): HTMLElement {
    const units = [...state.units.values()].filter((u) => u.agency === 'police').sort((a, b) => a.callsign.localeCompare(b.callsign));
    return h('details', { class: 'patrol-assign', open: this.assignOpen, ontoggle: (e: Event) => { this.assignOpen = (e.target as HTMLDetailsElement).open; } },
      h('summary', {}, t('patrol.assign')),
      h('form', { id: 'patrol-assign', onsubmit: (e: Event) => { e.preventDefault(); void this.assign(e.target as HTMLFormElement); } },
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('patrol.unit')),
          h('select', { name: 'unit', id: 'patrol-assign-unit' }, ...units.map((u) => h('option', { value: u.id }, u.callsign)))),
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('patrol.area')),
          h('select', { name: 'area', id: 'patrol-assign-area' }, ...(this.plan?.areas ?? []).map((a) => h('option', { value: a.id }, a.name)))),
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('patrol.hours')),
          h('input', { name: 'hours', id: 'patrol-assign-hours', type: 'number', min: '1', max: '24', step: '1', value: '8' })),
        h('button', { type: 'submit', class: 'primary' }, t('patrol.assign_submit')),
        this.assignError ? h('p', { class: 'msg error', id: 'patrol-assign-error' }, this.assignError) : null));
  }
}
