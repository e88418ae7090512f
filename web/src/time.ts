// Times are shown in the command centre's time zone (pingan serve --utc-offset), whatever the
// browser's own zone: a dispatcher and the log must read the same clock.
let offsetMin = 0;

export function setCentreOffset(minutes: number): void {
  offsetMin = minutes;
}

function shifted(iso: string | number | Date): Date {
  const ms = typeof iso === 'number' ? iso : new Date(iso).getTime();
  return new Date(ms + offsetMin * 60_000);
}
const pad = (n: number) => String(n).padStart(2, '0');

// 14:03:07
export function clock(iso: string | number | Date | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = shifted(iso);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
// 2026-11-21 14:03
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = shifted(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
export function zoneLabel(): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return `UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}
// 3:07 or 1:02:03
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
// 2026-11-21: the calendar day of an instant in the centre's time zone.
export function centreDay(iso: string | number | Date): string {
  const d = shifted(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
// The instant a centre-local "HH:MM" names on or after `near` (an ISO instant), within a day:
// e.g. the time of a visit typed for a window that opened at `near`. null when not a time.
export function clockNear(near: string, hhmm: string): string | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  const base = new Date(near).getTime();
  const d = shifted(base);
  let ms = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), Number(m[1]), Number(m[2])) - offsetMin * 60_000;
  if (ms < base - 60_000) ms += 86_400_000; // the window crossed midnight
  return new Date(ms).toISOString();
}
// "2026-11-21T14:03" (a datetime-local field's value) in the centre's time zone, and back to an
// instant: the browser's own zone plays no part. null when the text is not such a time.
export function centreLocalInput(iso: string | number | Date): string {
  const d = shifted(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
export function centreInstant(local: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, hh, mm] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59) return null;
  return new Date(Date.UTC(y, mo - 1, d, hh, mm) - offsetMin * 60_000).toISOString();
}
