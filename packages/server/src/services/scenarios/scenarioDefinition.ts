import { BUILTIN_SCENARIOS, validateRule, validateScenario, type RuleErrorInfo, type Scenario } from '@attune/engine';
import { ApiError } from '../../errors.ts';

/**
 * The built-in scenario of that name. `Object.hasOwn`: a name such as "constructor" or
 * "toString" must not find Object.prototype's members.
 */
export function builtinScenario(name: string): Scenario | undefined {
  return Object.hasOwn(BUILTIN_SCENARIOS, name) ? BUILTIN_SCENARIOS[name] : undefined;
}

/** Top-level fields of a scenario body; anything else is a typo we report rather than ignore. */
export const SCENARIO_FIELDS: readonly string[] = ['name', 'description', 'extends', 'retrievers', 'filters', 'boosts', 'promotions', 'caps', 'knobs', 'excludeSeen', 'categoryProperty', 'segmentBy'];

/**
 * A rule that does not parse or type-check: a 400 whose error also says where (0-based
 * `position`, 1-based `line`/`column`, `length` to underline) and what was `expected`/`found`,
 * so an editor can point at the mistake.
 */
export class RuleApiError extends ApiError {
  constructor(
    readonly rule: RuleErrorInfo,
    path: string,
    readonly source: string,
  ) {
    super(400, rule.code, `${path}: ${rule.message}`, path);
  }

  override body(docsBase?: string): ReturnType<ApiError['body']> {
    const b = super.body(docsBase);
    const { position, length, line, column, expected, found } = this.rule;
    Object.assign(b.error, { position, length, line, column, expected, found, rule: this.source });
    return b;
  }
}

/**
 * Checks a scenario body for `PUT /v1/scenarios/{name}` and returns the scenario the pipeline
 * runs. A body may `extend` a built-in (its fields are the defaults); a body named like a
 * built-in extends that built-in and shadows it until deleted. Every rule (filters, boosts,
 * rule promotions) is parsed and type-checked here, so a bad rule is a 400 at save time and
 * never a failure while serving.
 */
export function parseScenarioDefinition(name: string, raw: unknown): Scenario {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError(400, 'wrong_type', '$: the scenario must be a JSON object', '$');
  const body = raw as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!SCENARIO_FIELDS.includes(key)) throw new ApiError(400, 'unknown_field', `$.${key} is not a scenario field (${SCENARIO_FIELDS.join(', ')})`, `$.${key}`);
  }
  if (body.name !== undefined && body.name !== name) throw new ApiError(400, 'invalid_field', `$.name: must match the name in the URL ("${name}") or be left out`, '$.name');
  let base: Scenario | undefined = builtinScenario(name);
  if (body.extends !== undefined) {
    if (typeof body.extends !== 'string' || !builtinScenario(body.extends)) {
      throw new ApiError(400, 'invalid_field', `$.extends: must name a built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')})`, '$.extends');
    }
    base = builtinScenario(body.extends);
  }
  const { extends: _extends, ...fields } = body;
  const result = validateScenario({ ...fields, name }, base);
  if (!result.ok) {
    const first = result.errors[0] as { path: string; message: string };
    const path = toJsonPath(first.path);
    const all = result.errors.map((e) => `${toJsonPath(e.path)}: ${e.message}`);
    throw new ApiError(400, 'invalid_scenario', all.join('; '), path, undefined, { errors: result.errors.map((e) => ({ path: toJsonPath(e.path), message: e.message })) });
  }
  checkRules(result.scenario);
  // the base's description describes the base, not this scenario
  if (body.description === undefined && base && base.name !== name) delete result.scenario.description;
  return result.scenario;
}

/** Parses and type-checks every rule of a scenario; the first bad one is a RuleApiError. */
export function checkRules(s: Scenario): void {
  const check = (source: string, form: 'filter' | 'boost', path: string): void => {
    const v = validateRule(source, form);
    if (!v.ok) throw new RuleApiError(v.error, path, source);
  };
  s.filters.forEach((f, k) => check(f, 'filter', `$.filters[${k}]`));
  s.boosts.forEach((b, k) => check(b.rule, 'boost', `$.boosts[${k}].rule`));
  s.promotions.forEach((p, k) => {
    if (p.type === 'rule') check(p.rule, 'filter', `$.promotions[${k}].rule`);
  });
}

/** The engine names fields "knobs.diversity" / "retrievers[2].type"; the API says "$.knobs.diversity". */
function toJsonPath(path: string): string {
  if (path === '') return '$';
  return path.startsWith('[') ? `$${path}` : `$.${path}`;
}
