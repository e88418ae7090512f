// The map: the offline base map from pingan (/tiles/style.json), incidents, units with heading
// arrows, cameras with their view cones, the coverage overlay, required patrol points and a suggested
// tour, and the call-taker's draft location.
//
// Every source change makes MapLibre draw the whole map again, and without a GPU (Chromium's
// SwiftShader and software compositing) one frame of a city at zoom 13 holds the page's main
// thread for about 250 ms while the canvas is rasterised and read back: the stream and the
// queue wait behind it. So the live layers change at most once a second (positions come once
// a second): one round sends incidents and units together, and only what changed
// (`updateData` by feature id, so only the tiles under the changed points are cut again); the
// map is not drawn again while a round's tiles are still being cut (one frame per round, not
// one per tile); symbols do not fade (`fadeDuration: 0`: a fade is 300 ms of frames); and the
// units' symbols (heading arrows, call signs) start at the zooms where they can be read.
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

// Symbols are the dearest thing to draw for 2,000 units (laid out in the worker, placed and
// drawn in every frame); below these zooms a unit is its circle (status fill, agency ring).
export const UNIT_ARROWS_FROM_ZOOM = 14;
export const UNIT_LABELS_FROM_ZOOM = 15;

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

// Incidents and units are sent to the map at most this often (the server sends positions once
// a second); the first change after a quiet spell is sent in the next frame.
const LIVE_EVERY_MS = 1000;
// How long a frame may wait for a round's tiles before the map is drawn anyway.
const LIVE_WAIT_MS = 1000;

// What a live source holds, by feature id, and what changed since it was last sent.
class LiveSource {
  drawn = new Set<number>(); // ids of the features the source holds
  changed = new Set<number>(); // ids to send again (added, changed or gone)
  all = true; // send everything again (first draw, reset)

  get dirty(): boolean {
    return this.all || this.changed.size > 0;
  }

  // Sends the changes: the whole collection when asked or when most features changed (cheaper
  // for the worker than a diff as large as the data), else a diff. feature(id) is the feature
  // to draw for that id now, or null when it is not to be drawn.
  // Resolves when the worker has the data.
  send(src: GeoJSONSource, ids: () => Iterable<number>, feature: (id: number) => GeoJSON.Feature | null): Promise<void> {
    if (this.all || this.changed.size > Math.max(64, this.drawn.size / 2)) {
      this.all = false;
      this.changed.clear();
      this.drawn.clear();
      const features: GeoJSON.Feature[] = [];
      for (const id of ids()) {
        const f = feature(id);
        if (!f) continue;
        features.push(f);
        this.drawn.add(id);
      }
      return src.setData({ type: 'FeatureCollection', features }, true);
    }
    const add: GeoJSON.Feature[] = [];
    const remove: number[] = [];
    for (const id of this.changed) {
      const f = feature(id);
      if (f) {
        add.push(f); // replaces the feature with the same id
        this.drawn.add(id);
      } else if (this.drawn.delete(id)) {
        remove.push(id);
      }
    }
    this.changed.clear();
    if (add.length === 0 && remove.length === 0) return Promise.resolve();
    return src.updateData({ add, remove }, true);
  }
}

