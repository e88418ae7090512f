// Category names and response targets from GET /api/v1/taxonomy; when a server does not offer
// it yet, the codes are shown as they are and these fallback targets colour the timers.
import { Incident, Targets } from './api';
import { getLang } from './i18n';
import { state } from './state';

// Seconds; used only without a taxonomy from the server (docs/console.md).
const FALLBACK: Record<string, Targets> = {
  '1': { dispatch_s: 60, en_route_s: 60, on_scene_s: 480, on_scene_max_s: 3600 },
  '2': { dispatch_s: 120, en_route_s: 120, on_scene_s: 900, on_scene_max_s: 3600 },
  '3': { dispatch_s: 600, en_route_s: 300, on_scene_s: 1800, on_scene_max_s: 5400 },
  '4': { dispatch_s: 1800, en_route_s: 600, on_scene_s: 3600, on_scene_max_s: 7200 },
};

export function categoryLabel(code: string): string {
  const c = state.taxonomy?.categories.find((x) => x.code === code);
  if (!c) return code;
  return getLang() === 'zh-CN' ? c.zh : c.en;
}

export function targets(priority: number): Targets {
  return state.taxonomy?.priorities[String(priority)] ?? FALLBACK[String(priority)] ?? FALLBACK['3'];
}

// The running timer of an open incident: seconds in its current status, and a colour from the
// taxonomy's targets measured the way the server's alert timers measure them (src/ops/board.cpp):
// received -> dispatched within dispatch_s; received -> first unit on scene within on_scene_s;
// on scene no longer than on_scene_max_s. Amber from three quarters of a target, red past it,
// so the row turns red when the server raises the matching alert.
export function timer(i: Incident, nowMs: number): { seconds: number; level: 'ok' | 'amber' | 'red' } | null {
  const t = targets(i.priority);
  const since = (iso: string | null | undefined) => (iso ? (nowMs - new Date(iso).getTime()) / 1000 : 0);
  let seconds = 0;
  let used = 0; // the largest share of a target used so far
  if (i.status === 'received') {
    seconds = since(i.received_at);
    used = Math.max(seconds / t.dispatch_s, seconds / t.on_scene_s);
  } else if (i.status === 'dispatched') {
    seconds = since(i.dispatched_at);
    used = since(i.received_at) / t.on_scene_s;
  } else if (i.status === 'on_scene') {
    seconds = since(i.on_scene_at);
    used = seconds / t.on_scene_max_s;
  } else {
    return null;
  }
  const level = used >= 1 ? 'red' : used >= 0.75 ? 'amber' : 'ok';
  return { seconds: Math.max(0, seconds), level };
}
