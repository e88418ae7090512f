// The map: the offline base map from pingan (/tiles/style.json), incidents, units with heading
// arrows, cameras with their view cones, the coverage overlay, required patrol points and a suggested
// tour, and the call-taker's draft location. Sources are updated at
// most once per animation frame, so thousands of units moving every second stay smooth.
import maplibregl, { GeoJSONSource, Map as MlMap, StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { Camera, HotspotCollection, get, getToken } from './api';
import { registerGlyphProtocol } from './glyphs';
import { OPEN_STATUSES, state } from './state';

export const STATUS_COLOURS: Record<string, string> = {
  available: '#2e9d4b',
  dispatched: '#2f6fd6',
  en_route: '#7b3fd6',
  on_scene: '#d6302f',
  out_of_service: '#8a8a8a',
  off_duty: '#c4c4c4',
};
export const AGENCY_COLOURS: Record<string, string> = { police: '#14306e', fire: '#b3261e', ems: '#c98a00' };
export const CAMERA_COLOURS = { camera: '#5b4b8a', covering: '#e07b00' };
const INCIDENT_COLOURS: Record<string, string> = { received: '#e53935', dispatched: '#f08c00', on_scene: '#8e24aa' };

let glyphsRegistered = false;

function emptyStyle(): StyleSpecification {
  return {
    version: 8,
    glyphs: 'pingan-glyphs://{fontstack}/{range}',
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#efece6' } }],
  };
}

// An arrow pointing north, drawn as a signed-distance image so that its colour is a paint value.
function arrowImage(): ImageData {
  const n = 48;
  const c = document.createElement('canvas');
  c.width = c.height = n;
  const g = c.getContext('2d')!;
  g.fillStyle = '#000';
  g.beginPath();
  g.moveTo(n / 2, 2);
  g.lineTo(n * 0.8, n * 0.42);
  g.lineTo(n * 0.2, n * 0.42);
  g.closePath();
  g.fill();
  return g.getImageData(0, 0, n, n);
}

export interface MapOptions {
  container: HTMLElement;
  withBaseMap: boolean;
  onMapClick?: (lat: number, lon: number) => void;
  onIncidentClick?: (id: number) => void;
  onUnitClick?: (id: number) => void;
  onCameraClick?: (id: string) => void;
}

// A camera's view cone as a closed ring of [lon, lat]: the camera, then the arc at range_m from
// heading - fov/2 to heading + fov/2 (a dome: the whole circle). Planar in the camera's own
// tangent plane, as the server's coverage test is (src/cameras/coverage.hpp), so what is drawn
// is what the server counts as covered.
export function coneRing(c: Pick<Camera, 'lat' | 'lon' | 'heading_deg' | 'fov_deg' | 'range_m'>): Array<[number, number]> {
  const k = Math.PI / 180;
  const mPerDegLat = 6371008.8 * k;
  const mPerDegLon = mPerDegLat * Math.cos(c.lat * k);
  const at = (bearingDeg: number): [number, number] => [
    c.lon + (c.range_m * Math.sin(bearingDeg * k)) / mPerDegLon,
    c.lat + (c.range_m * Math.cos(bearingDeg * k)) / mPerDegLat,
  ];
  const dome = c.fov_deg >= 360;
  const from = dome ? 0 : c.heading_deg - c.fov_deg / 2;
  const span = dome ? 360 : c.fov_deg;
  const steps = Math.max(4, Math.ceil(span / 5)); // a vertex every 5° at most
  const arc: Array<[number, number]> = [];
  for (let i = 0; i <= steps; i++) arc.push(at(from + (span * i) / steps));
  if (dome) return arc; // first and last vertex are the same point
  return [[c.lon, c.lat], ...arc, [c.lon, c.lat]];
}

export class ConsoleMap {
  map: MlMap;
  private pending = false;
  // Which sources changed since the last draw: an incident event does not re-tile 2,000 units.
  private dirty = { incidents: true, units: true };
  private draft: maplibregl.Marker | null = null;
  // Cameras drawn: those the cameras panel lists for the view, and those covering the open
  // incident (highlighted); a camera in both is drawn once, highlighted.
  private camerasInView: Camera[] = [];
  private camerasCovering: Camera[] = [];
  private cameraSelected: string | null = null;
  selectedIncident: number | null = null;
  ready: Promise<void>;
  firstTiles: Promise<void>;

  constructor(o: MapOptions, style: StyleSpecification | null) {
    if (!glyphsRegistered) {
      registerGlyphProtocol();
      glyphsRegistered = true;
    }
    const s = style ?? emptyStyle();
    this.map = new maplibregl.Map({
      container: o.container,
      style: s,
      center: (s.center as [number, number]) ?? [0, 0],
      zoom: s.center ? 13 : 1,
      attributionControl: { compact: true },
      localIdeographFontFamily: '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif',
      // The tiles need the same token as the API.
      transformRequest: (url) => {
        if (url.startsWith(location.origin + '/tiles/')) {
          return { url, headers: { Authorization: `Bearer ${getToken()}` } };
        }
        return { url };
      },
    });
    // Map errors (a tile the server refused, a bad style) are logged, not shown: the console
    // goes on with what it has, and the connection banner speaks for the server.
    this.map.on('error', (e) => console.warn('map:', (e as { error?: Error }).error?.message ?? e));
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({}), 'bottom-left');
    this.ready = new Promise((resolve) => this.map.on('load', () => { this.addLayers(); resolve(); }));
    this.firstTiles = new Promise((resolve) => this.map.once('idle', () => resolve()));
    this.map.on('click', (e) => {
      const hit = this.map.queryRenderedFeatures(e.point, { layers: ['incidents', 'units', 'cameras'].filter((l) => this.map.getLayer(l)) });
      const f = hit[0];
      if (f && f.layer.id === 'incidents') return o.onIncidentClick?.(Number(f.properties!.id));
      if (f && f.layer.id === 'units') return o.onUnitClick?.(Number(f.properties!.id));
      if (f && f.layer.id === 'cameras') return o.onCameraClick?.(String(f.properties!.id));
      o.onMapClick?.(e.lngLat.lat, e.lngLat.lng);
    });
    for (const l of ['incidents', 'units', 'cameras']) {
      this.map.on('mouseenter', l, () => (this.map.getCanvas().style.cursor = 'pointer'));
      this.map.on('mouseleave', l, () => (this.map.getCanvas().style.cursor = ''));
    }
    state.on((c) => {
      if (c.kind === 'incident' || c.kind === 'reset' || c.kind === 'assignment') this.dirty.incidents = true;
      if (c.kind === 'unit' || c.kind === 'positions' || c.kind === 'reset' || c.kind === 'assignment') this.dirty.units = true;
      if (c.kind !== 'alert') this.schedule();
    });
  }

  static async create(o: MapOptions): Promise<ConsoleMap> {
    let style: StyleSpecification | null = null;
    if (o.withBaseMap) {
      try {
        style = await get<StyleSpecification>('/tiles/style.json');
        for (const src of Object.values(style.sources)) {
          const v = src as { tiles?: string[] };
          // Made absolute by hand: new URL() would escape the {z}/{x}/{y} placeholders.
          if (v.tiles) v.tiles = v.tiles.map((t) => (t.startsWith('/') ? location.origin + t : t));
        }
      } catch {
        style = null;
      }
    }
    return new ConsoleMap(o, style);
  }

  private addLayers(): void {
    const m = this.map;
    m.addImage('arrow', arrowImage(), { sdf: true });
    const empty = { type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection;
    m.addSource('coverage', { type: 'geojson', data: empty });
    m.addSource('incidents', { type: 'geojson', data: empty });
    m.addSource('units', { type: 'geojson', data: empty });
    m.addSource('cameras', { type: 'geojson', data: empty });
    m.addLayer({
      id: 'coverage', type: 'line', source: 'coverage', layout: { visibility: 'none', 'line-cap': 'round' },
      paint: { 'line-color': '#18a558', 'line-width': 3, 'line-opacity': 0.55 },
    });
    // Cameras under the live picture: cones faint, a covering camera's cone stronger.
    m.addLayer({
      id: 'camera-cones', type: 'fill', source: 'cameras', filter: ['==', ['geometry-type'], 'Polygon'],
      paint: {
        'fill-color': ['case', ['boolean', ['get', 'covering'], false], CAMERA_COLOURS.covering, CAMERA_COLOURS.camera],
        'fill-opacity': ['case', ['boolean', ['get', 'selected'], false], 0.35, ['boolean', ['get', 'covering'], false], 0.22, 0.1],
        'fill-outline-color': ['case', ['boolean', ['get', 'covering'], false], CAMERA_COLOURS.covering, CAMERA_COLOURS.camera],
      },
    });
    m.addLayer({
      id: 'cameras', type: 'circle', source: 'cameras', filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-radius': ['case', ['boolean', ['get', 'selected'], false], 6, 4.5],
        'circle-color': ['case', ['boolean', ['get', 'covering'], false], CAMERA_COLOURS.covering, CAMERA_COLOURS.camera],
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 1.5,
      },
    });
    m.addLayer({
      id: 'camera-labels', type: 'symbol', source: 'cameras', minzoom: 15, filter: ['==', ['geometry-type'], 'Point'],
      layout: { 'text-field': ['get', 'id'], 'text-font': ['Noto Sans Regular'], 'text-size': 10, 'text-offset': [0, 0.9], 'text-anchor': 'top' },
      paint: { 'text-color': '#3a2a5a', 'text-halo-color': '#fff', 'text-halo-width': 1.2 },
    });
    m.addLayer({
      id: 'incidents', type: 'circle', source: 'incidents',
      paint: {
        'circle-radius': ['match', ['get', 'priority'], 1, 10, 2, 8, 3, 7, 6],
        'circle-color': ['match', ['get', 'status'], 'received', INCIDENT_COLOURS.received, 'dispatched', INCIDENT_COLOURS.dispatched, 'on_scene', INCIDENT_COLOURS.on_scene, '#777'],
        'circle-stroke-color': ['case', ['boolean', ['get', 'selected'], false], '#111', '#fff'],
        'circle-stroke-width': ['case', ['boolean', ['get', 'selected'], false], 3, 1.5],
      },
    });
    m.addLayer({
      id: 'units', type: 'circle', source: 'units',
      paint: {
        'circle-radius': 6,
        'circle-color': ['match', ['get', 'status'], ...Object.entries(STATUS_COLOURS).flat(), '#777'] as any,
        'circle-stroke-color': ['match', ['get', 'agency'], ...Object.entries(AGENCY_COLOURS).flat(), '#333'] as any,
        'circle-stroke-width': 2.5,
      },
    });
    m.addLayer({
      id: 'unit-arrows', type: 'symbol', source: 'units', filter: ['has', 'heading'],
      layout: {
        'icon-image': 'arrow', 'icon-size': 0.55, 'icon-rotate': ['get', 'heading'],
        'icon-rotation-alignment': 'map', 'icon-allow-overlap': true, 'icon-ignore-placement': true,
        'icon-offset': [0, -14],
      },
      paint: { 'icon-color': ['match', ['get', 'agency'], ...Object.entries(AGENCY_COLOURS).flat(), '#333'] as any },
    });
    m.addLayer({
      id: 'unit-labels', type: 'symbol', source: 'units', minzoom: 13,
      layout: { 'text-field': ['get', 'callsign'], 'text-font': ['Noto Sans Regular'], 'text-size': 11, 'text-offset': [0, 1.3], 'text-anchor': 'top' },
      paint: { 'text-color': '#222', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
    });
    this.drawCameras();
    this.schedule();
  }

  // The cameras the panel lists for the current view (null: none).
  setCamerasInView(items: Camera[] | null): void {
    this.camerasInView = items ?? [];
    this.drawCameras();
  }

  // The cameras covering the open incident (null: no incident open).
  setCamerasCovering(items: Camera[] | null): void {
    this.camerasCovering = items ?? [];
    this.drawCameras();
  }

  selectCamera(id: string | null): void {
    this.cameraSelected = id;
    this.drawCameras();
  }

  private drawCameras(): void {
    const src = this.map.getSource('cameras') as GeoJSONSource | undefined;
    if (!src) return;
    const byId = new Map<string, { c: Camera; covering: boolean }>();
    for (const c of this.camerasInView) byId.set(c.id, { c, covering: false });
    for (const c of this.camerasCovering) byId.set(c.id, { c, covering: true });
    const cones: GeoJSON.Feature[] = [];
    const points: GeoJSON.Feature[] = [];
    for (const { c, covering } of byId.values()) {
      const properties = { id: c.id, covering, selected: c.id === this.cameraSelected };
      cones.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [coneRing(c)] }, properties });
      points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [c.lon, c.lat] }, properties });
    }
    src.setData({ type: 'FeatureCollection', features: [...cones, ...points] });
  }

  // Draws the current state now and resolves when the map has rendered it (no tile, source or
  // fade pending).
  drawnAndIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.map.once('idle', () => resolve());
      this.dirty = { incidents: true, units: true };
      this.refresh();
      this.map.triggerRepaint();
    });
  }

  // Coalesces many changes into one source update per frame.
  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.refresh();
    });
  }

  private refresh(): void {
    const inc = this.map.getSource('incidents') as GeoJSONSource | undefined;
    const un = this.map.getSource('units') as GeoJSONSource | undefined;
    if (!inc || !un) return;
    const { incidents: incDirty, units: unitsDirty } = this.dirty;
    this.dirty = { incidents: false, units: false };
    if (incDirty) inc.setData({
      type: 'FeatureCollection',
      features: state.openIncidents().map((i) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [i.lon, i.lat] },
        properties: { id: i.id, status: i.status, priority: i.priority, selected: i.id === this.selectedIncident },
      })),
    });
    if (!unitsDirty) {
      (window as any).__pinganRendered = { ...(window as any).__pinganRendered, incidents: state.openIncidents().length, at: performance.now() };
      return;
    }
    const features: GeoJSON.Feature[] = [];
    for (const u of state.units.values()) {
      if (!u.position) continue;
      const props: Record<string, unknown> = { id: u.id, status: u.status, agency: u.agency, callsign: u.callsign };
      if (typeof u.position.heading === 'number') props.heading = u.position.heading;
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [u.position.lon, u.position.lat] }, properties: props });
    }
    un.setData({ type: 'FeatureCollection', features });
    (window as any).__pinganRendered = { incidents: state.openIncidents().length, units: features.length, at: performance.now() };
  }

  setDraft(lat: number | null, lon: number | null): void {
    if (lat === null || lon === null) {
      this.draft?.remove();
      this.draft = null;
      return;
    }
    if (!this.draft) {
      const el = document.createElement('div');
      el.className = 'draft-marker';
      this.draft = new maplibregl.Marker({ element: el });
    }
    this.draft.setLngLat([lon, lat]).addTo(this.map);
  }

  flyTo(lat: number, lon: number, zoom = 15): void {
    this.map.easeTo({ center: [lon, lat], zoom: Math.max(this.map.getZoom(), zoom), duration: 400 });
  }

  select(id: number | null): void {
    this.selectedIncident = id;
    this.dirty.incidents = true;
    this.schedule();
  }

  setCoverage(data: GeoJSON.FeatureCollection | null): void {
    const src = this.map.getSource('coverage') as GeoJSONSource | undefined;
    if (!src) return;
    if (data) src.setData(data);
    this.map.setLayoutProperty('coverage', 'visibility', data ? 'visible' : 'none');
  }

  // The hotspot overlay (place-based: grid cells, never persons): cells filled by kernel
  // density, Gi* hot cells (significant after FDR) outlined. null removes both layers.
  async setHotspots(data: HotspotCollection | null): Promise<void> {
    await this.ready;
    const m = this.map;
    for (const id of HOTSPOT_LAYERS) if (m.getLayer(id)) m.removeLayer(id);
    if (m.getSource('hotspots')) m.removeSource('hotspots');
    if (!data) return;
    m.addSource('hotspots', { type: 'geojson', data });
    // Below the coverage lines, incidents and units: the live picture stays on top.
    const below = m.getLayer('coverage') ? 'coverage' : undefined;
    const peak = data.pingan.kde?.max_density ?? 0;
    const counts = data.features.map((f) => Number(f.properties?.count ?? 0));
    const top = peak > 0 ? peak : Math.max(1, ...counts);
    const value: any = peak > 0 ? ['get', 'density'] : ['get', 'count'];
    m.addLayer({
      id: 'hotspots-fill', type: 'fill', source: 'hotspots',
      paint: {
        'fill-color': ['interpolate', ['linear'], value, ...HOTSPOT_RAMP.flatMap(([share, colour]) => [share * top, colour])] as any,
        'fill-opacity': 0.6,
      },
    }, below);
    m.addLayer({
      id: 'hotspots-hot', type: 'line', source: 'hotspots', filter: ['==', ['get', 'hotspot'], 'hot'],
      paint: { 'line-color': '#7a0010', 'line-width': 1.6 },
    }, below);
    // Bring the cells into view when the map shows somewhere else (e.g. no base map).
    const [w, s, e, n] = data.pingan.grid.bbox;
    const b = m.getBounds();
    if (b.getEast() < w || b.getWest() > e || b.getNorth() < s || b.getSouth() > n) {
      m.fitBounds([[w, s], [e, n]], { padding: 20, duration: 0 });
    }
  }

  // A containment plan (POST /api/v1/incidents/{id}/containment): a circle per checkpoint,
  // staffed green / unstaffed red, labelled by the caller (e.g. "PA-3 2:10"), and a dashed line
  // from each assigned unit's position to its checkpoint. null removes the layers.
  async setContainment(points: ContainmentPoint[] | null): Promise<void> {
    await this.ready;
    const m = this.map;
    for (const id of CONTAINMENT_LAYERS) if (m.getLayer(id)) m.removeLayer(id);
    if (m.getSource('containment')) m.removeSource('containment');
    (window as any).__pinganContainment = points ? points.length : null;
    if (!points) return;
    const features: GeoJSON.Feature[] = [];
    for (const p of points) {
      if (p.from) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: [[p.from.lon, p.from.lat], [p.lon, p.lat]] }, properties: { staffed: p.staffed } });
    }
    for (const p of points) {
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { staffed: p.staffed, label: p.label } });
    }
    m.addSource('containment', { type: 'geojson', data: { type: 'FeatureCollection', features } });
    m.addLayer({
      id: 'containment-lines', type: 'line', source: 'containment', filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': CONTAINMENT_COLOURS.staffed, 'line-width': 2, 'line-dasharray': [2, 2], 'line-opacity': 0.8 },
    });
    m.addLayer({
      id: 'containment', type: 'circle', source: 'containment', filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-radius': 8,
        'circle-color': ['case', ['boolean', ['get', 'staffed'], false], CONTAINMENT_COLOURS.staffed, CONTAINMENT_COLOURS.unstaffed],
        'circle-opacity': 0.85,
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2,
      },
    });
    m.addLayer({
      id: 'containment-labels', type: 'symbol', source: 'containment', filter: ['==', ['geometry-type'], 'Point'],
      layout: { 'text-field': ['get', 'label'], 'text-font': ['Noto Sans Regular'], 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-allow-overlap': true },
      paint: {
        'text-color': ['case', ['boolean', ['get', 'staffed'], false], '#0b5a2a', '#8f1010'],
        'text-halo-color': '#fff', 'text-halo-width': 1.5,
      },
    });
    // The whole ring in view.
    if (points.length > 0) {
      const lons = points.map((p) => p.lon), lats = points.map((p) => p.lat);
      m.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 60, maxZoom: 16, duration: 300 });
    }
  }

  // Required patrol points (必巡点位) coloured by their live state, named from zoom 14; under the
  // incidents and units. null removes them.
  async setPatrolPoints(points: PatrolPointMark[] | null): Promise<void> {
    await this.ready;
    const m = this.map;
    if (!points) {
      for (const id of PATROL_POINT_LAYERS) if (m.getLayer(id)) m.removeLayer(id);
      if (m.getSource('patrol-points')) m.removeSource('patrol-points');
      return;
    }
    const data: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: points.map((p) => ({
        type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
        properties: { id: p.id, name: p.name, state: p.state },
      })),
    };
    const src = m.getSource('patrol-points') as GeoJSONSource | undefined;
    if (src) {
      src.setData(data);
      return;
    }
    m.addSource('patrol-points', { type: 'geojson', data });
    const below = m.getLayer('incidents') ? 'incidents' : undefined;
    m.addLayer({
      id: 'patrol-points', type: 'circle', source: 'patrol-points',
      paint: {
        'circle-radius': 7,
        'circle-color': ['match', ['get', 'state'], ...Object.entries(PATROL_COLOURS).flat(), '#777'] as any,
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2,
      },
    }, below);
    m.addLayer({
      id: 'patrol-point-labels', type: 'symbol', source: 'patrol-points', minzoom: 14,
      layout: { 'text-field': ['get', 'name'], 'text-font': ['Noto Sans Regular'], 'text-size': 11, 'text-offset': [0, 1], 'text-anchor': 'top' },
      paint: { 'text-color': '#24364f', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
    }, below);
    // Bring the points into view when none is (e.g. the map shows another part of the city).
    if (points.length > 0) {
      const b = m.getBounds();
      if (!points.some((p) => b.contains([p.lon, p.lat]))) {
        const lons = points.map((p) => p.lon), lats = points.map((p) => p.lat);
        m.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 60, maxZoom: 16, duration: 0 });
      }
    }
  }

  // A suggested patrol tour: the line (the road path when the server gives one, else straight
  // from the unit through the stops) and numbered rings around the stops' points (the point's
  // colour stays visible inside) labelled with their arrival time, late stops red. null removes
  // it; fit: bring it into view.
  async setPatrolTour(tour: PatrolTourMark | null, fit = false): Promise<void> {
    await this.ready;
    const m = this.map;
    const old = m.getSource('patrol-tour') as GeoJSONSource | undefined;
    if (!tour) {
      for (const id of PATROL_TOUR_LAYERS) if (m.getLayer(id)) m.removeLayer(id);
      if (old) m.removeSource('patrol-tour');
      return;
    }
    const features: GeoJSON.Feature[] = [];
    if (tour.path.length >= 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: tour.path }, properties: {} });
    for (const s of tour.stops) {
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [s.lon, s.lat] }, properties: { n: s.n, label: s.label, late: s.late } });
    }
    const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
    if (old) old.setData(data); // a refresh: the layers stay
    else this.addPatrolTourLayers(data);
    const coords = [...tour.path, ...tour.stops.map((s) => [s.lon, s.lat] as [number, number])];
    if (fit && coords.length > 0) {
      const lons = coords.map((c) => c[0]), lats = coords.map((c) => c[1]);
      m.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 60, maxZoom: 16, duration: 300 });
    }
  }

  private addPatrolTourLayers(data: GeoJSON.FeatureCollection): void {
    const m = this.map;
    m.addSource('patrol-tour', { type: 'geojson', data });
    m.addLayer({
      id: 'patrol-tour-line', type: 'line', source: 'patrol-tour', filter: ['==', ['geometry-type'], 'LineString'],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': PATROL_TOUR_COLOURS.line, 'line-width': 4, 'line-opacity': 0.75 },
    });
    const stopColour = ['case', ['boolean', ['get', 'late'], false], PATROL_TOUR_COLOURS.late, PATROL_TOUR_COLOURS.stop] as any;
    m.addLayer({
      id: 'patrol-tour-stops', type: 'circle', source: 'patrol-tour', filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 12, 'circle-opacity': 0, 'circle-stroke-color': stopColour, 'circle-stroke-width': 3 },
    });
    m.addLayer({
      id: 'patrol-tour-numbers', type: 'symbol', source: 'patrol-tour', filter: ['==', ['geometry-type'], 'Point'],
      layout: {
        'text-field': ['get', 'n'], 'text-font': ['Noto Sans Regular'], 'text-size': 13, 'text-offset': [-1.2, -1.2],
        'text-allow-overlap': true, 'text-ignore-placement': true,
      },
      paint: { 'text-color': '#fff', 'text-halo-color': stopColour, 'text-halo-width': 4 },
    });
    m.addLayer({
      id: 'patrol-tour-labels', type: 'symbol', source: 'patrol-tour', filter: ['==', ['geometry-type'], 'Point'],
      layout: { 'text-field': ['get', 'label'], 'text-font': ['Noto Sans Regular'], 'text-size': 11, 'text-offset': [0, 1.5], 'text-anchor': 'top', 'text-allow-overlap': true },
      paint: {
        'text-color': ['case', ['boolean', ['get', 'late'], false], '#8f1010', '#3b2470'],
        'text-halo-color': '#fff', 'text-halo-width': 1.5,
      },
    });
  }

  // The visible area as the camera routes take it: latitudes clamped, longitudes in
  // [-180, 180] (west > east when it crosses the antimeridian), the whole world once wider.
  viewport(): { south: number; west: number; north: number; east: number } {
    const b = this.map.getBounds();
    const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;
    const clampLat = (lat: number) => Math.max(-90, Math.min(90, lat));
    const wide = b.getEast() - b.getWest() >= 360;
    return {
      south: clampLat(b.getSouth()),
      north: clampLat(b.getNorth()),
      west: wide ? -180 : wrap(b.getWest()),
      east: wide ? 180 : wrap(b.getEast()),
    };
  }

  resize(): void {
    this.map.resize();
  }
}