export class ConsoleMap {
  map: MlMap;
  private frame = 0; // requestAnimationFrame handle of the next round, 0: none asked
  private roundTimer: number | undefined; // the next round, when one is due later
  private sentAt = -Infinity; // performance.now() of the last round
  private cutting = 0; // rounds whose tiles the worker is still cutting
  private rounds = { started: 0, done: 0 }; // rounds sent, and the last one whose tiles are cut
  private held: number | undefined; // a repaint held back while cutting (the timer that forces it)
  // What changed since the last send, per live source: an incident event does not re-tile
  // 2,000 units, and a position report re-tiles only the tiles of the units that moved.
  private incidents = new LiveSource();
  private units = new LiveSource();
  private draft: maplibregl.Marker | null = null;
  // Cameras drawn: those the cameras panel lists for the view, and those covering the open
  // incident (highlighted); a camera in both is drawn once, highlighted.
  private camerasInView: Camera[] = [];
  private camerasCovering: Camera[] = [];
  private cameraSelected: string | null = null;
  selectedIncident: number | null = null;
  ready: Promise<void>;

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
      // Labels appear at once rather than fading in over 300 ms: a fade is a frame every 16 ms
      // for each change, and without a GPU every frame is paid for on the main thread.
      fadeDuration: 0,
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
    // While a round's tiles are being cut, each tile that arrives asks for a frame of the whole
    // map; they are held back until the last one (or LIVE_WAIT_MS), unless the map is moving.
    const repaint = this.map.triggerRepaint.bind(this.map);
    this.map.triggerRepaint = () => {
      if (this.cutting > 0 && !this.map.isMoving()) {
        this.held ??= window.setTimeout(() => {
          this.held = undefined;
          repaint();
        }, LIVE_WAIT_MS);
        return;
      }
      if (this.held !== undefined) {
        clearTimeout(this.held);
        this.held = undefined;
      }
      repaint();
    };
    // The live layers are added as soon as the style is parsed ('style.load'), not after the
    // base map's first tiles have been drawn ('load'): incidents and units are cut while the
    // road tiles load, and the first meaningful paint waits for the slower of the two, not both.
    this.ready = new Promise((resolve) => this.map.once('style.load', () => { this.addLayers(); resolve(); }));
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
      switch (c.kind) {
        case 'reset':
          this.incidents.all = true;
          this.units.all = true;
          break;
        case 'incident':
          if (c.id !== undefined) this.incidents.changed.add(c.id);
          else this.incidents.all = true;
          break;
        case 'unit':
          if (c.id !== undefined) this.units.changed.add(c.id);
          else this.units.all = true;
          break;
        case 'positions':
          if (c.ids) for (const id of c.ids) this.units.changed.add(id);
          else this.units.all = true;
          break;
        default:
          // An assignment changes no drawn property (status comes with its own event); alerts
          // are not on the map.
          return;
      }
      this.schedule();
    });
  }

  // The base map's style from pingan, tile URLs made absolute; null when there is none.
  static async loadStyle(): Promise<StyleSpecification | null> {
    try {
      const style = await get<StyleSpecification>('/tiles/style.json');
      for (const src of Object.values(style.sources)) {
        const v = src as { tiles?: string[] };
        // Made absolute by hand: new URL() would escape the {z}/{x}/{y} placeholders.
        if (v.tiles) v.tiles = v.tiles.map((t) => (t.startsWith('/') ? location.origin + t : t));
      }
      return style;
    } catch {
      return null;
    }
  }

  // style: the base map's style when it is already being read (see loadStyle).
  static async create(o: MapOptions, style?: Promise<StyleSpecification | null>): Promise<ConsoleMap> {
    const s = o.withBaseMap ? await (style ?? ConsoleMap.loadStyle()) : null;
    return new ConsoleMap(o, s);
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
      id: 'unit-arrows', type: 'symbol', source: 'units', filter: ['has', 'heading'], minzoom: UNIT_ARROWS_FROM_ZOOM,
      layout: {
        'icon-image': 'arrow', 'icon-size': 0.55, 'icon-rotate': ['get', 'heading'],
        'icon-rotation-alignment': 'map', 'icon-allow-overlap': true, 'icon-ignore-placement': true,
        'icon-offset': [0, -14],
      },
      paint: { 'icon-color': ['match', ['get', 'agency'], ...Object.entries(AGENCY_COLOURS).flat(), '#333'] as any },
    });
    m.addLayer({
      id: 'unit-labels', type: 'symbol', source: 'units', minzoom: UNIT_LABELS_FROM_ZOOM,
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

  // Resolves when the map has drawn the current state over the base map's tiles: the first
  // frame after the round that sends it and every tile in view have loaded. Not MapLibre's
  // 'idle', which never comes while units report faster than the map settles.
  async drawn(): Promise<void> {
    await this.ready;
    const pending = this.frame !== 0 || this.incidents.dirty || this.units.dirty;
    const round = this.rounds.started + (pending ? 1 : 0);
    this.schedule(true);
    await new Promise<void>((resolve) => {
      const check = () => {
        if (this.rounds.done < round || !this.map.areTilesLoaded()) return;
        this.map.off('render', check);
        resolve();
      };
      this.map.on('render', check);
      this.map.triggerRepaint();
    });
  }

  // Coalesces changes into rounds, at most one every LIVE_EVERY_MS; `now`: in the next frame
  // whatever the pace (the user selected something).
  schedule(now = false): void {
    if (this.frame || (!this.incidents.dirty && !this.units.dirty)) return;
    const wait = now ? 0 : this.sentAt + LIVE_EVERY_MS - performance.now();
    if (wait > 0) {
      this.roundTimer ??= window.setTimeout(() => {
        this.roundTimer = undefined;
        this.schedule();
      }, wait);
      return;
    }
    clearTimeout(this.roundTimer);
    this.roundTimer = undefined;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      void this.refresh();
    });
  }

  private incidentFeature = (id: number): GeoJSON.Feature | null => {
    const i = state.incidents.get(id);
    if (!i || !OPEN_STATUSES.includes(i.status)) return null;
    return {
      type: 'Feature', id,
      geometry: { type: 'Point', coordinates: [i.lon, i.lat] },
      properties: { id, status: i.status, priority: i.priority, selected: id === this.selectedIncident },
    };
  };

  private unitFeature = (id: number): GeoJSON.Feature | null => {
    const u = state.units.get(id);
    if (!u?.position) return null;
    const props: Record<string, unknown> = { id, status: u.status, agency: u.agency, callsign: u.callsign };
    if (typeof u.position.heading === 'number') props.heading = u.position.heading;
    return { type: 'Feature', id, geometry: { type: 'Point', coordinates: [u.position.lon, u.position.lat] }, properties: props };
  };

  // One round: sends what changed to both live sources and resolves when the worker has cut
  // the tiles that show it.
  private async refresh(): Promise<void> {
    const inc = this.map.getSource('incidents') as GeoJSONSource | undefined;
    const un = this.map.getSource('units') as GeoJSONSource | undefined;
    if (!inc || !un) return;
    this.sentAt = performance.now();
    const round = ++this.rounds.started;
    const sent: Promise<void>[] = [];
    if (this.incidents.dirty) sent.push(this.incidents.send(inc, () => state.incidents.keys(), this.incidentFeature));
    if (this.units.dirty) sent.push(this.units.send(un, () => state.units.keys(), this.unitFeature));
    (window as any).__pinganRendered = { incidents: this.incidents.drawn.size, units: this.units.drawn.size, at: performance.now() };
    this.cutting += 1;
    try {
      await Promise.all(sent);
      // The sources have the data; their tiles are cut next, one worker answer each.
      const until = performance.now() + LIVE_WAIT_MS;
      while (!this.map.isSourceLoaded('incidents') || !this.map.isSourceLoaded('units')) {
        const left = until - performance.now();
        if (left <= 0) break;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.map.off('sourcedata', done);
            resolve();
          };
          const timer = window.setTimeout(done, left);
          this.map.on('sourcedata', done);
        });
      }
    } catch {
      // a source removed with the style: nothing to wait for
    } finally {
      this.cutting -= 1;
      this.rounds.done = Math.max(this.rounds.done, round);
      this.map.triggerRepaint();
    }
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
    if (this.selectedIncident !== null) this.incidents.changed.add(this.selectedIncident);
    if (id !== null) this.incidents.changed.add(id);
    this.selectedIncident = id;
    this.schedule(true);
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
