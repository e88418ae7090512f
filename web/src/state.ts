// What the console knows: incidents, units, assignments and alerts, kept up to date from the
// REST snapshot and then the stream. Event payloads carry the record after the change, so
// applying events in order converges on the server's state whatever the snapshot's age.

import { Alert, Assignment, Incident, StreamEvent, Taxonomy, Unit } from './api';

export const OPEN_STATUSES = ['received', 'dispatched', 'on_scene'];
export const CLOSED_STATUSES = ['cleared', 'closed', 'diverted', 'merged', 'cancelled'];

// id: the record that changed; ids: the units a positions frame moved.
type Change = { kind: 'incident' | 'unit' | 'alert' | 'positions' | 'assignment' | 'reset'; id?: number; ids?: number[] };

export class ConsoleState {
  incidents = new Map<number, Incident>();
  units = new Map<number, Unit>();
  assignments = new Map<number, Assignment>(); // by assignment id
  alerts = new Map<number, Alert>();
  taxonomy: Taxonomy | null = null;
  // When each event kind arrived (for the timeline of incidents opened in this session).
  seen = new Map<number, Array<{ at: string; kind: string; text: string }>>();
  private listeners: Array<(c: Change) => void> = [];

  on(f: (c: Change) => void): void {
    this.listeners.push(f);
  }
  emit(c: Change): void {
    for (const f of this.listeners) f(c);
  }

  reset(incidents: Incident[], units: Unit[], alerts: Alert[]): void {
    this.incidents.clear();
    this.units.clear();
    this.alerts.clear();
    for (const i of incidents) this.incidents.set(i.id, i);
    for (const u of units) this.units.set(u.id, u);
    for (const a of alerts) this.alerts.set(a.id, a);
    this.emit({ kind: 'reset' });
  }

  upsertIncident(i: Incident): void {
    const old = this.incidents.get(i.id);
    // Keep assignments fetched with the detail view; the event payload does not carry them.
    this.incidents.set(i.id, { ...old, ...i, assignments: i.assignments ?? old?.assignments });
    this.emit({ kind: 'incident', id: i.id });
  }

  note(incidentId: number, at: string, kind: string, text: string): void {
    const list = this.seen.get(incidentId) ?? [];
    list.push({ at, kind, text });
    this.seen.set(incidentId, list);
  }

  apply(e: StreamEvent): void {
    const p = e.payload ?? {};
    switch (e.kind) {
      case 'incident.created':
      case 'incident.status':
      case 'incident.updated':
      case 'incident.triaged':
      case 'incident.merged': {
        if (typeof p.id !== 'number') return;
        const { from: _f, to: _t, reason: _r, ...rest } = p;
        this.upsertIncident(rest as Incident);
        this.note(p.id, e.at ?? '', e.kind, p.to ?? p.status ?? '');
        return;
      }
      case 'unit.created':
        this.units.set(p.id, p as Unit);
        this.emit({ kind: 'unit', id: p.id });
        return;
      case 'unit.status': {
        const u = this.units.get(p.id);
        if (!u) return;
        u.status = p.to;
        u.status_at = e.at ?? u.status_at;
        u.incident_id = p.incident_id ?? null;
        u.assignment_id = p.assignment_id ?? null;
        if (typeof p.incident_id === 'number') this.note(p.incident_id, e.at ?? '', 'unit.status', `${u.callsign} ${p.to}`);
        this.emit({ kind: 'unit', id: p.id });
        return;
      }
      case 'unit.updated':
        if (typeof p.id === 'number') {
          this.units.set(p.id, { ...this.units.get(p.id), ...p } as Unit);
          this.emit({ kind: 'unit', id: p.id });
        }
        return;
      case 'assignment.created':
      case 'assignment.updated': {
        const a = p as Assignment & { changed?: string };
        this.assignments.set(a.id, a);
        const inc = this.incidents.get(a.incident_id);
        if (inc) {
          const list = (inc.assignments ?? []).filter((x) => x.id !== a.id);
          list.push(a);
          inc.assignments = list;
        }
        this.emit({ kind: 'assignment', id: a.incident_id });
        return;
      }
      case 'alert.raised':
      case 'alert.resolved':
        if (typeof p.id === 'number') {
          this.alerts.set(p.id, p as Alert);
          this.emit({ kind: 'alert', id: p.id });
        }
        return;
      default:
        return;
    }
  }

  positions(e: StreamEvent): void {
    const ids: number[] = [];
    for (const it of e.items ?? []) {
      const u = this.units.get(it.id);
      if (!u) continue;
      const p = u.position;
      const heading = it.heading ?? null;
      // A report that changes nothing drawn (a parked unit) is not drawn again.
      if (p && p.lat === it.lat && p.lon === it.lon && (p.heading ?? null) === heading) {
        p.speed = it.speed ?? null;
        p.at = it.at;
        continue;
      }
      u.position = { lat: it.lat, lon: it.lon, heading, speed: it.speed ?? null, at: it.at };
      ids.push(it.id);
    }
    if (ids.length > 0) this.emit({ kind: 'positions', ids });
  }

  openIncidents(): Incident[] {
    return [...this.incidents.values()].filter((i) => OPEN_STATUSES.includes(i.status));
  }
}

export const state = new ConsoleState();
