// REST client: bearer token, problem+json errors in plain words, and one place that notices an
// expired session or a server that went away (the app shows it; nothing typed is lost).

export interface Problem {
  status: number;
  code: string;
  field?: string;
  detail: string;
}

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.detail);
  }
}

type Listener = (kind: 'unauthenticated' | 'unreachable' | 'reachable') => void;

let token: string | null = sessionStorage.getItem('pingan.token');
const listeners: Listener[] = [];

export function setToken(t: string | null): void {
  token = t;
  if (t) sessionStorage.setItem('pingan.token', t);
  else sessionStorage.removeItem('pingan.token');
}
export function getToken(): string | null {
  return token;
}
export function onConnectionProblem(l: Listener): void {
  listeners.push(l);
}
function tell(kind: 'unauthenticated' | 'unreachable' | 'reachable'): void {
  for (const l of listeners) l(kind);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const sent = token;
  const headers: Record<string, string> = {};
  if (sent) headers['Authorization'] = `Bearer ${sent}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    tell('unreachable');
    throw new ApiError({ status: 0, code: 'unreachable', detail: 'server unreachable' });
  }
  tell('reachable');
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const p = (json ?? {}) as Partial<Problem>;
    const problem: Problem = {
      status: res.status,
      code: p.code ?? `http_${res.status}`,
      field: p.field,
      detail: p.detail ?? res.statusText,
    };
    if (res.status === 401 && path !== '/api/v1/login') {
      // Sent with a token that a new login has replaced meanwhile: the new session is fine, so
      // no second login box. A read goes again with the new token; a change is left to whoever
      // is logged in now to send again (it may be another user), with the refusal in words.
      if (token !== null && token !== sent) {
        if (method === 'GET') return request<T>(method, path, body);
      } else {
        tell('unauthenticated');
      }
    }
    throw new ApiError(problem);
  }
  return json as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown) => request<T>('POST', path, body);

// Fetches a file with the token and hands it to the browser as a download (export links).
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiError({ status: res.status, code: `http_${res.status}`, detail: res.statusText });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Whether an optional endpoint of the server exists (404 means this server does not have it).
export async function probe(path: string): Promise<boolean> {
  try {
    await get(path);
    return true;
  } catch (e) {
    return !(e instanceof ApiError && (e.problem.status === 404 || e.problem.status === 0));
  }
}

// ---- API shapes (docs/api/openapi.yaml) ----
export type Role = 'admin' | 'call_taker' | 'dispatcher' | 'unit' | 'supervisor' | 'analyst' | 'auditor';

export interface Me {
  username: string;
  role: Role;
  unit_id: number | null;
  team?: string; // station or squad (派出所/中队); empty or absent: centre level
}

// A photo of an evidence item (GET /api/v1/evidence/{code} photos[], docs/cases.md PH-1..PH-7).
export interface EvidencePhoto {
  sha256: string; // 64 lower-case hex digits: the name of the bytes
  content_type: 'image/jpeg' | 'image/png' | 'image/webp';
  bytes: number;
  caption?: string;
  at: string;
  by: string; // who attached it
}

export interface Triage {
  suggested: { category: string; priority: number; score: number; reasons: string[] } | null;
  decided?: { category: string; priority: number };
  accepted?: boolean;
}

export interface Incident {
  id: number;
  number: string;
  status: string;
  category: string;
  priority: number;
  lat: number;
  lon: number;
  address: string;
  description: string;
  received_at: string;
  dispatched_at: string | null;
  on_scene_at: string | null;
  cleared_at: string | null;
  closed_at: string | null;
  disposition: string;
  merged_into: number | null;
  created_by: string;
  updated_at: string;
  has_caller: boolean;
  jurisdiction?: string;
  patrol_area?: string;
  location_kind?: string;
  triage?: Triage | null;
  likely_duplicates?: number[];
  handoff?: { status: string; attempts: number; remote_id: string; last_error: string } | null;
  assignments?: Assignment[];
}

// POST /api/v1/incidents answers with the incident and what intake found out about it.
export interface CreatedIncident extends Incident {
  warnings?: string[]; // codes, e.g. outside_jurisdiction
  recommendations?: Recommendation[];
}

export interface Assignment {
  id: number;
  incident_id: number;
  unit_id: number;
  dispatched_at: string;
  en_route_at: string | null;
  on_scene_at: string | null;
  cleared_at: string | null;
  dispatched_by: string;
}

export interface Position {
  lat: number;
  lon: number;
  at?: string;
  heading?: number | null;
  speed?: number | null;
}

export interface Unit {
  id: number;
  callsign: string;
  agency: 'police' | 'fire' | 'ems';
  type: string;
  capabilities: string[];
  home_station: string;
  status: string;
  status_at: string;
  position: Position | null;
  incident_id: number | null;
  assignment_id: number | null;
}

export interface Category {
  code: string;
  zh: string;
  en: string;
  service: string;
  priority: number;
  parent?: string | null;
}

export interface Targets {
  dispatch_s: number;
  en_route_s: number;
  on_scene_s: number;
  on_scene_max_s: number;
}

export interface Taxonomy {
  categories: Category[];
  priorities: Record<string, Targets>;
}

// POST /api/v1/incidents/{id}/containment: checkpoints most urgent first.
export interface ContainmentCheckpoint {
  lat: number;
  lon: number;
  street: string;
  road_class: string;
  escape_s: number; // when the escaping vehicle can be there
  junctions: number;
  unit_id: number | null; // null: no unit can be there in time
  callsign?: string;
  eta_s?: number;
  margin_s?: number;
  best_eta_s?: number; // unstaffed, when some unit exists
  alternatives: Array<{ unit_id: number; callsign: string; eta_s: number }>;
}
export interface ContainmentPlan {
  incident_id: number;
  escape_s: number;
  depth_s: number;
  elapsed_s: number;
  reached_junctions: number;
  staffed: number;
  checkpoints: ContainmentCheckpoint[];
}

export interface Recommendation {
  unit_id: number;
  callsign: string;
  eta_s: number | null;
  distance_m: number | null;
  reasons?: Record<string, unknown>;
}

export interface Alert {
  id: number;
  kind: string;
  incident_id: number | null;
  unit_id: number | null;
  message: string;
  raised_at: string;
  resolved_at: string | null;
}

export interface Place {
  label: string;
  lat: number;
  lon: number;
  kind: 'address' | 'intersection' | 'street';
  distance_m?: number;
}

export interface ConsoleSettings {
  utc_offset_minutes: number;
  map: boolean;
  streets: number;
  addresses: number;
}

export interface StreamEvent {
  seq?: number;
  at?: string;
  actor?: string;
  kind: string;
  subject?: string;
  hash?: string;
  payload?: any;
  items?: Array<{ id: number; lat: number; lon: number; heading?: number | null; speed?: number | null; at?: string }>;
}

// ---- analytics (analyst, supervisor, admin; src/server/api_analytics.cpp) ----
export interface DataRange {
  count: number;
  first_received_at: string | null;
  last_received_at: string | null;
}

export interface CompStatRow {
  category: string;
  group: string;
  jurisdiction: string;
  current: number;
  previous: number;
  change: number;
  change_pct: number | null; // already in percent
  with_disposition: number;
  cleared: number;
  clearance_share: number | null;
}

export interface CallShares {
  total: number;
  valid: number;
  diverted: number;
  void: number;
  valid_share: number | null; // 0…1
  diverted_share: number | null;
}

export interface SegmentStats {
  id: string; // RT-CALL-PROCESSING, RT-TURNOUT, …
  segment: string;
  measured: number;
  missing: number;
  coarse: number;
  inconsistent: number;
  p50_s: number | null;
  p90_s: number | null;
  mean_s: number | null;
}

export interface CompStatReport {
  report: 'compstat';
  period: { from: string; to: string };
  compare: 'previous-year' | 'previous-period' | 'none';
  comparison: { from: string; to: string } | null;
  data: DataRange;
  cleared_dispositions: string[];
  total: CompStatRow;
  calls: CallShares;
  calls_previous: CallShares;
  response_times: SegmentStats[];
  response_times_previous: SegmentStats[];
  by_group: CompStatRow[];
  by_category: CompStatRow[];
  by_jurisdiction: CompStatRow[];
  cells: CompStatRow[];
  ranking: Array<{ rank: number; jurisdiction: string; valid_calls: number; valid_calls_previous: number; change_pct: number | null; p90_total_s: number | null }>;
}

// The "pingan" member of the hotspot GeoJSON: what was run, on which data, with which parameters.
export interface HotspotRun {
  report: 'hotspots';
  period: { from: string; to: string };
  categories: string[];
  data: DataRange;
  located: number;
  outside_grid: number;
  grid: { cell_m: number; nx: number; ny: number; bbox: [number, number, number, number] };
  kde?: { params: { kernel: string; bandwidth_m: number }; unit: string; max_density: number };
  gi_star?: {
    params: { permutations: number; seed: number; fdr_q: number; fdr_method: string; neighbor_radius_cells: number; inference: string };
    hot: number;
    cold: number;
    p_cutoff: number;
  };
  knox?: { params: { permutations: number; seed: number } };
}

export type HotspotCollection = GeoJSON.FeatureCollection & { pingan: HotspotRun };

// ---- cameras (issue 9: "the map moves, the video follows"; src/server/api_cameras.cpp) ----
// A camera of the register as the lists give it: never its stream address, which only
// POST /api/v1/cameras/{id}/view hands out (role-checked and logged as camera.viewed).
export interface Camera {
  id: string;
  lat: number;
  lon: number;
  heading_deg: number; // optical axis: 0 = north, clockwise
  fov_deg: number; // full horizontal angle; 360 = dome
  range_m: number; // how far it usefully sees (≤ 2000)
  stream_kind: 'rtsp' | 'hls' | 'webrtc';
  owner: string;
  sharing: 'shared' | 'owner_only' | 'on_request';
  distance_m: number; // GET /cameras: from the viewport's centre; incident list: to the incident
}

// GET /api/v1/cameras?south=&west=&north=&east=&limit=
export interface CamerasInView {
  total: number; // cameras in the viewport before the limit
  items: Camera[]; // nearest the viewport's centre first
}

// GET /api/v1/incidents/{id}/cameras: cameras whose view cone covers the incident.
export interface CoveringCamera extends Camera {
  bearing_deg: number; // camera to incident
  off_axis_deg: number; // bearing minus heading, positive = right of the axis
  score: number; // lower is a better view
}

export interface CameraStream {
  id: string;
  stream_kind: Camera['stream_kind'];
  stream_url: string;
}

// ---- patrol (issue 9, 必巡区域/点位; src/server/api_patrol.cpp, docs/field.md "Patrols") ----
// GET /api/v1/patrol/plan: areas (no geometry here) and required points with their windows.
export interface PatrolPlan {
  areas: Array<{ id: string; name: string }>;
  points: PatrolPoint[];
}
export interface PatrolPoint {
  id: string;
  area_id: string;
  name: string;
  lat: number;
  lon: number;
  radius_m: number;
  min_dwell_s: number;
  min_visits: number; // owed in each occurrence of a window within a shift
  windows: string[]; // "08:00-10:00", the centre's local time; none: once per shift
}

export interface PatrolShift {
  shift_id: string;
  unit_id: number;
  area_id: string;
  start: string;
  end: string;
}

export type DutyState = 'met' | 'missed' | 'pending';

// One occurrence of a point's window within a shift, and the visits counted for it.
export interface PatrolDuty {
  point_id: string;
  point_name: string;
  from: string;
  to: string;
  required: number;
  visits: number; // detected and manual
  manual_visits: number;
  state: DutyState;
}

// GET /api/v1/patrol/shifts/{id}/report, and each shift of /status.
export interface PatrolReport {
  shift_id: string;
  unit_id: number;
  area_id: string;
  met: number;
  missed: number;
  pending: number;
  time_in_area_s: number;
  distance_m: number;
  idle_s: number;
  fixes: number; // positions within the shift that were read
  duties: PatrolDuty[];
}

export interface PatrolAlert {
  kind: 'overdue' | 'about_to_miss';
  shift_id: string;
  unit_id: number;
  point_id: string;
  point_name: string;
  visits: number;
  required: number;
  to: string; // the window's end
  minutes_left: number; // rounded up; 0 when overdue
}

// GET /api/v1/patrol/status: the shifts on duty now, overdue first in the alerts.
export interface PatrolStatus {
  now: string; // the server's clock
  shifts: PatrolReport[];
  alerts: PatrolAlert[];
}

// GET /api/v1/patrol/shifts/{id}/tour: the points still owed in a suggested order, by road.
export interface PatrolTour {
  shift_id: string;
  unit_id: number;
  from: { lat: number; lon: number }; // the unit's position, snapped to the road
  late: number; // stops that cannot be made in their window
  finish: string;
  exact: boolean; // every order was tried
  stops: Array<{
    point_id: string;
    point_name: string;
    lat: number;
    lon: number;
    arrive: string;
    start: string; // arrival, or the window's opening when that is later
    window_to: string;
    late: boolean;
  }>;
  path?: Array<[number, number]>; // [lon, lat] by road from the unit through the stops, when the server gives it
}
