// The vehicle terminal (/unit): a unit account sees its current assignment, sets its status
// with big buttons, and reports its position: from the browser's geolocation when the device
// has it and allows it, otherwise simulated (driving towards the incident, or standing still).
import { ApiError, Incident, Me, Unit, get, getToken, onConnectionProblem, post, setToken } from './api';
import { clear, h } from './dom';
import { getLang, onLangChange, setLang, t } from './i18n';
import { LiveStream } from './stream';
import { categoryLabel } from './taxonomy';
import { clock, setCentreOffset } from './time';
import { state } from './state';
import { EvidenceView } from './views/evidence';

export async function startUnitPage(root: HTMLElement): Promise<void> {
  let me: Me | null = null;
  if (getToken()) me = await get<Me>('/api/v1/me').catch(() => null);
  if (!me) return unitLogin(root);
  if (me.role !== 'unit' || me.unit_id === null) {
    clear(root);
    root.append(h('div', { class: 'login-page' }, h('div', { class: 'login' },
      h('p', { class: 'msg error' }, t('unitpage.not_unit')),
      h('a', { href: '/' }, t('unitpage.to_console')))));
    return;
  }
  const settings = await get<{ utc_offset_minutes: number }>('/api/v1/console').catch(() => null);
  if (settings) setCentreOffset(settings.utc_offset_minutes);
  state.taxonomy = await get<typeof state.taxonomy>('/api/v1/taxonomy').catch(() => null);
  const unitId = me.unit_id;
  let unit = await get<Unit>(`/api/v1/units/${unitId}`);
  let incident: Incident | null = null;
  let message: { text: string; kind: string } | null = null;
  let mode: 'gps' | 'simulated' | 'off' = 'off';
  let watch: number | null = null;
  let simTimer: number | undefined;
  let last: { lat: number; lon: number } | null = unit.position ? { lat: unit.position.lat, lon: unit.position.lon } : null;
  let lastSent = '';

  const loadIncident = async () => {
    incident = unit.incident_id ? await get<Incident>(`/api/v1/incidents/${unit.incident_id}`).catch(() => null) : null;
  };
  await loadIncident();

  const report = async (lat: number, lon: number, heading: number | null, speed: number | null) => {
    last = { lat, lon };
    const body: Record<string, number> = { lat: Number(lat.toFixed(7)), lon: Number(lon.toFixed(7)) };
    if (heading !== null && Number.isFinite(heading)) body.heading = Math.round(((heading % 360) + 360) % 360);
    if (speed !== null && Number.isFinite(speed)) body.speed = Math.min(150, Math.max(0, speed));
    try {
      await post(`/api/v1/units/${unitId}/position`, body);
      lastSent = new Date().toISOString();
    } catch {
      /* shown by the connection banner; the next report tries again */
    }
    render();
  };

  // Simulation: 12 m/s towards the incident, else stay put (the terminal still reports).
  const simulate = () => {
    clearInterval(simTimer);
    simTimer = window.setInterval(() => {
      if (!last) return;
      let heading: number | null = null;
      let speed = 0;
      if (incident && (unit.status === 'dispatched' || unit.status === 'en_route')) {
        const dy = (incident.lat - last.lat) * 111_320;
        const dx = (incident.lon - last.lon) * 111_320 * Math.cos((last.lat * Math.PI) / 180);
        const d = Math.hypot(dx, dy);
        heading = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
        const step = Math.min(d, 24);
        if (d > 1) {
          last = { lat: last.lat + (dy / d) * step / 111_320, lon: last.lon + (dx / d) * step / (111_320 * Math.cos((last.lat * Math.PI) / 180)) };
          speed = 12;
        }
      }
      void report(last.lat, last.lon, heading, speed);
    }, 2000);
  };
  const startPositions = (want: 'gps' | 'simulated' | 'off') => {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    clearInterval(simTimer);
    mode = want;
    if (want === 'gps' && 'geolocation' in navigator) {
      watch = navigator.geolocation.watchPosition(
        (p) => void report(p.coords.latitude, p.coords.longitude, p.coords.heading, p.coords.speed),
        () => {
          message = { text: t('unitpage.no_gps'), kind: 'info' };
          startPositions('simulated');
        },
        { enableHighAccuracy: true, maximumAge: 5000 },
      );
    } else if (want === 'simulated') {
      simulate();
    }
    render();
  };

  const setStatus = async (status: string) => {
    try {
      unit = await post<Unit>(`/api/v1/units/${unitId}/status`, { status });
      message = { text: t('unitpage.status_set', { status: t(`unit.${status}`) }), kind: 'ok' };
      await loadIncident();
    } catch (e) {
      message = { text: e instanceof ApiError ? e.problem.detail : String(e), kind: 'error' };
    }
    render();
  };

  const conn = h('div', { class: 'conn', id: 'conn' });
  const stream = new LiveStream({
    event: async (e) => {
      const p = e.payload ?? {};
      const mine = (e.kind.startsWith('unit.') && p.id === unitId) || (e.kind.startsWith('assignment.') && p.unit_id === unitId) ||
        (e.kind.startsWith('incident.') && incident && p.id === incident.id);
      if (!mine) return;
      unit = await get<Unit>(`/api/v1/units/${unitId}`);
      await loadIncident();
      render();
    },
    positions: () => undefined,
    state: (s) => {
      conn.className = `conn ${s}`;
      conn.textContent = t(`conn.${s}`);
      if (s === 'unauthenticated') void unitLogin(root, true);
    },
    resync: async () => {
      unit = await get<Unit>(`/api/v1/units/${unitId}`);
      await loadIncident();
      render();
    },
    tokenValid: async () => get('/api/v1/me').then(() => true, (e) => !(e instanceof ApiError && e.problem.status === 401)),
  });
  onConnectionProblem((k) => { if (k === 'unauthenticated') void unitLogin(root, true); });

  const buttons: Array<[string, string[]]> = [
    ['en_route', ['dispatched']],
    ['on_scene', ['dispatched', 'en_route']],
    ['available', ['on_scene', 'out_of_service', 'off_duty', 'dispatched', 'en_route']],
    ['out_of_service', ['available', 'off_duty']],
  ];

  // Evidence (issue 8): an officer scans a label to see an item and confirm a hand-over. The
  // view keeps its own element, so the page's re-renders (every position report) keep what is
  // being typed or scanned, and the caret.
  const evidence = new EvidenceView({ me: me! });
  evidence.render();

  function render(): void {
    const active = document.activeElement;
    const keep = active instanceof HTMLInputElement && evidence.el.contains(active)
      ? { el: active, start: active.selectionStart, end: active.selectionEnd } : null;
    clear(root);
    root.append(h('div', { class: 'unit-page' },
      h('header', {}, h('h1', {}, unit.callsign), h('span', { class: `ustatus u-${unit.status}`, id: 'unit-status' }, t(`unit.${unit.status}`)), conn,
        h('button', { class: 'lang', id: 'lang-switch', onclick: () => setLang(getLang() === 'zh-CN' ? 'en' : 'zh-CN') }, getLang() === 'zh-CN' ? 'English' : '中文')),
      message ? h('p', { class: `msg ${message.kind}`, id: 'unit-message' }, message.text) : null,
      h('section', { class: 'assignment', id: 'unit-assignment' },
        h('h2', {}, t('unitpage.assignment')),
        incident
          ? h('div', {}, h('p', { class: 'big' }, `${incident.number} · ${categoryLabel(incident.category)} · P${incident.priority}`),
              h('p', {}, incident.address || `${incident.lat.toFixed(5)}, ${incident.lon.toFixed(5)}`),
              incident.description ? h('p', { class: 'desc' }, incident.description) : null)
          : h('p', { class: 'empty' }, t('unitpage.none'))),
      h('section', { class: 'status-buttons' }, ...buttons.map(([s, from]) =>
        h('button', { class: `big-button b-${s}`, id: `unit-${s}`, disabled: !from.includes(unit.status), onclick: () => setStatus(s) }, t(`unitpage.${s}`)))),
      h('section', { class: 'position' },
        h('h2', {}, t('unitpage.position')),
        h('p', {}, last ? `${last.lat.toFixed(5)}, ${last.lon.toFixed(5)}` : t('unitpage.no_position'), ' · ', t(`unitpage.mode_${mode}`), lastSent ? ` · ${clock(lastSent)}` : ''),
        h('div', { class: 'row' },
          h('button', { id: 'pos-gps', onclick: () => startPositions('gps'), disabled: !('geolocation' in navigator) }, t('unitpage.use_gps')),
          h('button', { id: 'pos-sim', onclick: () => startPositions('simulated') }, t('unitpage.simulate')),
          h('button', { id: 'pos-off', onclick: () => startPositions('off') }, t('unitpage.stop')))),
      h('section', { class: 'unit-evidence' }, evidence.el),
      h('footer', {}, h('button', { class: 'link', onclick: async () => { await post('/api/v1/logout', {}).catch(() => undefined); setToken(null); stream.stop(); location.reload(); } }, t('auth.logout')))));
    if (keep && keep.el.isConnected) {
      keep.el.focus();
      keep.el.setSelectionRange(keep.start, keep.end);
    }
  }
  onLangChange(() => {
    evidence.render();
    render();
  });
  render();
  stream.start(null);
  // Geolocation when the device has it; tests and desks without it get the simulation.
  startPositions('geolocation' in navigator && window.isSecureContext && location.hostname !== '127.0.0.1' ? 'gps' : 'simulated');
}

async function unitLogin(root: HTMLElement, expired = false): Promise<void> {
  clear(root);
  const msg = h('p', { class: 'msg error', id: 'login-message' }, expired ? t('auth.expired_kept') : '');
  msg.hidden = !expired;
  const user = h('input', { id: 'login-user', type: 'text', autocomplete: 'username' });
  const pass = h('input', { id: 'login-password', type: 'password', autocomplete: 'current-password' });
  root.append(h('div', { class: 'login-page' }, h('form', {
    class: 'login', onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        const r = await post<{ token: string }>('/api/v1/login', { username: user.value, password: pass.value });
        setToken(r.token);
        location.reload();
      } catch (err) {
        msg.hidden = false;
        msg.textContent = err instanceof ApiError && err.problem.status === 401 ? t('auth.failed') : String(err);
      }
    },
  }, h('h1', {}, t('unitpage.title')), msg,
    h('label', { class: 'field' }, h('span', { class: 'label' }, t('auth.username')), user),
    h('label', { class: 'field' }, h('span', { class: 'label' }, t('auth.password')), pass),
    h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, t('auth.login')))));
}
