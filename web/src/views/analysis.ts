// Analysis (analyst, supervisor, admin): a CompStat summary for a period against a comparison
// period, its CSV, and the place-based hotspot overlay on the map (kernel density with Gi* hot
// cells outlined). Everything comes from GET /api/v1/analytics/*; place-based only: no person
// appears anywhere in it.
import { ApiError, CompStatReport, CompStatRow, DataRange, HotspotCollection, HotspotRun, Problem, SegmentStats, download, get } from '../api';
import { App } from '../app';
import { append, clear, h } from '../dom';
import { getLang, t } from '../i18n';
import { HOTSPOT_RAMP } from '../map';
import { categoryLabel } from '../taxonomy';
import { centreDay, duration } from '../time';

type Compare = 'previous-year' | 'previous-period' | 'none';
type Message = { kind: 'error' | 'info'; text: string; detail?: string } | null;

const DAY_MS = 86_400_000;

function addDays(day: string, n: number): string {
  const ms = Date.parse(`${day}T00:00:00Z`) + n * DAY_MS;
  return new Date(ms).toISOString().slice(0, 10);
}

// The calendar day of an instant in a report time zone: an IANA name (America/New_York), an
// offset (+08:00) or, when empty, the centre's zone.
function dayIn(iso: string, tz: string): string {
  const off = /^([+-])(\d{2}):?(\d{2})$/.exec(tz);
  if (off) {
    const min = (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3]));
    return new Date(Date.parse(iso) + min * 60_000).toISOString().slice(0, 10);
  }
  if (tz && tz !== 'UTC' && tz !== 'Z') {
    try {
      // en-CA writes YYYY-MM-DD.
      return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
    } catch {
      /* an unknown zone: the centre's below */
    }
  }
  if (tz === 'UTC' || tz === 'Z') return new Date(iso).toISOString().slice(0, 10);
  return centreDay(iso);
}

// [from, to] as days; the server's `to` is exclusive (the start of the day after).
function periodDays(p: { from: string; to: string }, tz: string): [string, string] {
  return [dayIn(p.from, tz), dayIn(new Date(Date.parse(p.to) - 1).toISOString(), tz)];
}

export class AnalysisView {
  el = h('section', { class: 'view analysis', 'data-view': 'analysis' });
  private from = '';
  private to = '';
  private tz = '';
  private compare: Compare = 'previous-year';
  private range: DataRange | null = null;
  private rangeState: 'idle' | 'loading' | 'done' | 'unavailable' = 'idle';
  private report: CompStatReport | null = null;
  private reportTz = '';
  private running = false;
  private message: Message = null;
  private hotspotsOn = false;
  private hotspotsLoading = false;
  private hotspotRun: HotspotRun | null = null;
  private hotspotTz = '';
  private hotspotMessage: Message = null;
  private legend: HTMLElement | null = null;

  constructor(private app: App) {}

  focus(): void {
    (this.el.querySelector('#analysis-from') as HTMLElement | null)?.focus();
  }

  // ---- data ----
  private async loadRange(): Promise<void> {
    this.rangeState = 'loading';
    try {
      this.range = await get<DataRange>('/api/v1/analytics/range');
      this.rangeState = 'done';
      // Default period: the last 28 days that hold data.
      if (this.range.last_received_at && !this.from && !this.to) {
        this.to = centreDay(this.range.last_received_at);
        this.from = addDays(this.to, -27);
      }
    } catch (e) {
      const p = e instanceof ApiError ? e.problem : null;
      this.rangeState = p?.status === 404 ? 'unavailable' : 'done';
      if (p && p.status !== 404) this.message = this.problemMessage(p);
    }
    this.render();
  }

  private query(extra: Record<string, string>): string {
    const q = new URLSearchParams({ from: this.from, to: this.to });
    if (this.tz.trim()) q.set('tz', this.tz.trim());
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q.toString();
  }

