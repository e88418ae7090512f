// Incident queue: pending (received), active (dispatched, on scene), recently closed; each open
// incident with a running timer for its current stage that turns amber at three quarters of
// the taxonomy's target and red past it.
import { Incident } from '../api';
import { App } from '../app';
import { clear, h } from '../dom';
import { t } from '../i18n';
import { CLOSED_STATUSES, state } from '../state';
import { categoryLabel, timer } from '../taxonomy';
import { clock, duration } from '../time';

export class QueueView {
  el = h('section', { class: 'view queue', 'data-view': 'queue' });
  private ticker: number;

  constructor(private app: App) {
    this.render();
    this.ticker = window.setInterval(() => this.tick(), 1000);
  }

  destroy(): void {
    clearInterval(this.ticker);
  }

  private row(i: Incident): HTMLElement {
    const tm = timer(i, Date.now());
    return h('tr', {
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
  }

  private table(title: string, id: string, rows: Incident[]): HTMLElement {
    return h('div', { class: 'queue-section', id },
      h('h3', {}, title, ' ', h('span', { class: 'count' }, String(rows.length))),
      rows.length === 0
        ? h('p', { class: 'empty' }, t('queue.none'))
        : h('table', { class: 'grid' },
            h('thead', {}, h('tr', {}, ...['queue.number', 'queue.priority', 'queue.category', 'queue.location', 'queue.status', 'queue.timer'].map((k) => h('th', {}, t(k))))),
            h('tbody', {}, ...rows.map((r) => this.row(r)))));
  }

  render(): void {
    clear(this.el);
    const all = [...state.incidents.values()];
    const byUrgency = (a: Incident, b: Incident) => a.priority - b.priority || a.received_at.localeCompare(b.received_at);
    const pending = all.filter((i) => i.status === 'received').sort(byUrgency);
    const active = all.filter((i) => i.status === 'dispatched' || i.status === 'on_scene').sort(byUrgency);
    const closed = all.filter((i) => CLOSED_STATUSES.includes(i.status))
      .sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? '')).slice(0, 20);
    // Thousands of rows are fine for a table, but the DOM is kept to what a person can read.
    const cap = 300;
    this.el.append(
      this.table(t('queue.pending'), 'queue-pending', pending.slice(0, cap)),
      this.table(t('queue.active'), 'queue-active', active.slice(0, cap)),
      this.table(t('queue.closed'), 'queue-closed', closed),
    );
  }

  private tick(): void {
    const now = Date.now();
    for (const cell of this.el.querySelectorAll<HTMLElement>('td[data-timer]')) {
      const i = state.incidents.get(Number(cell.dataset.timer));
      if (!i) continue;
      const tm = timer(i, now);
      if (!tm) continue;
      cell.textContent = duration(tm.seconds);
      cell.className = `timer ${tm.level}`;
    }
  }
}
