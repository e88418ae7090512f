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

// The running timer of an open incident: which stage, seconds in it, and its colour.
export function timer(i: Incident, nowMs: number): { seconds: number; level: 'ok' | 'amber' | 'red' } | null {
  const t = targets(i.priority);
  let since: string | null = null;
  let target = 0;
  if (i.status === 'received') {
    since = i.received_at;
    target = t.dispatch_s;
  } else if (i.status === 'dispatched') {
    since = i.dispatched_at;
    target = t.en_route_s + t.on_scene_s;
  } else if (i.status === 'on_scene') {
    since = i.on_scene_at;
    target = t.on_scene_max_s;
  }
  if (!since) return null;
  const seconds = (nowMs - new Date(since).getTime()) / 1000;
  // Amber from three quarters of the target: time to act before it is missed.
  const level = seconds >= target ? 'red' : seconds >= target * 0.75 ? 'amber' : 'ok';
  return { seconds, level };
}
