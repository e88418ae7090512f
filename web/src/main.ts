// The command console: log in, load a snapshot, follow the stream, and show call-taking, the
// queue, units, alerts, statistics, cameras and patrols next to the map. /unit is the vehicle terminal page.
import './style.css';
import { Alert, ApiError, CamerasInView, ConsoleSettings, Incident, Me, PatrolPlan, Taxonomy, Unit, get, getToken, onConnectionProblem, post, probe, setToken } from './api';
import { App, Features, can } from './app';
import { append, clear, h } from './dom';
import { Lang, getLang, onLangChange, setLang, t } from './i18n';
import { ConsoleMap } from './map';
import { CLOSED_STATUSES, OPEN_STATUSES, state } from './state';
import { CameraPlayer } from './player';
import { LiveStream, StreamState } from './stream';
import { setCentreOffset, zoneLabel } from './time';
import { startUnitPage } from './unit';
import { CallView } from './views/call';
import { DetailView } from './views/detail';
import { QueueView } from './views/queue';
import { AnalysisView } from './views/analysis';
import { CamerasView } from './views/cameras';
import { CasesView } from './views/cases';
import { EvidenceView } from './views/evidence';
import { OversightView } from './views/oversight';
import { PatrolView } from './views/patrol';
import { AlertsView, StatsView, UnitsView } from './views/units';

const root = document.getElementById('app')!;
(window as any).__pinganT0 = performance.now();

// ---- login (also used, as an overlay, when a session expires mid-shift) ----
function loginForm(onDone: (me: Me) => void, expired: boolean): HTMLElement {
  const msg = h('p', { class: 'msg error', id: 'login-message', role: 'alert' });
  msg.hidden = !expired;
  if (expired) msg.textContent = t('auth.expired_kept');
  const user = h('input', { id: 'login-user', type: 'text', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', {
    class: 'login', onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        const r = await post<{ token: string; username: string; role: Me['role']; unit_id: number | null; team?: string }>('/api/v1/login', { username: user.value, password: pass.value });
        setToken(r.token);
        onDone({ username: r.username, role: r.role, unit_id: r.unit_id, team: r.team });
      } catch (err) {
        const p = err instanceof ApiError ? err.problem : null;
        msg.hidden = false;
        msg.textContent = p?.status === 401 ? t('auth.failed') : p?.status === 429 ? t('auth.throttled') : p?.status === 0 ? t('conn.unreachable') : String(err);
      }
    },
  },
    h('h1', {}, '平安 pingan'),
    h('p', { class: 'sub' }, t('app.subtitle')),
    msg,
    h('label', { class: 'field' }, h('span', { class: 'label' }, t('auth.username')), user),
    h('label', { class: 'field' }, h('span', { class: 'label' }, t('auth.password')), pass),
    h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, t('auth.login')),
    langSwitch());
  setTimeout(() => user.focus(), 0);
  return form;
}

function langSwitch(): HTMLElement {
  const other: Lang = getLang() === 'zh-CN' ? 'en' : 'zh-CN';
  return h('button', { type: 'button', class: 'lang', id: 'lang-switch', title: 'Alt+G', onclick: () => setLang(other) }, other === 'en' ? 'English' : '中文');
}

async function start(): Promise<void> {
  if (location.pathname.startsWith('/unit')) return startUnitPage(root);
  if (getToken()) {
    try {
      const me = await get<Me>('/api/v1/me');
      return startConsole(me);
    } catch {
      setToken(null);
    }
  }
  clear(root);
  root.append(h('div', { class: 'login-page' }, loginForm((me) => void startConsole(me), false)));
  onLangChange(() => { if (!getToken()) void start(); });
}

