// Units: list and status buttons (map markers are drawn by map.ts), the alerts list, and a
// small statistics page (ECharts, loaded only when opened so the first paint stays light).
import { Unit, post } from '../api';
import { App, can } from '../app';
import { append, clear, h } from '../dom';
import { t } from '../i18n';
import { AGENCY_COLOURS, STATUS_COLOURS } from '../map';
import { OPEN_STATUSES, state } from '../state';
import { clock, dateTime } from '../time';

// What a dispatcher may set by hand (dispatched comes from a dispatch; the rest from the unit).
const MANUAL: Record<string, string[]> = {
  available: ['out_of_service', 'off_duty'],
  out_of_service: ['available', 'off_duty'],
  off_duty: ['available', 'out_of_service'],
  dispatched: ['en_route', 'on_scene', 'available'],
  en_route: ['on_scene', 'available'],
  on_scene: ['available'],
};

export class UnitsView {
  el = h('section', { class: 'view units', 'data-view': 'units' });
  private agency = '';
  private status = '';

  constructor(private app: App) {
    this.render();
  }

  private async setStatus(u: Unit, status: string): Promise<void> {
    try {
      await post(`/api/v1/units/${u.id}/status`, { status });
    } catch (e) {
      this.app.toast(e instanceof Error ? e.message : String(e), 'error');
    }
  }

  render(): void {
    clear(this.el);
    const units = [...state.units.values()]
      .filter((u) => (!this.agency || u.agency === this.agency) && (!this.status || u.status === this.status))
      .sort((a, b) => a.callsign.localeCompare(b.callsign));
    const counts: Record<string, number> = {};
    for (const u of state.units.values()) counts[u.status] = (counts[u.status] ?? 0) + 1;
    const mayChange = can.unitStatus(this.app.me.role);
    append(this.el, 
      h('h2', {}, t('units.title'), ' ', h('span', { class: 'count' }, String(state.units.size))),
      h('div', { class: 'legend' },
        ...Object.entries(STATUS_COLOURS).map(([s, c]) => h('span', { class: 'chip' }, h('i', { style: `background:${c}` }), `${t(`unit.${s}`)} ${counts[s] ?? 0}`)),
        ...Object.entries(AGENCY_COLOURS).map(([a, c]) => h('span', { class: 'chip' }, h('i', { class: 'ring', style: `border-color:${c}` }), t(`agency.${a}`)))),
      h('div', { class: 'filters' },
        h('select', { id: 'units-agency', onchange: (e: Event) => { this.agency = (e.target as HTMLSelectElement).value; this.render(); } },
          h('option', { value: '' }, t('units.all_agencies')), ...['police', 'fire', 'ems'].map((a) => h('option', { value: a, selected: a === this.agency }, t(`agency.${a}`)))),
        h('select', { id: 'units-status', onchange: (e: Event) => { this.status = (e.target as HTMLSelectElement).value; this.render(); } },
          h('option', { value: '' }, t('units.all_statuses')), ...Object.keys(STATUS_COLOURS).map((s) => h('option', { value: s, selected: s === this.status }, t(`unit.${s}`))))),
      h('table', { class: 'grid', id: 'units-table' },
        h('thead', {}, h('tr', {}, ...['units.callsign', 'units.agency', 'units.status', 'units.incident', 'units.seen', ''].map((k) => h('th', {}, k ? t(k) : '')))),
        h('tbody', {}, ...units.slice(0, 400).map((u) => {
          const inc = u.incident_id ? state.incidents.get(u.incident_id) : undefined;
          return h('tr', { 'data-unit': u.id, onclick: () => u.position && this.app.map?.flyTo(u.position.lat, u.position.lon, 15) },
            h('td', {}, h('strong', {}, u.callsign)),
            h('td', {}, t(`agency.${u.agency}`)),
            h('td', {}, h('span', { class: `ustatus u-${u.status}` }, t(`unit.${u.status}`))),
            h('td', {}, u.incident_id ? h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); e.stopPropagation(); this.app.openIncident(u.incident_id!); } }, inc?.number ?? `#${u.incident_id}`) : ''),
            h('td', {}, clock(u.position?.at ?? null)),
            h('td', { class: 'buttons' }, ...(mayChange ? (MANUAL[u.status] ?? []) : []).map((s) =>
              h('button', { class: 'small', onclick: (e: Event) => { e.stopPropagation(); void this.setStatus(u, s); } }, t(`unit.${s}`)))));
        }))),
      units.length > 400 ? h('p', { class: 'empty' }, t('units.more', { n: units.length - 400 })) : null,
    );
  }
}

