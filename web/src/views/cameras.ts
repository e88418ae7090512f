// Cameras (issue 9, "the map moves, the video follows"): the cameras standing in the map's
// view, nearest its centre first, re-read whenever the map stops moving, and drawn on the map
// with their view cones. "Play" opens the stream in the player over the map.
import { ApiError, Camera, CamerasInView, get } from '../api';
import { App } from '../app';
import { append, clear, h } from '../dom';
import { t } from '../i18n';
import type { ConsoleMap } from '../map';
import { kindLabel } from '../player';

// As many as a person reads in a side panel; the server says how many more the view holds.
export const CAMERAS_LIMIT = 50;
const MOVE_DEBOUNCE_MS = 250;

export function metresLabel(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

export function sharingLabel(c: Pick<Camera, 'sharing' | 'owner'>): string {
  const s = t(`cameras.sharing.${c.sharing}`);
  return c.owner ? `${s} · ${c.owner}` : s;
}

export class CamerasView {
  el = h('section', { class: 'view cameras', 'data-view': 'cameras' });
  private items: Camera[] | null = null; // null: not read yet
  private total = 0;
  private message: string | null = null;
  private selected: string | null = null;
  private timer: number | undefined;
  private seq = 0;

  constructor(private app: App) {
    this.render();
  }

  // Called once the map exists: the list follows the map from then on.
  attach(map: ConsoleMap): void {
    map.map.on('moveend', () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.load(), MOVE_DEBOUNCE_MS);
    });
    void map.ready.then(() => this.load());
  }

  async load(): Promise<void> {
    const map = this.app.map;
    if (!map) return;
    const seq = ++this.seq;
    const v = map.viewport();
    const q = new URLSearchParams({
      south: v.south.toFixed(6), west: v.west.toFixed(6), north: v.north.toFixed(6), east: v.east.toFixed(6), limit: String(CAMERAS_LIMIT),
    });
    try {
      const r = await get<CamerasInView>(`/api/v1/cameras?${q}`);
      if (seq !== this.seq) return; // the map moved again meanwhile
      this.items = r.items;
      this.total = r.total;
      this.message = null;
    } catch (e) {
      if (seq !== this.seq) return;
      this.message = e instanceof ApiError ? e.problem.detail : String(e);
    }
    map.setCamerasInView(this.items);
    this.render();
  }

  // A camera clicked on the map: shown in the list.
  select(id: string): void {
    this.selected = id;
    this.app.map?.selectCamera(id);
    this.render();
    (this.el.querySelector(`tr[data-camera="${CSS.escape(id)}"]`) as HTMLElement | null)?.scrollIntoView({ block: 'nearest' });
  }

  render(): void {
    clear(this.el);
    const items = this.items;
    const shown = items?.length ?? 0;
    append(this.el,
      h('h2', {}, t('cameras.title'), ' ',
        h('span', { class: 'count', id: 'cameras-count' }, items === null ? '…' : shown < this.total ? t('cameras.n_of_total', { n: shown, total: this.total }) : String(shown))),
      h('p', { class: 'note' }, t('cameras.hint')),
      this.message ? h('p', { class: 'msg error', id: 'cameras-message' }, this.message) : null,
      items === null ? h('p', { class: 'empty' }, t('cameras.loading')) : null,
      items !== null && items.length === 0 ? h('p', { class: 'empty', id: 'cameras-none' }, t('cameras.none')) : null);
    if (!items || items.length === 0) return;
    append(this.el, h('table', { class: 'grid', id: 'cameras-list' },
      h('thead', {}, h('tr', {}, ...['cameras.id', 'cameras.stream', 'cameras.access', 'cameras.from_centre', ''].map((k) => h('th', {}, k ? t(k) : '')))),
      h('tbody', {}, ...items.map((c) => h('tr', {
        'data-camera': c.id, class: c.id === this.selected ? 'on' : '',
        onclick: () => {
          this.selected = c.id;
          this.app.map?.selectCamera(c.id);
          this.render();
        },
      },
        h('td', { class: 'num' }, c.id),
        h('td', {}, kindLabel(c.stream_kind)),
        h('td', { class: 'access' }, sharingLabel(c)),
        h('td', { class: 'n' }, metresLabel(c.distance_m)),
        h('td', { class: 'buttons' }, h('button', {
          class: 'small play', title: t('cameras.play_hint'),
          onclick: (e: Event) => { e.stopPropagation(); this.app.playCamera(c); },
        }, `▶ ${t('cameras.play')}`)))))));
  }
}
