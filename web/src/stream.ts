// The live stream (GET /api/v1/stream, WebSocket): every committed event in sequence order.
// Reconnects with ?after=<last seq seen>, which the server answers without gap or duplicate;
// the seq check below drops anything already applied all the same (belt and braces).
// Until one event has been seen the last seq is unknown: a reconnect then reloads the snapshot.

import { getToken, StreamEvent } from './api';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'unauthenticated';

export interface StreamHandlers {
  event(e: StreamEvent): void;
  positions(e: StreamEvent): void;
  state(s: StreamState, detail?: string): void;
  // Called when the stream had to start over without a known seq: reload the snapshot.
  resync(): Promise<void>;
  // Asked after a refused connection: is the token still good?
  tokenValid(): Promise<boolean>;
}

export class LiveStream {
  private ws: WebSocket | null = null;
  private lastSeq: number | null = null;
  private attempts = 0;
  private stopped = false;
  private timer: number | undefined;
  private opened = false;
  // For tests and benchmarks: how many events were applied, and duplicates/gaps noticed.
  stats = { applied: 0, duplicates: 0, gaps: 0, reconnects: 0, resumes: 0, resyncs: 0 };

  constructor(private h: StreamHandlers) {
    (window as any).__pinganStream = this;
  }

  get seq(): number | null {
    return this.lastSeq;
  }

  // Starts from a known seq (null: from now on).
  start(after: number | null): void {
    this.stopped = false;
    this.lastSeq = after;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  // Drops the connection as a network failure would (used by the e2e test of catch-up).
  // The page notices at once (a real failure is noticed when the socket errors); the old socket
  // is detached first, so nothing it still delivers is applied twice.
  drop(): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.close(4000, 'dropped by the client');
    void this.retry();
  }

  private url(): string {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams();
    const t = getToken();
    if (t) q.set('token', t);
    if (this.lastSeq !== null) q.set('after', String(this.lastSeq));
    return `${proto}//${location.host}/api/v1/stream?${q}`;
  }

  private connect(): void {
    if (this.stopped) return;
    this.h.state(this.attempts === 0 ? 'connecting' : 'reconnecting');
    this.opened = false;
    if (this.attempts > 0 && this.lastSeq !== null) this.stats.resumes += 1;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.opened = true;
      this.attempts = 0;
      this.h.state('live');
    };
    ws.onmessage = (m) => this.receive(m.data as string);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      void this.retry();
    };
  }

  private async retry(): Promise<void> {
    this.attempts += 1;
    this.stats.reconnects += 1;
    this.h.state('reconnecting');
    if (!this.opened) {
      // A refused upgrade says nothing about why: ask whether the token is still good.
      const ok = await this.h.tokenValid().catch(() => true);
      if (!ok) {
        this.h.state('unauthenticated');
        return; // resumed by resume() after a new login
      }
    }
    const delay = Math.min(5000, 250 * 2 ** Math.min(this.attempts - 1, 5));
    this.timer = window.setTimeout(async () => {
      if (this.lastSeq === null) {
        // Nothing seen yet: we do not know where we were, so start over from a snapshot.
        try {
          this.stats.resyncs += 1;
          await this.h.resync();
        } catch {
          /* the next attempt tries again */
        }
      }
      this.connect();
    }, delay);
  }

  // After a new login: reconnect at once, from where we were.
  resume(): void {
    this.attempts = 0;
    clearTimeout(this.timer);
    if (!this.ws) this.connect();
  }

  private receive(text: string): void {
    let e: StreamEvent;
    try {
      e = JSON.parse(text) as StreamEvent;
    } catch {
      return;
    }
    if (e.kind === 'unit.positions') {
      this.h.positions(e);
      return;
    }
    if (typeof e.seq === 'number') {
      if (this.lastSeq !== null) {
        if (e.seq <= this.lastSeq) {
          this.stats.duplicates += 1;
          return;
        }
        if (e.seq !== this.lastSeq + 1) this.stats.gaps += 1;
      }
      this.lastSeq = e.seq;
    }
    this.stats.applied += 1;
    this.h.event(e);
  }
}