export interface ContainmentPoint {
  lat: number;
  lon: number;
  staffed: boolean;
  label: string;
  from?: { lat: number; lon: number } | null; // the assigned unit's position
}
export const CONTAINMENT_LAYERS = ['containment-labels', 'containment', 'containment-lines'];
export const CONTAINMENT_COLOURS = { staffed: '#18a558', unstaffed: '#d62828' };

// Required patrol points by live state: met green, owed now blue, about to be missed amber,
// overdue red, nothing owed now (no shift on duty, or the window not open) grey.
export const PATROL_COLOURS = { met: '#2e9d4b', pending: '#2f6fd6', idle: '#9aa0a6', about_to_miss: '#d98a00', overdue: '#cf2e2e' };
export type PatrolPointState = keyof typeof PATROL_COLOURS;
export interface PatrolPointMark {
  id: string;
  name: string;
  lat: number;
  lon: number;
  state: PatrolPointState;
}
export interface PatrolTourMark {
  path: Array<[number, number]>; // [lon, lat]
  stops: Array<{ lat: number; lon: number; n: string; label: string; late: boolean }>; // n: "1", or "1,6" for a point visited twice
}
export const PATROL_POINT_LAYERS = ['patrol-point-labels', 'patrol-points'];
export const PATROL_TOUR_LAYERS = ['patrol-tour-labels', 'patrol-tour-numbers', 'patrol-tour-stops', 'patrol-tour-line'];
export const PATROL_TOUR_COLOURS = { line: '#6a3fb5', stop: '#4b2a99', late: '#cf2e2e' };

export const HOTSPOT_LAYERS = ['hotspots-hot', 'hotspots-fill'];
// Share of the peak density -> colour (transparent yellow to dark red).
export const HOTSPOT_RAMP: Array<[number, string]> = [
  [0, 'rgba(255,255,178,0)'],
  [0.05, 'rgba(255,237,160,0.55)'],
  [0.25, 'rgba(254,178,76,0.8)'],
  [0.5, 'rgba(240,59,32,0.9)'],
  [1, 'rgba(128,0,38,0.95)'],
];

export { OPEN_STATUSES };
