// The video player over the map: "play" in the cameras panel or the incident detail asks the
// server for the camera's stream (POST /api/v1/cameras/{id}/view: role-checked, logged as
// camera.viewed) and plays it here. HLS plays in the page (hls.js where Media Source Extensions
// exist, else the browser's own HLS); RTSP and WebRTC need a video client, so their address is
// shown for copying. One stream at a time: playing another camera closes the first.
import type HlsType from 'hls.js';
import { ApiError, Camera, CameraStream, post } from './api';
import { append, clear, h } from './dom';
import { t } from './i18n';

type Message = { kind: 'error' | 'info' | 'warn'; text: string } | null;

export class CameraPlayer {
  el = h('section', { class: 'camera-player', id: 'camera-player', hidden: true, 'aria-live': 'polite' });
  private head = h('header', {});
  private body = h('div', { class: 'player-body' });
  // Kept across re-renders (a language switch): taking a playing <video> out of the page pauses it.
  private screen = h('div', { class: 'screen' });
  private video: HTMLVideoElement | null = null;
  private hls: HlsType | null = null;
  private camera: Pick<Camera, 'id' | 'stream_kind'> | null = null;
  private incident: { id: number; number: string } | null = null;
  private stream: CameraStream | null = null;
  private message: Message = null;
  private loading = false;
  private seq = 0; // a newer play() or close() makes older answers stale

  constructor() {
    append(this.el, this.head, this.body, this.screen);
    // The console's Content-Security-Policy decides which stream addresses the page may load;
    // a refused one is said in words instead of a black frame.
    document.addEventListener('securitypolicyviolation', (e) => {
      const url = this.stream?.stream_url;
      if (!url || !e.blockedURI) return;
      let origin = '';
      try {
        origin = new URL(url).origin;
      } catch {
        return;
      }
      if (e.blockedURI.startsWith(origin) || (e.blockedURI === 'blob' && this.video)) {
        this.message = { kind: 'error', text: t('player.blocked', { origin }) };
        this.render();
      }
    });
  }

  get playing(): string | null {
    return this.camera?.id ?? null;
  }

  async play(camera: Pick<Camera, 'id' | 'stream_kind'>, incident: { id: number; number: string } | null = null): Promise<void> {
    const seq = ++this.seq;
    this.stopMedia();
    this.camera = camera;
    this.incident = incident;
    this.stream = null;
    this.message = null;
    this.loading = true;
    this.el.hidden = false;
    this.render();
    try {
      const s = await post<CameraStream>(`/api/v1/cameras/${encodeURIComponent(camera.id)}/view`, incident ? { incident_id: incident.id } : {});
      if (seq !== this.seq) return;
      this.stream = s;
      this.loading = false;
      if (s.stream_kind === 'hls') await this.attach(s.stream_url, seq);
      else this.message = { kind: 'info', text: t('player.not_playable', { kind: kindLabel(s.stream_kind) }) };
    } catch (e) {
      if (seq !== this.seq) return;
      this.loading = false;
      const p = e instanceof ApiError ? e.problem : null;
      const detail = p?.detail ?? String(e);
      this.message = {
        kind: 'error',
        text: p?.status === 403 ? t('player.refused', { detail }) : p?.status === 0 ? t('conn.unreachable') : t('player.error', { detail }),
      };
    }
    this.render();
  }

  close(): void {
    this.seq++;
    this.stopMedia();
    this.camera = null;
    this.incident = null;
    this.stream = null;
    this.message = null;
    this.loading = false;
    this.el.hidden = true;
    this.render();
  }

  private async attach(url: string, seq: number): Promise<void> {
    const video = h('video', { id: 'camera-video', controls: true, playsinline: true, autoplay: true });
    // Muted so that the browser lets it start without a further click.
    video.muted = true;
    this.video = video;
    clear(this.screen);
    this.screen.append(video);
    video.addEventListener('error', () => {
      if (this.video !== video || this.hls) return; // hls.js reports its own errors
      this.message = { kind: 'error', text: t('player.error', { detail: video.error?.message || `code ${video.error?.code ?? '?'}` }) };
      this.render();
    });
    // The light build: camera streams carry no subtitles, alternate audio or DRM.
    const { default: Hls } = await import('hls.js/light');
    if (seq !== this.seq) return;
    if (Hls.isSupported()) {
      const hls = new Hls({ enableWorker: true });
      this.hls = hls;
      hls.on(Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => undefined));
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal || this.hls !== hls) return;
        this.message = { kind: 'error', text: t('player.error', { detail: `${data.type}: ${data.details}` }) };
        this.render();
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
      void video.play().catch(() => undefined);
    } else {
      this.message = { kind: 'error', text: t('player.no_hls') };
    }
  }

  private stopMedia(): void {
    this.hls?.destroy();
    this.hls = null;
    if (this.video) {
      this.video.pause();
      this.video.removeAttribute('src');
      this.video.load();
      this.video = null;
    }
    clear(this.screen);
  }

  render(): void {
    clear(this.head);
    clear(this.body);
    if (!this.camera) return;
    append(this.head,
      h('h3', {}, t('player.title', { id: this.camera.id }), ' ', h('small', { class: 'kind' }, kindLabel(this.stream?.stream_kind ?? this.camera.stream_kind))),
      this.incident ? h('small', { class: 'for' }, t('player.for_incident', { number: this.incident.number })) : null,
      h('button', { class: 'close', id: 'camera-player-close', title: t('player.close'), onclick: () => this.close() }, '×'));
    append(this.body,
      this.loading ? h('p', { class: 'msg info' }, t('player.loading')) : null,
      this.message ? h('p', { class: `msg ${this.message.kind}`, id: 'camera-player-message', role: 'alert' }, this.message.text) : null,
      this.stream && this.stream.stream_kind !== 'hls'
        ? h('input', { class: 'url', id: 'camera-stream-url', type: 'text', readonly: true, value: this.stream.stream_url, onfocus: (e: Event) => (e.target as HTMLInputElement).select() })
        : null,
      h('small', { class: 'note' }, t('player.logged')));
  }
}

export function kindLabel(kind: string): string {
  return ({ rtsp: 'RTSP', hls: 'HLS', webrtc: 'WebRTC' } as Record<string, string>)[kind] ?? kind;
}