export class AlertsView {
  el = h('section', { class: 'view alerts', 'data-view': 'alerts' });
  constructor(private app: App) {
    this.render();
  }
  render(): void {
    clear(this.el);
    const list = [...state.alerts.values()].sort((a, b) => b.raised_at.localeCompare(a.raised_at));
    const open = list.filter((a) => !a.resolved_at);
    append(this.el, 
      h('h2', {}, t('alerts.title'), ' ', h('span', { class: 'count' }, String(open.length))),
      !this.app.features.alerts ? h('p', { class: 'empty' }, t('alerts.unavailable')) : null,
      list.length === 0 && this.app.features.alerts ? h('p', { class: 'empty' }, t('alerts.none')) : null,
      h('ul', { class: 'alert-list', id: 'alerts-list' }, ...list.slice(0, 200).map((a) =>
        h('li', { class: a.resolved_at ? 'resolved' : 'open' },
          h('time', {}, dateTime(a.raised_at)), ' ', h('strong', {}, t(`alert.${a.kind}`)), ' ', a.message, ' ',
          a.incident_id ? h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); this.app.openIncident(a.incident_id!); } }, state.incidents.get(a.incident_id)?.number ?? `#${a.incident_id}`) : null,
          a.resolved_at ? h('small', {}, ` ${t('alerts.resolved', { at: clock(a.resolved_at) })}`) : null))),
    );
  }
}

export class StatsView {
  el = h('section', { class: 'view stats', 'data-view': 'stats' });
  private chart: { setOption(o: unknown): void; resize(): void; dispose(): void } | null = null;
  private box = h('div', { class: 'chart', id: 'stats-chart' });
  private box2 = h('div', { class: 'chart', id: 'stats-units' });
  private chart2: typeof this.chart = null;

  constructor(_app: App) {
    append(this.el, h('h2', {}, t('stats.title')), this.box, this.box2);
  }

  async render(): Promise<void> {
    const echarts = await import('echarts');
    this.chart ??= echarts.init(this.box);
    this.chart2 ??= echarts.init(this.box2);
    const prios = [1, 2, 3, 4];
    const series = OPEN_STATUSES.map((s) => ({
      name: t(`incident.${s}`), type: 'bar', stack: 'open',
      data: prios.map((p) => state.openIncidents().filter((i) => i.priority === p && i.status === s).length),
    }));
    this.chart.setOption({
      title: { text: t('stats.open_by_priority'), textStyle: { fontSize: 13 } },
      tooltip: {}, legend: { bottom: 0 }, grid: { left: 40, right: 10, top: 36, bottom: 40 },
      xAxis: { type: 'category', data: prios.map((p) => `P${p}`) }, yAxis: { type: 'value' }, series,
    });
    const counts: Record<string, number> = {};
    for (const u of state.units.values()) counts[u.status] = (counts[u.status] ?? 0) + 1;
    this.chart2.setOption({
      title: { text: t('stats.units_by_status'), textStyle: { fontSize: 13 } }, tooltip: {},
      series: [{ type: 'pie', radius: ['35%', '65%'], data: Object.entries(counts).map(([s, n]) => ({ name: t(`unit.${s}`), value: n, itemStyle: { color: STATUS_COLOURS[s] } })) }],
    });
    this.chart.resize();
    this.chart2.resize();
  }
}
