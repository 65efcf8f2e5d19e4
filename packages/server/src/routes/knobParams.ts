import { validateKnobs, type Knobs } from '@attune/engine';
import { ApiError } from '../errors.ts';

/**
 * Per-request knobs as query parameters: each overrides the scenario's default for this
 * request only. `contextWeight` is the `context` knob (the plain name `context` would clash with
 * the request-context parameters); `novelty` and `freshness` are objective weights.
 */
export const KNOB_QUERY: readonly string[] = ['diversity', 'exploration', 'minRelevance', 'rotation', 'rotationHours', 'newItemDays', 'candidates', 'fallbacks', 'diversityProperties', 'contextWeight', 'novelty', 'freshness'];
const LIST_KNOBS = new Set(['fallbacks', 'diversityProperties']);

/** Turns `{diversity: '0.8', fallbacks: 'trending,popular'}` (strings) into checked knobs. */
export function knobsFromQuery(raw: Readonly<Record<string, string>>): Partial<Knobs> | undefined {
  const keys = Object.keys(raw);
  if (keys.length === 0) return undefined;
  const input: Record<string, unknown> = {};
  const objectives: Record<string, number> = {};
  const pathOf: Record<string, string> = {};
  for (const key of keys) {
    const v = raw[key] as string;
    if (LIST_KNOBS.has(key)) {
      input[key] = v === '' ? [] : v.split(',');
      pathOf[key] = `$.${key}`;
      continue;
    }
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new ApiError(400, 'invalid_field', `$.${key}: must be a number`, `$.${key}`);
    if (key === 'novelty' || key === 'freshness') objectives[key] = n;
    else if (key === 'contextWeight') {
      input.context = n;
      pathOf.context = '$.contextWeight';
    } else {
      input[key] = n;
      pathOf[key] = `$.${key}`;
    }
  }
  if (Object.keys(objectives).length > 0) input.objectives = objectives;
  const result = validateKnobs(input);
  if (!result.ok) {
    const first = result.errors[0] as { path: string; message: string };
    // "fallbacks[1]" → "$.fallbacks[1]"; "objectives.novelty" → "$.novelty"; "context" → "$.contextWeight"
    const [head, ...rest] = first.path.split(/(?=\[)|\./);
    const path = head === 'objectives' ? `$.${rest.join('.')}` : `${pathOf[head as string] ?? `$.${head}`}${first.path.slice((head as string).length)}`;
    throw new ApiError(400, 'invalid_field', `${path}: ${first.message}`, path);
  }
  return result.knobs;
}

/** Knobs given as a JSON object in a request body (`knobs: {...}`), paths under `base`. */
export function knobsFromBody(raw: unknown, base: string): Partial<Knobs> {
  const result = validateKnobs(raw);
  if (!result.ok) {
    const first = result.errors[0] as { path: string; message: string };
    const path = first.path ? `${base}.${first.path}` : base;
    throw new ApiError(400, 'invalid_field', `${path}: ${first.message}`, path);
  }
  for (const key of Object.keys(raw as object)) {
    if (!(key in result.knobs)) throw new ApiError(400, 'unknown_field', `${base}.${key} is not a knob`, `${base}.${key}`);
  }
  return result.knobs;
}

/** OpenAPI descriptions of the knob query parameters. */
export const knobQuerySchema = {
  diversity: { type: 'number', minimum: 0, maximum: 1, description: '0 = pure relevance, 1 = maximal spread (MMR)' },
  exploration: { type: 'number', minimum: 0, maximum: 1, description: 'share of slots open to exploration (Thompson sampling)' },
  minRelevance: { type: 'number', minimum: 0, maximum: 100, description: 'drop candidates below this relevance (0–1 scale); fallbacks fill' },
  rotation: { type: 'number', minimum: 0, maximum: 1, description: 'how much items shown recently without engagement drop' },
  rotationHours: { type: 'number', minimum: 0, maximum: 1_000_000, description: 'how long a shown item counts as recently shown' },
  newItemDays: { type: 'number', minimum: 0, maximum: 100_000, description: 'items younger than this are new (exploration)' },
  candidates: { type: 'integer', minimum: 1, maximum: 10000, description: 'size of the candidate pool re-ranked' },
  fallbacks: { type: 'string', description: 'comma-separated fallback order: popular-in-segment, trending, popular' },
  diversityProperties: { type: 'string', description: 'comma-separated item properties compared for diversity' },
  contextWeight: { type: 'number', minimum: 0, maximum: 10, description: 'weight of the context-aware re-ranker (the `context` knob)' },
  novelty: { type: 'number', minimum: 0, maximum: 100, description: 'objective weight of 1 − popularity share' },
  freshness: { type: 'number', minimum: 0, maximum: 100, description: 'objective weight of item freshness' },
} as const;

/**
 * `?param.maxPrice=50` → the rules' `$maxPrice`. Rules compare without coercion, so a value
 * that reads as a number is a number, `true`/`false` are booleans, a comma makes a list
 * (of numbers when every element is one), anything else is a string.
 */
export function paramFromQuery(key: string, v: string): unknown {
  const name = key.slice('param.'.length);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ApiError(400, 'invalid_field', `$.${key}: parameter names are identifiers (letters, digits, _)`, `$.${key}`);
  if (v.length > 1000) throw new ApiError(400, 'invalid_field', `$.${key}: at most 1000 characters`, `$.${key}`);
  const scalar = (s: string): string | number | boolean => (s === 'true' ? true : s === 'false' ? false : s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
  if (!v.includes(',')) return scalar(v);
  const parts = v.split(',').map(scalar);
  return parts.every((p) => typeof p === 'number') ? parts : v.split(',');
}

/** `params: {...}` in a body: flat values (strings, finite numbers, booleans, arrays of strings or of numbers). */
export function paramsFromBody(raw: unknown, base: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError(400, 'wrong_type', `${base}: must be an object`, base);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const ok =
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v)) ||
      (Array.isArray(v) && (v.every((x) => typeof x === 'string') || v.every((x) => typeof x === 'number' && Number.isFinite(x))));
    if (!ok) throw new ApiError(400, 'wrong_type', `${base}.${k}: must be a string, number, boolean, or an array of strings or of numbers`, `${base}.${k}`);
    out[k] = v;
  }
  return out;
}
