/**
 * Context features of a moment and a context object: time features in the user's time zone
 * (hour, daypart, weekday, weekend) and any declared field (device, country, …).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string | undefined): Intl.DateTimeFormat {
  const key = timezone ?? 'UTC';
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: key, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    } catch {
      // an unknown zone falls back to UTC rather than failing the request
      f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    }
    formatters.set(key, f);
  }
  return f;
}

/** Local hour 0–23 and weekday ("mon"…"sun") of `time` in `timezone`. */
export function localTime(time: number, timezone?: string): { hour: number; weekday: string } {
  let hour = 0;
  let weekday = 'mon';
  for (const p of formatter(timezone).formatToParts(time)) {
    if (p.type === 'hour') hour = Number(p.value) % 24;
    else if (p.type === 'weekday') weekday = p.value.toLowerCase().slice(0, 3);
  }
  return { hour, weekday };
}

export function daypart(hour: number): string {
  if (hour < 5) return 'night';
  if (hour < 11) return 'morning';
  if (hour < 14) return 'midday';
  if (hour < 18) return 'afternoon';
  if (hour < 22) return 'evening';
  return 'night';
}

export const TIME_FIELDS = ['hour', 'daypart', 'weekday', 'weekend'] as const;
export const DEFAULT_CONTEXT_FIELDS = ['daypart', 'weekend', 'device', 'country'];

/** "field=value" keys of `fields` for one moment and context; missing fields are skipped. */
export function contextKeys(time: number, context: Readonly<Record<string, unknown>>, fields: readonly string[]): string[] {
  const out: string[] = [];
  let local: { hour: number; weekday: string } | undefined;
  for (const f of fields) {
    if ((TIME_FIELDS as readonly string[]).includes(f)) {
      local ??= localTime(time, typeof context.timezone === 'string' ? context.timezone : undefined);
      const v = f === 'hour' ? String(local.hour) : f === 'daypart' ? daypart(local.hour) : f === 'weekday' ? local.weekday : String(local.weekday === 'sat' || local.weekday === 'sun');
      out.push(`${f}=${v}`);
    } else {
      const v = context[f];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(`${f}=${v}`);
    }
  }
  return out;
}
