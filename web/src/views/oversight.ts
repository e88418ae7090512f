// Oversight (督察, issue 8), for supervisors and auditors: the counts of GET /api/v1/oversight
// (overdue cases, notices unanswered or past their response deadline, incidents closed without
// a disposition, items in custody, pending hand-overs, locations that did not reconcile) and
// its lists. Read-only; a case opens in the cases panel, an incident in the detail pane.
import { get } from '../api';
import { App } from '../app';
import { append, clear, h } from '../dom';
import { t } from '../i18n';
import { state } from '../state';
import { dateTime } from '../time';
import { Case, Notice, deadlineText, remaining, stageName } from './cases';
import { problemText } from './evidence';

interface Oversight {
  now: string;
  counts: Record<string, number>;
  overdue_cases: Case[];
  overdue_notices: Notice[];
  incidents_closed_without_disposition: number[];
}

const COUNTS = ['open_cases', 'overdue_cases', 'cases_near_deadline', 'unanswered_notices', 'overdue_notices',
  'incidents_closed_without_disposition', 'items_in_custody', 'pending_handovers', 'locations_with_discrepancies'];
// Counts that are bad news when above zero.
const BAD = new Set(['overdue_cases', 'overdue_notices', 'incidents_closed_without_disposition', 'locations_with_discrepancies']);

export class OversightView {
  el = h('section', { class: 'view oversight', 'data-view': 'oversight' });
  private data: Oversight | null = null;
  private error = '';
  private loading = false;

  constructor(private app: App) {}

  async load(): Promise<void> {
    this.loading = true;
    this.render();
    try {
      this.data = await get<Oversight>('/api/v1/oversight');
      this.error = '';
    } catch (e) {
      this.error = problemText(e);
    } finally {
      this.loading = false;
    }
    this.render();
  }

  render(): void {
    if (this.data === null && !this.loading && !this.error) void this.load();
    clear(this.el);
    const d = this.data;
    append(this.el,
      h('h2', {}, t('oversight.title')),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'oversight-refresh', disabled: this.loading, onclick: () => void this.load() }, t('cases.refresh')),
        d ? h('span', { class: 'note' }, t('cases.as_of', { at: dateTime(d.now) })) : null),
      this.error ? h('div', { class: 'msg error', id: 'oversight-message', role: 'alert' }, this.error) : null);
    if (!d) return;
    append(this.el,
      h('div', { class: 'kpis', id: 'oversight-counts' }, ...COUNTS.map((k) => {
        const n = d.counts[k] ?? 0;
        return h('div', { class: `kpi ${BAD.has(k) && n > 0 ? 'up' : ''}`, 'data-count': k },
          h('span', { class: 'label' }, t(`oversight.count.${k}`)), h('strong', { 'data-value': n }, String(n)));
      })),
      h('h3', {}, t('oversight.count.overdue_cases')),
      d.overdue_cases.length === 0 ? h('p', { class: 'empty' }, t('oversight.none')) :
        h('table', { class: 'grid', id: 'oversight-overdue' },
          h('thead', {}, h('tr', {}, ...['cases.id', 'cases.type', 'cases.stage', 'cases.deadline', 'cases.officers'].map((k) => h('th', {}, t(k))))),
          h('tbody', {}, ...d.overdue_cases.map((c) => h('tr', { 'data-id': c.id, class: 'overdue' },
            h('td', {}, `#${c.id}`), h('td', {}, c.type), h('td', {}, stageName(c.stage)),
            h('td', {}, deadlineText(c.deadline), h('br', {}), h('small', {}, remaining(c.remaining_s))),
            h('td', {}, c.officers.join(', ')))))),
      h('h3', {}, t('oversight.count.overdue_notices')),
      d.overdue_notices.length === 0 ? h('p', { class: 'empty' }, t('oversight.none')) :
        h('ul', { id: 'oversight-notices' }, ...d.overdue_notices.map((n) => h('li', { 'data-notice': n.id },
          `${n.subject} · ${n.issued_by} · ${t('oversight.respond_by', { at: dateTime(n.respond_by) })}: ${n.text}`))),
      h('h3', {}, t('oversight.count.incidents_closed_without_disposition')),
      d.incidents_closed_without_disposition.length === 0 ? h('p', { class: 'empty' }, t('oversight.none')) :
        h('div', { class: 'chips', id: 'oversight-nodisp' }, ...d.incidents_closed_without_disposition.map((id) =>
          h('button', { type: 'button', class: 'link-inline', 'data-id': id, onclick: () => this.app.openIncident(id) }, state.incidents.get(id)?.number ?? `#${id}`))),
    );
  }
}