async function startConsole(me: Me): Promise<void> {
  if (me.role === 'unit') {
    history.replaceState(null, '', '/unit');
    return startUnitPage(root);
  }
  const settings = await get<ConsoleSettings>('/api/v1/console').catch(() => ({ utc_offset_minutes: -new Date().getTimezoneOffset(), map: false, streets: 0, addresses: 0 }));
  setCentreOffset(settings.utc_offset_minutes);
  // Optional parts of the API (issue 4): each panel is hidden when its route is not there.
  const [taxonomy, alerts, triage, coverage, merge, cameras, patrol] = await Promise.all([
    get<Taxonomy>('/api/v1/taxonomy').catch(() => null),
    probe('/api/v1/alerts'),
    routeExists('POST', '/api/v1/triage'),
    // An agency it does not know: answered 400 at once, without computing any coverage.
    routeExists('GET', '/api/v1/coverage?agency=_'),
    routeExists('POST', '/api/v1/incidents/0/merge'),
    // The whole world, one item: how many cameras the register holds (0 without --cameras).
    get<CamerasInView>('/api/v1/cameras?south=-90&west=-180&north=90&east=180&limit=1').then((r) => r.total).catch(() => null),
    // The patrol plan (serve --patrol): 503 without one, 404 on a server without patrol routes.
    patrolPlan(),
  ]);
  state.taxonomy = taxonomy;
  const features: Features = { taxonomy: !!taxonomy, triage, recommendations: null, alerts, coverage, merge, cameras, patrol: patrol === undefined ? null : patrol !== null };

  // ---- layout ----
  clear(root);
  const tabs = h('nav', { class: 'tabs', id: 'tabs' });
  const side = h('div', { class: 'side', id: 'side' });
  const mapBox = h('div', { class: 'map', id: 'map' });
  const banner = h('div', { class: 'conn', id: 'conn', role: 'status' });
  const alertBanner = h('button', { class: 'alert-banner', id: 'alert-banner', hidden: true, onclick: () => app.setTab('alerts') });
  const toasts = h('div', { class: 'toasts' });
  const userBox = h('div', { class: 'user' });
  const top = h('header', { class: 'top' }, h('div', { class: 'brand' }, '平安', h('small', {}, ' pingan')), tabs, alertBanner, h('div', { class: 'spacer' }), banner, userBox);
  const detailHost = h('div', { class: 'detail-host' });
  root.append(h('div', { class: 'console' }, top, h('main', {}, side, mapBox, detailHost), toasts));
  const player = new CameraPlayer();

  const stream = new LiveStream({
    event: (e) => state.apply(e),
    positions: (e) => state.positions(e),
    state: (s, d) => showConn(s, d),
    resync: () => loadSnapshot(),
    tokenValid: async () => {
      try {
        await get('/api/v1/me');
        return true;
      } catch (e) {
        return !(e instanceof ApiError && e.problem.status === 401);
      }
    },
  });

  let currentTab = '';
  // enter/leave: the view is shown / hidden (e.g. to draw on the map only while shown).
  const views: Record<string, { el: HTMLElement; render(): void | Promise<void>; focus?(): void; enter?(): void; leave?(): void }> = {};
  const app: App = {
    me, settings, features, map: null, stream, selectedIncident: null,
    openIncident: (id) => {
      app.selectedIncident = id;
      void detail.open(id);
      detailHost.classList.toggle('open', id !== null);
      setTimeout(() => app.map?.resize(), 0);
    },
    setTab: (tab) => {
      if (!views[tab]) return;
      if (currentTab !== tab) views[currentTab]?.leave?.();
      currentTab = tab;
      for (const b of tabs.querySelectorAll('button')) b.classList.toggle('on', (b as HTMLElement).dataset.tab === tab);
      clear(side);
      side.append(views[tab].el);
      void views[tab].render();
      views[tab].enter?.();
      views[tab].focus?.();
      sessionStorage.setItem('pingan.tab', tab);
    },
    toast: (text, kind = 'info') => {
      const el = h('div', { class: `toast ${kind}` }, text);
      toasts.append(el);
      setTimeout(() => el.remove(), 5000);
    },
    rerender: () => renderAll(),
    playCamera: (camera, incidentId = null) => {
      const inc = incidentId !== null ? state.incidents.get(incidentId) : undefined;
      void player.play(camera, incidentId !== null ? { id: incidentId, number: inc?.number ?? `#${incidentId}` } : null);
    },
  };
  (window as any).__pinganApp = app;

  function showConn(s: StreamState, _d?: string): void {
    banner.className = `conn ${s}`;
    banner.textContent = t(`conn.${s}`);
    if (s === 'unauthenticated') showLogin();
  }

  let loginShown = false;
  function showLogin(): void {
    if (loginShown) return;
    loginShown = true;
    const overlay = h('div', { class: 'overlay', id: 'relogin' }, loginForm((again) => {
      overlay.remove();
      loginShown = false;
      if (again.username !== me.username) app.toast(t('auth.other_user'), 'info');
      stream.resume();
    }, true));
    root.append(overlay);
  }
  onConnectionProblem((kind) => {
    if (kind === 'unauthenticated') showLogin();
    else if (kind === 'unreachable') showConn('reconnecting');
  });

  // ---- views by role ----
  const call = can.intake(me.role) ? new CallView(app) : null;
  if (call) views.call = call;
  views.queue = new QueueView(app);
  views.units = new UnitsView(app);
  views.alerts = new AlertsView(app);
  if (can.stats(me.role)) views.stats = new StatsView(app);
  if (can.analysis(me.role)) views.analysis = new AnalysisView(app);
  if (can.cases(me.role)) {
    views.cases = new CasesView(app);
    views.evidence = new EvidenceView(app);
  }
  if (can.oversight(me.role)) views.oversight = new OversightView(app);
  // Only where the register holds cameras: an empty panel on every console helps nobody.
  const camerasView = features.cameras ? new CamerasView(app) : null;
  if (camerasView) views.cameras = camerasView;
  // Every role of the console may watch patrols; without a plan the tab says so.
  const patrolView = patrol !== undefined ? new PatrolView(app, patrol) : null;
  if (patrolView) views.patrol = patrolView;
  const detail = new DetailView(app);
  detailHost.append(detail.el);

  function renderTabs(): void {
    clear(tabs);
    const keys: Record<string, string> = { call: 'N', queue: 'Q', units: 'U', alerts: 'A', stats: 'T', analysis: 'Y', cases: 'K', evidence: 'E', oversight: 'O', cameras: 'V', patrol: 'P' };
    for (const tab of Object.keys(views)) {
      tabs.append(h('button', { 'data-tab': tab, id: `tab-${tab}`, class: tab === currentTab ? 'on' : '', title: `Alt+${keys[tab]}`, onclick: () => app.setTab(tab) }, t(`tab.${tab}`)));
    }
  }
  function renderUser(): void {
    clear(userBox);
    append(userBox, 
      h('span', { class: 'who', id: 'who' }, `${me.username} · ${t(`role.${me.role}`)}`),
      h('span', { class: 'zone', title: t('app.zone') }, zoneLabel()),
      langSwitch(),
      h('button', { type: 'button', class: 'link', title: '?', onclick: () => app.toast(t('help.keys'), 'info') }, '⌨'),
      features.coverage
        ? h('span', { class: 'toggle' },
            h('label', {}, h('input', { type: 'checkbox', id: 'coverage-toggle', checked: coverageOn, onchange: (e: Event) => toggleCoverage((e.target as HTMLInputElement).checked) }), t('map.coverage')),
            h('select', { id: 'coverage-agency', title: t('map.coverage_agency'), onchange: (e: Event) => { coverageAgency = (e.target as HTMLSelectElement).value; if (coverageOn) void toggleCoverage(true); } },
              ...['police', 'fire', 'ems'].map((a) => h('option', { value: a, selected: a === coverageAgency }, t(`agency.${a}`)))),
            h('span', { id: 'coverage-share' }, coverageShare))
        : null,
      h('button', { type: 'button', class: 'link', id: 'logout', onclick: async () => { await post('/api/v1/logout', {}).catch(() => undefined); setToken(null); stream.stop(); location.reload(); } }, t('auth.logout')));
  }
  function renderAlertBanner(): void {
    // Newest first; named in the console's language (the server's message is English).
    const open = [...state.alerts.values()].filter((a) => !a.resolved_at).sort((x, y) => y.raised_at.localeCompare(x.raised_at));
    alertBanner.hidden = open.length === 0;
    const top = open[0];
    const what = top ? [t(`alert.${top.kind}`), top.incident_id ? state.incidents.get(top.incident_id)?.number : null, top.unit_id ? state.units.get(top.unit_id)?.callsign : null].filter(Boolean).join(' · ') : '';
    alertBanner.textContent = `⚠ ${t('alerts.banner', { n: open.length })}${what ? ` — ${what}` : ''}`;
  }
  function renderAll(): void {
    renderTabs();
    renderUser();
    renderAlertBanner();
    for (const v of Object.values(views)) {
      if (v !== views[currentTab]) void v.render();
    }
    if (views[currentTab]) void views[currentTab].render();
    detail.render();
    player.render();
  }
  onLangChange(() => renderAll());

  // ---- coverage overlay ----
  // The server computes it from the available units' live positions (GET /api/v1/coverage,
  // the time from dispatch.toml); refreshed every 15 s while shown.
  let coverageTimer: number | undefined;
  let coverageOn = false;
  let coverageAgency = 'police';
  let coverageShare = '';
  async function toggleCoverage(on: boolean): Promise<void> {
    clearInterval(coverageTimer);
    coverageOn = on;
    const share = () => document.getElementById('coverage-share');
    if (!on) {
      app.map?.setCoverage(null);
      coverageShare = '';
      const el = share();
      if (el) el.textContent = '';
      return;
    }
    const load = async () => {
      try {
        const fc = await get<GeoJSON.FeatureCollection & { share?: number }>(`/api/v1/coverage?agency=${coverageAgency}`);
        if (!coverageOn) return;
        app.map?.setCoverage(fc);
        if (typeof fc.share === 'number') coverageShare = ` ${t('map.coverage_share', { pct: Math.round(fc.share * 100) })}`;
        const el = share();
        if (el) el.textContent = coverageShare;
      } catch (e) {
        app.toast(e instanceof Error ? e.message : String(e), 'error');
      }
    };
    await load();
    coverageTimer = window.setInterval(load, 15_000);
  }

  // ---- snapshot + stream ----
  let loading = false;
  let buffered: Parameters<typeof state.apply>[0][] = [];
  async function listAll(status: string, max: number): Promise<Incident[]> {
    const out: Incident[] = [];
    let before = 0;
    while (out.length < max) {
      const page = await get<{ items: Incident[]; next_before: number | null }>(`/api/v1/incidents?status=${status}&limit=1000${before ? `&before=${before}` : ''}`);
      out.push(...page.items);
      if (!page.next_before) break;
      before = page.next_before;
    }
    return out;
  }
  // The state's own apply, without the buffering and bookkeeping wrapped around it below.
  const applyLive = state.apply.bind(state);
  async function loadSnapshot(): Promise<void> {
    loading = true;
    buffered = [];
    try {
      const [open, closed, units, alertList] = await Promise.all([
        listAll(OPEN_STATUSES.join(','), 20_000),
        get<{ items: Incident[] }>(`/api/v1/incidents?status=${CLOSED_STATUSES.join(',')}&limit=30`).then((r) => r.items),
        get<{ items: Unit[] }>('/api/v1/units').then((r) => r.items),
        features.alerts ? get<{ items: Alert[] }>('/api/v1/alerts').then((r) => r.items).catch(() => []) : Promise.resolve([] as Alert[]),
      ]);
      state.reset([...closed, ...open], units, alertList);
      // Events that arrived while the snapshot loaded are applied again, in order: each carries
      // the record after its change, so the state ends where the server is. Through the state's
      // own apply: the wrapper would buffer each one again, into the list being read, for ever.
      for (const e of buffered) applyLive(e);
    } finally {
      loading = false;
      buffered = [];
    }
  }
  // For the console benchmark: when each new incident reached this page and was drawn (the
  // frame after it was applied: the queue row is in it unless the queue re-rendered less than
  // 250 ms before; the map shows the point in its next round, within a second).
  const seen: Array<{ id: number; at: string; applied: number; seen: number }> = [];
  (window as any).__pinganSeen = seen;
  state.apply = (e) => {
    if (loading) buffered.push(e);
    applyLive(e);
    // Visits, shifts and alerts change the patrol picture; the view reads it again.
    if (e.kind.startsWith('patrol.') || e.kind.startsWith('alert.')) patrolView?.changed();
    if (e.kind === 'incident.created' && e.payload) {
      const id = e.payload.id as number;
      const at = e.at ?? '';
      const applied = Date.now();
      requestAnimationFrame(() => {
        if (seen.length > 10_000) seen.splice(0, 5_000);
        seen.push({ id, at, applied, seen: Date.now() });
      });
    }
  };

  // Re-render the view shown when the state changes: at once (in the task after the event, so
  // before the map's next frame), then at most every 250 ms while events keep coming. The map
  // has its own pacing; positions change nothing here.
  let renderTimer: number | undefined;
  let renderedAt = -Infinity;
  state.on((c) => {
    if (c.kind === 'positions') return;
    if (c.kind === 'alert' || c.kind === 'reset') renderAlertBanner();
    if (renderTimer !== undefined) return;
    renderTimer = window.setTimeout(() => {
      renderTimer = undefined;
      renderedAt = performance.now();
      const v = views[currentTab];
      // Call taking keeps what is typed (and a scanner's input); the other panels listed
      // redraw when asked.
      if (v && !['call', 'stats', 'analysis', 'cases', 'evidence', 'oversight', 'cameras', 'patrol'].includes(currentTab)) void v.render();
      if (currentTab === 'call') call?.renderDuplicates();
    }, Math.max(0, renderedAt + 250 - performance.now()));
  });

  renderTabs();
  renderUser();
  // The map (style, tiles, glyphs) loads while the stream opens and the snapshot is read.
  const mapCreated = ConsoleMap.create({
    container: mapBox,
    withBaseMap: settings.map,
    onMapClick: (lat, lon) => {
      if (call && currentTab === 'call') void call.mapClick(lat, lon);
    },
    onIncidentClick: (id) => app.openIncident(id),
    onUnitClick: (id) => {
      const u = state.units.get(id);
      if (u?.incident_id) app.openIncident(u.incident_id);
    },
    onCameraClick: (id) => {
      if (!camerasView) return;
      app.setTab('cameras');
      camerasView.select(id);
    },
  });
  stream.start(null);
  // The stream is open before the snapshot is read, so nothing falls between the two.
  await new Promise<void>((resolve) => {
    const check = () => (banner.classList.contains('live') ? resolve() : setTimeout(check, 20));
    check();
    setTimeout(resolve, 3000);
  });
  await loadSnapshot();
  const firstTab = sessionStorage.getItem('pingan.tab');
  app.setTab(firstTab && views[firstTab] ? firstTab : call ? 'call' : 'queue');
  (window as any).__pinganReady = performance.now();

  app.map = await mapCreated;
  app.map.map.getContainer().append(player.el);
  camerasView?.attach(app.map);
  patrolView?.attach(app.map);
  if (!settings.map) app.toast(t('map.none'), 'info');
  void app.map.ready.then(() => {
    (window as any).__pinganMapReady = performance.now();
  });
  // First meaningful paint: the base map's first tiles and the snapshot's incidents and units
  // drawn over them (the benchmark reads this).
  void app.map.drawn()
    .then(() => {
      (window as any).__pinganFirstPaint = performance.now();
    });
  if (call) call.render();

  // ---- keyboard: every action has a shortcut ----
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !loginShown) {
      app.openIncident(null);
      return;
    }
    if (!e.altKey) return;
    const k = e.key.toLowerCase();
    const map: Record<string, () => void> = {
      n: () => { app.setTab('call'); call?.focus(); },
      l: () => { app.setTab('call'); call?.focus(); },
      q: () => app.setTab('queue'),
      u: () => app.setTab('units'),
      a: () => app.setTab('alerts'),
      t: () => app.setTab('stats'),
      y: () => app.setTab('analysis'),
      k: () => app.setTab('cases'),
      e: () => app.setTab('evidence'),
      o: () => app.setTab('oversight'),
      v: () => app.setTab('cameras'),
      p: () => app.setTab('patrol'),
      g: () => setLang(getLang() === 'zh-CN' ? 'en' : 'zh-CN'),
      d: () => detail.dispatchTop(),
      s: () => call?.acceptSuggestion(),
      c: () => (document.getElementById('call-category') as HTMLElement | null)?.focus(),
    };
    if (call && currentTab === 'call' && ['1', '2', '3', '4'].includes(k)) {
      (document.querySelectorAll('#call-priority button')[Number(k) - 1] as HTMLElement | undefined)?.click();
      e.preventDefault();
      return;
    }
    if (map[k]) {
      map[k]();
      e.preventDefault();
    }
  });
}

// The patrol plan; null when the server has none loaded (503), undefined when it has no patrol
// routes at all (404).
async function patrolPlan(): Promise<PatrolPlan | null | undefined> {
  try {
    return await get<PatrolPlan>('/api/v1/patrol/plan');
  } catch (e) {
    return e instanceof ApiError && e.problem.status === 503 ? null : undefined;
  }
}

// Whether the server has a route (404 "no route" means no; 405, 400, 401, 422 … mean yes).
async function routeExists(method: string, path: string): Promise<boolean> {
  try {
    const res = await fetch(path, { method, headers: { Authorization: `Bearer ${getToken()}`, 'Content-Type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    if (res.status !== 404) return true;
    const p = await res.json().catch(() => ({}));
    return !(typeof p.detail === 'string' && p.detail.includes('no route'));
  } catch {
    return false;
  }
}

void start();
