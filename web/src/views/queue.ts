// Incident queue: pending (received), active (dispatched, on scene), recently closed; each open
// incident with a running timer for its current stage that turns amber at three quarters of
// the taxonomy's target and red past it.
import { Incident } from '../api';
import { App } from '../app';
import { clear, h } from '../dom';
import { getLang, t } from '../i18n';
import { CLOSED_STATUSES, state } from '../state';
import { categoryLabel, timer } from '../taxonomy';
import { clock, duration } from '../time';

// The rows of one section: its heading's count, the table (or "none") and its body.
interface Section {
  el: HTMLElement;
  count: HTMLElement;
  empty: HTMLElement;
  table: HTMLElement;
  body: HTMLElement;
}

export class QueueView {
  el = h('section', { class: 'view queue', 'data-view': 'queue' });
  private ticker: number;
  // Rows kept between renders, by incident id, with what they show (key): an event changes one
  // row, and the other few hundred are moved, not made again.
  private rows = new Map<number, { key: string; el: HTMLElement }>();
  private sections: Section[] = [];
  private lang = '';
  // Timer cells on screen: only they are counted up every second (a few dozen instead of up
  // to 620, each change laying the whole table out again); a cell is brought up to date when
  // it scrolls into view or the tab is shown.
  private onScreen = new Set<HTMLElement>();
  private watcher = new IntersectionObserver((entries) => {
    const now = Date.now();
    for (const e of entries) {
      const cell = e.target as HTMLElement;
      if (e.isIntersecting) {
        this.onScreen.add(cell);
        this.tickCell(cell, now);
      } else {
        this.onScreen.delete(cell);
      }
    }
  });

  constructor(private app: App) {
    this.render();
    this.ticker = window.setInterval(() => this.tick(), 1000);
  }

  destroy(): void {
    clearInterval(this.ticker);
  }

  private row(i: Incident): HTMLElement {
    const key = [i.status, i.priority, i.category, i.address, i.number, i.lat, i.lon, i.closed_at, i.cleared_at].join('|');
    const kept = this.rows.get(i.id);
    if (kept && kept.key === key) return kept.el;
    const tm = timer(i, Date.now());
    const el = h('tr', {
      class: `incident-row status-${i.status}`, 'data-id': i.id, tabindex: 0,
      onclick: () => this.app.openIncident(i.id),
      onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Enter') this.app.openIncident(i.id); },
    },
      h('td', { class: 'num' }, i.number),
      h('td', {}, h('span', { class: `prio p${i.priority}` }, `P${i.priority}`)),
      h('td', { class: 'cat' }, categoryLabel(i.category)),
      h('td', { class: 'addr' }, i.address || `${i.lat.toFixed(4)}, ${i.lon.toFixed(4)}`),
      h('td', {}, h('span', { class: `status s-${i.status}` }, t(`incident.${i.status}`))),
      h('td', { class: `timer ${tm ? tm.level : ''}`, 'data-timer': i.id }, tm ? duration(tm.seconds) : clock(i.closed_at ?? i.cleared_at)),
    );
    if (kept) this.forget(kept.el);
    this.rows.set(i.id, { key, el });
    this.watcher.observe(el.lastElementChild as HTMLElement);
    return el;
  }

  private section(title: string, id: string): Section {
    const count = h('span', { class: 'count' });
    const empty = h('p', { class: 'empty' }, t('queue.none'));
    const body = h('tbody', {});
    const table = h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ...['queue.number', 'queue.priority', 'queue.category', 'queue.location', 'queue.status', 'queue.timer'].map((k) => h('th', {}, t(k))))),
      body);
    return { el: h('div', { class: 'queue-section', id }, h('h3', {}, title, ' ', count)), count, empty, table, body };
  }

  private fill(s: Section, incidents: Incident[], total: number): void {
    s.count.textContent = String(total);
    const shown = incidents.length === 0 ? s.empty : s.table;
    if (s.el.lastChild !== shown) {
      if (s.el.lastChild === s.empty || s.el.lastChild === s.table) s.el.replaceChild(shown, s.el.lastChild);
      else s.el.append(shown);
    }
    const rows = incidents.map((i) => this.row(i));
    const now = s.body.children;
    if (now.length === rows.length && rows.every((r, k) => now[k] === r)) return; // nothing moved
    s.body.replaceChildren(...rows);
  }

  render(): void {
    // The language changed (or first render): headings and every row are made again.
    if (this.lang !== getLang()) {
      this.lang = getLang();
      for (const r of this.rows.values()) this.forget(r.el);
      this.rows.clear();
      this.sections = [
        this.section(t('queue.pending'), 'queue-pending'),
        this.section(t('queue.active'), 'queue-active'),
        this.section(t('queue.closed'), 'queue-closed'),
      ];
      clear(this.el);
      this.el.append(...this.sections.map((x) => x.el));
    }
    const all = [...state.incidents.values()];
    const byUrgency = (a: Incident, b: Incident) => a.priority - b.priority || a.received_at.localeCompare(b.received_at);
    const pending = all.filter((i) => i.status === 'received').sort(byUrgency);
    const active = all.filter((i) => i.status === 'dispatched' || i.status === 'on_scene').sort(byUrgency);
    const closed = all.filter((i) => CLOSED_STATUSES.includes(i.status))
      .sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? '')).slice(0, 20);
    // Thousands of rows are fine for a table, but the DOM is kept to what a person can read.
    const cap = 300;
    const used = new Set<number>();
    const [p, a, c] = this.sections;
    this.fill(p, pending.slice(0, cap), pending.length);
    this.fill(a, active.slice(0, cap), active.length);
    this.fill(c, closed, closed.length);
    for (const i of [...pending.slice(0, cap), ...active.slice(0, cap), ...closed]) used.add(i.id);
    for (const [id, r] of this.rows) {
      if (used.has(id)) continue;
      this.forget(r.el);
      this.rows.delete(id);
    }
  }

  private forget(row: HTMLElement): void {
    const cell = row.lastElementChild as HTMLElement;
    this.watcher.unobserve(cell);
    this.onScreen.delete(cell);
  }

  private tick(): void {
    const now = Date.now();
    for (const cell of this.onScreen) this.tickCell(cell, now);
  }

  private tickCell(cell: HTMLElement, now: number): void {
    const i = state.incidents.get(Number(cell.dataset.timer));
    if (!i) return;
    const tm = timer(i, now);
    if (!tm) return;
    const text = duration(tm.seconds);
    if (cell.textContent !== text) cell.textContent = text;
    const cls = `timer ${tm.level}`;
    if (cell.className !== cls) cell.className = cls;
  }
}
