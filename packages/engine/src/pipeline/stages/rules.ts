import { buildHistoryIndex, compileBoost, compileFilter } from '../../rules/index.ts';
import type { CatalogItem, RequestContext, UserProfile } from '../types.ts';

/**
 * What the pipeline needs of the rules language (packages/engine/src/rules): compile a filter
 * or boost source once, evaluate it per candidate against a RuleEnv. Kept structural so the
 * pipeline does not depend on the rules package's internals.
 */
export interface RuleEnvLike {
  item: CatalogItem;
  user?: UserProfile;
  context: RequestContext & { item?: CatalogItem; cart?: readonly CatalogItem[] };
  params: Readonly<Record<string, unknown>>;
  history: unknown;
}

export interface RuleEngine {
  compileFilter(source: string): (env: never) => boolean;
  /** `form` 'boost' = a score multiplier, 'score' = an additive term */
  compileBoost(source: string): ((env: never) => number) & { readonly form?: 'boost' | 'score' };
  buildHistoryIndex(user: UserProfile | undefined, now: number): unknown;
}

/** The engine's own rules language (rules/); pass another RuleEngine to bind a schema. */
export const DEFAULT_RULE_ENGINE: RuleEngine = {
  compileFilter: (source) => compileFilter(source),
  compileBoost: (source) => compileBoost(source),
  buildHistoryIndex: (user, now) => buildHistoryIndex(user, now),
};

export type ItemPredicate = (item: CatalogItem) => boolean;
/** A compiled boost bound to the request: multiplier ('boost') or additive term ('score'). */
export interface ItemBoost {
  value: (item: CatalogItem) => number;
  form: 'boost' | 'score';
}

// compiled rules are memoized by source: scenarios repeat the same few rules on every request
const filterCache = new WeakMap<RuleEngine, Map<string, (env: RuleEnvLike) => boolean>>();
const boostCache = new WeakMap<RuleEngine, Map<string, ((env: RuleEnvLike) => number) & { readonly form?: 'boost' | 'score' }>>();

function cached<T>(cache: WeakMap<RuleEngine, Map<string, T>>, engine: RuleEngine, source: string, compile: () => T): T {
  let m = cache.get(engine);
  if (!m) cache.set(engine, (m = new Map()));
  let f = m.get(source);
  if (!f) {
    f = compile();
    if (m.size > 1000) m.clear();
    m.set(source, f);
  }
  return f;
}

/** Per-request rule evaluation: one env shape, compiled rules turned into item predicates. */
export class RuleBinder {
  private readonly base: Omit<RuleEnvLike, 'item'>;

  constructor(
    private readonly engine: RuleEngine,
    user: UserProfile | undefined,
    context: RequestContext,
    params: Readonly<Record<string, unknown>>,
    extra: { item?: CatalogItem; cart?: readonly CatalogItem[] },
  ) {
    this.base = { user, context: { ...context, ...extra }, params, history: engine.buildHistoryIndex(user, context.now) };
  }

  filter(source: string): ItemPredicate {
    // a rule that does not compile throws (RuleSyntaxError / RuleTypeError): fail closed
    const engine = this.engine;
    const f = cached(filterCache, engine, source, () => engine.compileFilter(source) as (env: RuleEnvLike) => boolean);
    const env = this.env();
    return (item) => {
      env.item = item;
      return f(env);
    };
  }

  // one env object per compiled rule, its item swapped per candidate: no allocation per call
  // (rules are synchronous, so the mutation cannot be observed concurrently)
  private env(): RuleEnvLike {
    return { ...this.base, item: undefined as unknown as CatalogItem };
  }

  boost(source: string): ItemBoost {
    const engine = this.engine;
    const f = cached(boostCache, engine, source, () => engine.compileBoost(source) as ((env: RuleEnvLike) => number) & { readonly form?: 'boost' | 'score' });
    const env = this.env();
    return {
      value: (item) => {
        env.item = item;
        return f(env);
      },
      form: f.form ?? 'score',
    };
  }
}