  private problemMessage(p: Problem): Message {
    if (p.status === 0) return { kind: 'error', text: t('conn.unreachable') };
    if (p.status === 403) return { kind: 'error', text: t('analysis.forbidden') };
    // A period without records: say so in the reader's language, with what the database holds.
    if (/no incident records/.test(p.detail)) {
      const r = this.range;
      const text = r && r.count > 0 && r.first_received_at && r.last_received_at
        ? t('analysis.no_data_held', { n: r.count.toLocaleString(), from: centreDay(r.first_received_at), to: centreDay(r.last_received_at) })
        : t('analysis.no_data');
      return { kind: 'error', text, detail: p.detail };
    }
    const field = p.field ? t('analysis.problem_field', { field: t(`analysis.field.${p.field}`) === `analysis.field.${p.field}` ? p.field : t(`analysis.field.${p.field}`) }) : '';
    return { kind: 'error', text: `${field}${p.detail}` };
  }

  private errorMessage(e: unknown): Message {
    return e instanceof ApiError ? this.problemMessage(e.problem) : { kind: 'error', text: String(e) };
  }

  private checkPeriod(): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(this.from) || !/^\d{4}-\d{2}-\d{2}$/.test(this.to)) {
      this.message = { kind: 'error', text: t('analysis.need_period') };
      return false;
    }
    if (this.to < this.from) {
      this.message = { kind: 'error', text: t('analysis.bad_period') };
      return false;
    }
    return true;
  }

  async run(): Promise<void> {
    if (this.running) return;
    if (!this.checkPeriod()) return this.render();
    this.running = true;
    this.message = null;
    this.render();
    try {
      this.report = await get<CompStatReport>(`/api/v1/analytics/compstat?${this.query({ compare: this.compare })}`);
      this.reportTz = this.tz.trim();
    } catch (e) {
      this.report = null;
      this.message = this.errorMessage(e);
    } finally {
      this.running = false;
    }
    this.render();
    // The overlay follows the period.
    if (this.hotspotsOn) await this.loadHotspots();
  }

  private async downloadCsv(): Promise<void> {
    if (!this.checkPeriod()) return this.render();
    const path = `/api/v1/analytics/compstat?${this.query({ compare: this.compare, format: 'csv' })}`;
    try {
      await download(path, `compstat_${this.from}_${this.to}.csv`);
    } catch (e) {
      // download() knows only the status: ask again for the problem's words.
      try {
        await get(path);
        this.message = this.errorMessage(e);
      } catch (e2) {
        this.message = this.errorMessage(e2);
      }
      this.render();
    }
  }

  private async loadHotspots(): Promise<void> {
    if (!this.checkPeriod()) {
      this.hotspotsOn = false;
      return this.render();
    }
    const map = this.app.map;
    if (!map) {
      this.hotspotsOn = false;
      this.hotspotMessage = { kind: 'error', text: t('analysis.no_map') };
      return this.render();
    }
    this.hotspotsLoading = true;
    this.hotspotMessage = null;
    this.render();
    const asked = this.query({ analyses: 'kde,gi_star' });
    try {
      const fc = await get<HotspotCollection>(`/api/v1/analytics/hotspots?${asked}`);
      if (!this.hotspotsOn) return; // switched off while it loaded
      await map.setHotspots(fc);
      this.hotspotRun = fc.pingan;
      this.hotspotTz = this.tz.trim();
      (window as any).__pinganHotspots = { features: fc.features.length, query: asked };
    } catch (e) {
      this.hotspotsOn = false;
      this.hotspotRun = null;
      await map.setHotspots(null);
      this.hotspotMessage = this.errorMessage(e);
    } finally {
      this.hotspotsLoading = false;
    }
    this.render();
  }

  private async toggleHotspots(on: boolean): Promise<void> {
    this.hotspotsOn = on;
    if (on) return this.loadHotspots();
    this.hotspotRun = null;
    this.hotspotMessage = null;
    (window as any).__pinganHotspots = null;
    await this.app.map?.setHotspots(null);
    this.render();
  }

  // ---- rendering ----
  private num(n: number): string {
    return n.toLocaleString(getLang() === 'zh-CN' ? 'zh-CN' : 'en');
  }
  private pct(x: number | null): string {
    if (x === null || !Number.isFinite(x)) return '—';
    return `${x > 0 ? '+' : ''}${x.toFixed(1)}%`;
  }
  private signed(n: number): string {
    return `${n > 0 ? '+' : ''}${this.num(n)}`;
  }
  private share(x: number | null): string {
    return x === null ? '—' : `${(x * 100).toFixed(1)}%`;
  }
  private secs(s: number | null): string {
    return s === null ? '—' : duration(Math.round(s));
  }
  private jurisdiction(j: string): string {
    return j === '' ? t('analysis.no_jurisdiction') : j;
  }

  private msg(m: Message, id: string): HTMLElement | null {
    if (!m) return null;
    return h('div', { class: `msg ${m.kind}`, id, role: 'alert' }, m.text, m.detail ? h('small', { class: 'detail' }, m.detail) : null);
  }

  private changeCell(r: { change_pct: number | null }): HTMLElement {
    const v = r.change_pct;
    return h('td', { class: `n ${v === null ? '' : v > 0 ? 'up' : v < 0 ? 'down' : ''}` }, this.pct(v));
  }

  private form(): HTMLElement {
    const input = (id: string, key: 'from' | 'to' | 'tz', type: string, extra: Record<string, string> = {}) =>
      h('input', { id, type, value: this[key], ...extra, oninput: (e: Event) => { this[key] = (e.target as HTMLInputElement).value; } });
    return h('form', {
      class: 'analysis-form', id: 'analysis-form',
      onsubmit: (e: Event) => { e.preventDefault(); void this.run(); },
    },
      h('div', { class: 'row' },
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('analysis.from')), input('analysis-from', 'from', 'date')),
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('analysis.to')), input('analysis-to', 'to', 'date'))),
      h('div', { class: 'row' },
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('analysis.tz')),
          input('analysis-tz', 'tz', 'text', { placeholder: t('analysis.tz_centre'), spellcheck: 'false', autocomplete: 'off' })),
        h('label', { class: 'field' }, h('span', { class: 'label' }, t('analysis.compare')),
          h('select', { id: 'analysis-compare', onchange: (e: Event) => { this.compare = (e.target as HTMLSelectElement).value as Compare; } },
            ...(['previous-year', 'previous-period', 'none'] as Compare[]).map((c) => h('option', { value: c, selected: c === this.compare }, t(`analysis.compare.${c}`)))))),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'analysis-run', disabled: this.running }, this.running ? t('analysis.running') : t('analysis.run')),
        h('button', { type: 'button', id: 'analysis-csv', onclick: () => void this.downloadCsv() }, t('analysis.csv')),
        h('label', { class: 'check' },
          h('input', { type: 'checkbox', id: 'hotspot-toggle', checked: this.hotspotsOn, disabled: this.hotspotsLoading, onchange: (e: Event) => void this.toggleHotspots((e.target as HTMLInputElement).checked) }),
          t('analysis.hotspots')),
        this.hotspotsLoading ? h('span', { class: 'empty', id: 'hotspot-status' }, t('analysis.hotspots_loading')) : null),
    );
  }

  private rangeLine(): HTMLElement | null {
    if (this.rangeState === 'loading') return h('p', { class: 'empty' }, t('analysis.range_loading'));
    const r = this.range;
    if (!r) return null;
    if (r.count === 0 || !r.first_received_at || !r.last_received_at) return h('p', { class: 'msg info', id: 'analysis-range' }, t('analysis.range_empty'));
    return h('p', { class: 'range', id: 'analysis-range' },
      t('analysis.range', { n: this.num(r.count), from: centreDay(r.first_received_at), to: centreDay(r.last_received_at) }));
  }

  private summary(r: CompStatReport): HTMLElement {
    const tz = this.reportTz;
    const [f, to] = periodDays(r.period, tz);
    const cmp = r.comparison ? periodDays(r.comparison, tz) : null;
    const tot = r.total;
    const segs = (list: SegmentStats[]) => new Map(list.map((s) => [s.id, s]));
    const prevSegs = segs(r.response_times_previous);
    const topCats = [...r.by_category].sort((a, b) => b.current - a.current || a.category.localeCompare(b.category)).slice(0, 10);
    const byJ = new Map(r.by_jurisdiction.map((j) => [j.jurisdiction, j]));
    const ranked = [...r.ranking].sort((a, b) => a.rank - b.rank);
    const rankedSet = new Set(ranked.map((x) => x.jurisdiction));
    const rest = r.by_jurisdiction.filter((j) => !rankedSet.has(j.jurisdiction)).sort((a, b) => b.current - a.current);
    const rowCells = (x: CompStatRow | undefined) => x
      ? [h('td', { class: 'n' }, this.num(x.current)), h('td', { class: 'n' }, r.comparison ? this.num(x.previous) : '—'), r.comparison ? this.changeCell(x) : h('td', { class: 'n' }, '—')]
      : [h('td', { class: 'n' }, '—'), h('td', { class: 'n' }, '—'), h('td', { class: 'n' }, '—')];
    const head = (...keys: string[]) => h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', {}, k ? t(k) : ''))));

    return h('div', { class: 'compstat', id: 'analysis-result' },
      h('p', { class: 'period', id: 'analysis-period' },
        t('analysis.period_line', { from: f, to, tz: tz || t('analysis.tz_centre') }),
        cmp ? h('br', {}) : null,
        cmp ? t('analysis.compared_with', { what: t(`analysis.compare.${r.compare}`), from: cmp[0], to: cmp[1] }) : null),
      h('div', { class: 'kpis' },
        h('div', { class: 'kpi' },
          h('span', { class: 'label' }, t('analysis.total')),
          h('strong', { id: 'analysis-total', 'data-value': tot.current }, this.num(tot.current))),
        r.comparison ? h('div', { class: 'kpi' },
          h('span', { class: 'label' }, t('analysis.previous')),
          h('strong', { id: 'analysis-previous', 'data-value': tot.previous }, this.num(tot.previous))) : null,
        r.comparison ? h('div', { class: `kpi ${tot.change > 0 ? 'up' : tot.change < 0 ? 'down' : ''}` },
          h('span', { class: 'label' }, t('analysis.change')),
          h('strong', { id: 'analysis-change', 'data-value': tot.change }, `${this.signed(tot.change)} (${this.pct(tot.change_pct)})`)) : null),

      h('h3', {}, t('analysis.shares')),
      h('table', { class: 'grid', id: 'analysis-shares' },
        head('', 'analysis.current', 'analysis.previous'),
        h('tbody', {},
          h('tr', {}, h('td', {}, t('analysis.valid_share')), h('td', { class: 'n' }, this.share(r.calls.valid_share)), h('td', { class: 'n' }, r.comparison ? this.share(r.calls_previous.valid_share) : '—')),
          h('tr', {}, h('td', {}, t('analysis.diverted_share')), h('td', { class: 'n' }, this.share(r.calls.diverted_share)), h('td', { class: 'n' }, r.comparison ? this.share(r.calls_previous.diverted_share) : '—')),
          tot.with_disposition > 0
            ? h('tr', {}, h('td', {}, t('analysis.clearance_share')), h('td', { class: 'n' }, this.share(tot.clearance_share)), h('td', { class: 'n' }, '—'))
            : null)),

      h('h3', {}, t('analysis.by_category'), ' ', h('small', { class: 'empty' }, t('analysis.top10', { n: r.by_category.length }))),
      h('table', { class: 'grid', id: 'analysis-by-category' },
        head('analysis.category', 'analysis.current', 'analysis.previous', 'analysis.change_pct'),
        h('tbody', {}, ...topCats.map((c) => h('tr', { 'data-category': c.category }, h('td', {}, categoryLabel(c.category) || c.category), ...rowCells(c))))),

      h('h3', {}, t('analysis.by_jurisdiction')),
      h('table', { class: 'grid', id: 'analysis-by-jurisdiction' },
        head('analysis.rank', 'analysis.jurisdiction', 'analysis.current', 'analysis.previous', 'analysis.change_pct', 'analysis.p90_total'),
        h('tbody', {},
          ...ranked.map((x) => h('tr', { 'data-jurisdiction': x.jurisdiction },
            h('td', { class: 'n' }, String(x.rank)), h('td', {}, this.jurisdiction(x.jurisdiction)), ...rowCells(byJ.get(x.jurisdiction)), h('td', { class: 'n' }, this.secs(x.p90_total_s)))),
          ...rest.map((x) => h('tr', { 'data-jurisdiction': x.jurisdiction, class: 'unranked' },
            h('td', { class: 'n' }, '—'), h('td', {}, this.jurisdiction(x.jurisdiction)), ...rowCells(x), h('td', { class: 'n' }, '—'))))),
      r.ranking.length ? h('p', { class: 'note' }, t('analysis.ranking_note')) : null,

      h('h3', {}, t('analysis.segments')),
      h('table', { class: 'grid', id: 'analysis-segments' },
        head('analysis.segment', 'analysis.p50', 'analysis.p90', 'analysis.p90_previous', 'analysis.measured'),
        h('tbody', {}, ...r.response_times.map((s) => h('tr', { 'data-segment': s.id },
          h('td', { title: s.id }, t(`analysis.segment.${s.segment}`) === `analysis.segment.${s.segment}` ? s.id : t(`analysis.segment.${s.segment}`)),
          h('td', { class: 'n' }, this.secs(s.p50_s)),
          h('td', { class: 'n' }, h('strong', {}, this.secs(s.p90_s))),
          h('td', { class: 'n' }, r.comparison ? this.secs(prevSegs.get(s.id)?.p90_s ?? null) : '—'),
          h('td', { class: 'n' }, `${this.num(s.measured)} / ${this.num(s.measured + s.missing)}`))))),
      r.response_times.every((s) => s.measured === 0) ? h('p', { class: 'note' }, t('analysis.no_stage_times')) : null,
      h('p', { class: 'note' }, t('analysis.place_based')),
    );
  }

  // The map legend: what the overlay shows, read from the answer's "pingan" member.
  private renderLegend(): void {
    const run = this.hotspotRun;
    const container = this.app.map?.map.getContainer();
    if (!run || !this.hotspotsOn || !container) {
      this.legend?.remove();
      this.legend = null;
      return;
    }
    if (!this.legend || this.legend.parentElement !== container) {
      this.legend?.remove();
      this.legend = h('div', { class: 'hotspot-legend', id: 'hotspot-legend' });
      container.append(this.legend);
    }
    const [f, to] = periodDays(run.period, this.hotspotTz);
    const kde = run.kde;
    const gi = run.gi_star;
    const ramp = `linear-gradient(to right, ${HOTSPOT_RAMP.map(([s, c]) => `${c} ${s * 100}%`).join(', ')})`;
    clear(this.legend);
    append(this.legend,
      h('strong', {}, t('analysis.legend_title')),
      h('div', { 'data-legend': 'period' }, t('analysis.period_line', { from: f, to, tz: this.hotspotTz || t('analysis.tz_centre') })),
      h('div', { 'data-legend': 'data' }, t('analysis.legend_data', { n: this.num(run.located), cell: run.grid.cell_m })),
      kde ? h('div', { 'data-legend': 'kde' }, t('analysis.legend_kde', { bw: kde.params.bandwidth_m })) : null,
      h('div', { class: 'ramp', style: `background:${ramp}` }),
      h('div', { class: 'ramp-labels' }, h('span', {}, '0'),
        h('span', {}, kde ? `${kde.max_density.toFixed(1)} ${t('analysis.per_km2')}` : t('analysis.legend_counts'))),
      gi ? h('div', { 'data-legend': 'gi' }, h('i', { class: 'hot-swatch' }),
        t('analysis.legend_gi', { hot: this.num(gi.hot), perm: gi.params.permutations, seed: gi.params.seed, q: gi.params.fdr_q })) : null,
      h('small', {}, t('analysis.place_based')));
  }

  render(): void {
    if (this.rangeState === 'idle') void this.loadRange();
    clear(this.el);
    append(this.el, h('h2', {}, t('analysis.title')));
    if (this.rangeState === 'unavailable') {
      append(this.el, h('p', { class: 'empty', id: 'analysis-unavailable' }, t('analysis.unavailable')));
      return;
    }
    append(this.el,
      this.rangeLine(),
      this.form(),
      this.msg(this.message, 'analysis-message'),
      this.msg(this.hotspotMessage, 'hotspot-message'),
      this.running ? h('p', { class: 'empty' }, t('analysis.running')) : null,
      this.report ? this.summary(this.report) : null,
    );
    this.renderLegend();
  }
}
