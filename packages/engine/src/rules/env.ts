import type { CatalogItem, RequestContext, UserProfile } from '../pipeline/types.ts';
import type { HistoryIndex } from './history.ts';

/** Everything a compiled rule reads while evaluating one candidate. */
export interface RuleEnv {
  /** the candidate */
  item: CatalogItem;
  user?: UserProfile;
  /** `item`: the page's current item; `cart`: items in the cart */
  context: RuleContext;
  /** request parameters, read as `$name`; durations are passed as milliseconds */
  params: Readonly<Record<string, unknown>>;
  /** built once per request with buildHistoryIndex(user, context.now) */
  history: HistoryIndex;
}

export type RuleContext = RequestContext & { item?: CatalogItem; cart?: readonly CatalogItem[] };

/** Values rules compute with. Collections are arrays (from data) or Sets (precomputed). */
export type RuleValue = number | string | boolean | null | readonly unknown[] | ReadonlySet<unknown>;

/** Item property types a schema may declare. */
export type PropertyType = 'string' | 'number' | 'boolean' | 'timestamp' | 'string-set' | 'number-set' | 'vector';
export type ItemSchema = Readonly<Record<string, PropertyType>>;

/**
 * Anything from outside (params, open context fields) as a rule value: objects, functions and
 * undefined become null, so "missing" has one spelling.
 */
export function toRuleValue(v: unknown): RuleValue {
  if (v === undefined || v === null) return null;
  const t = typeof v;
  if (t === 'number' || t === 'string' || t === 'boolean') return v as number | string | boolean;
  if (Array.isArray(v) || v instanceof Set) return v as readonly unknown[] | ReadonlySet<unknown>;
  return null;
}

/** Timestamps may be stored as epoch ms or ISO strings; anything else is missing. */
export function toTimestamp(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

const calendarCache = new WeakMap<object, { hourOfDay: number; dayOfWeek: number }>();
const formatters = new Map<string, Intl.DateTimeFormat | null>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * context.hourOfDay (0–23) and context.dayOfWeek (0 = Sunday … 6 = Saturday): the caller's
 * value when given, else derived from `now` in `timezone` (UTC when absent or unknown).
 * Cached per context object, so it is computed once per request.
 */
export function calendarField(context: RuleContext, name: 'hourOfDay' | 'dayOfWeek'): number | null {
  const given = context[name];
  if (typeof given === 'number') return given;
  let cal = calendarCache.get(context);
  if (!cal) {
    cal = calendar(context.now, context.timezone);
    calendarCache.set(context, cal);
  }
  return cal[name];
}

function calendar(now: number, timezone: string | undefined): { hourOfDay: number; dayOfWeek: number } {
  const fmt = timezone ? formatter(timezone) : null;
  if (fmt) {
    let hour = 0;
    let day = 0;
    for (const part of fmt.formatToParts(now)) {
      if (part.type === 'hour') hour = Number(part.value) % 24;
      else if (part.type === 'weekday') day = WEEKDAYS.indexOf(part.value);
    }
    return { hourOfDay: hour, dayOfWeek: day };
  }
  const d = new Date(now);
  return { hourOfDay: d.getUTCHours(), dayOfWeek: d.getUTCDay() };
}

function formatter(timezone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timezone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    } catch {
      f = null; // unknown zone: fall back to UTC rather than fail the request
    }
    formatters.set(timezone, f);
  }
  return f;
}
