/**
 * Hyper-parameter validation shared by every model factory, so that `--params '{"k":-1}'` or an
 * unknown key fails with a message naming the model, the parameter and the rule it broke.
 */
export type ParamSpec =
  | { type: 'int'; default: number; min?: number; max?: number }
  | { type: 'number'; default: number; min?: number; max?: number }
  | { type: 'boolean'; default: boolean }
  | { type: 'enum'; default: string; values: readonly string[] }
  | { type: 'json'; default: unknown };

export type ParamValues<S extends Record<string, ParamSpec>> = {
  [K in keyof S]: S[K] extends { type: 'int' | 'number' } ? number : S[K] extends { type: 'boolean' } ? boolean : S[K] extends { type: 'enum' } ? string : unknown;
};

export class InvalidParamsError extends Error {
  readonly code = 'invalid_params';
  constructor(
    readonly model: string,
    readonly param: string,
    reason: string,
  ) {
    super(`model "${model}": parameter "${param}" ${reason}`);
  }
}

export function readParams<S extends Record<string, ParamSpec>>(model: string, spec: S, given: Record<string, unknown> = {}): ParamValues<S> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!(key in spec)) throw new InvalidParamsError(model, key, `is unknown; known parameters: ${Object.keys(spec).join(', ') || '(none)'}`);
  }
  for (const [key, s] of Object.entries(spec)) {
    const v = given[key];
    if (v === undefined) {
      out[key] = s.default;
      continue;
    }
    switch (s.type) {
      case 'int':
      case 'number': {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidParamsError(model, key, `must be a finite number, got ${JSON.stringify(v)}`);
        if (s.type === 'int' && !Number.isInteger(v)) throw new InvalidParamsError(model, key, `must be an integer, got ${v}`);
        if (s.min !== undefined && v < s.min) throw new InvalidParamsError(model, key, `must be ≥ ${s.min}, got ${v}`);
        if (s.max !== undefined && v > s.max) throw new InvalidParamsError(model, key, `must be ≤ ${s.max}, got ${v}`);
        break;
      }
      case 'boolean':
        if (typeof v !== 'boolean') throw new InvalidParamsError(model, key, `must be true or false, got ${JSON.stringify(v)}`);
        break;
      case 'enum':
        if (typeof v !== 'string' || !s.values.includes(v)) throw new InvalidParamsError(model, key, `must be one of ${s.values.join(', ')}, got ${JSON.stringify(v)}`);
        break;
      case 'json':
        break;
    }
    out[key] = v;
  }
  return out as ParamValues<S>;
}

export function defaultsOf(spec: Record<string, ParamSpec>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).map(([k, s]) => [k, s.default]));
}
