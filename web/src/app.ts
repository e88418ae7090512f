// What every view may use: who is logged in, what the server offers, the map and the stream.
import { Camera, ConsoleSettings, Me, Role } from './api';
import type { ConsoleMap } from './map';
import type { LiveStream } from './stream';

export interface Features {
  taxonomy: boolean;
  triage: boolean;
  recommendations: boolean | null; // null: not tried yet
  alerts: boolean;
  coverage: boolean;
  merge: boolean;
  cameras: number | null; // cameras in the register; null: this server has no camera routes
  patrol: boolean | null; // a patrol plan is loaded; false: none (503); null: no patrol routes
}

export interface App {
  me: Me;
  settings: ConsoleSettings;
  features: Features;
  map: ConsoleMap | null;
  stream: LiveStream;
  selectedIncident: number | null; // the incident open in the detail pane
  openIncident(id: number | null): void;
  // Opens a camera's stream in the player over the map (the server checks the role and logs it).
  playCamera(camera: Pick<Camera, 'id' | 'stream_kind'>, incidentId?: number | null): void;
  setTab(tab: string): void;
  toast(text: string, kind?: 'info' | 'error' | 'ok'): void;
  rerender(): void;
}

export const can = {
  intake: (r: Role) => ['admin', 'call_taker', 'dispatcher', 'supervisor'].includes(r),
  dispatch: (r: Role) => ['admin', 'dispatcher', 'supervisor'].includes(r),
  caller: (r: Role) => ['call_taker', 'dispatcher', 'supervisor'].includes(r),
  unitStatus: (r: Role) => ['admin', 'dispatcher', 'supervisor'].includes(r),
  stats: (r: Role) => ['admin', 'supervisor', 'analyst', 'auditor'].includes(r),
  // CompStat and hotspots (GET /api/v1/analytics/*; the server answers 403 to other roles).
  analysis: (r: Role) => ['admin', 'supervisor', 'analyst'].includes(r),
  // Cases and evidence (issue 8, docs/cases.md): supervisors handle them, auditors only read.
  // Unit accounts handle their own cases too, but they use /unit, not this console.
  cases: (r: Role) => ['supervisor', 'auditor'].includes(r),
  caseWork: (r: Role) => ['supervisor', 'unit'].includes(r),
  oversight: (r: Role) => ['supervisor', 'auditor'].includes(r),
  // Approvals are a supervisor's (docs/api/roles.md): extensions, disposals, issuing notices.
  approve: (r: Role) => r === 'supervisor',
  // Who read a case or an item (GET /api/v1/audit/reads): auditors only.
  auditReads: (r: Role) => r === 'auditor',
};
