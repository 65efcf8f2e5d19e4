import { getFactory, modelNames } from '../models/registry.ts';
import type { EvalData } from './dataset.ts';
import { evaluateRecommender, type EvalResult } from './evaluate.ts';
import { fitModel } from './fit.ts';
import type { RankingMetricName } from './metrics.ts';
import { candidateParams, type SearchKind } from './search.ts';

/**
 * Hyper-parameter and model selection on a validation split. The engine has no clock, so time
 * budgets only apply when the caller passes one (`clock`, in ms); without it the trial counts
 * bound the work.
 */
export interface Trial {
  model: string;
  params: Record<string, unknown>;
  /** the selection metric on validation (−Infinity when the trial failed) */
  score: number;
  metrics?: EvalResult;
  fitMs?: number;
  error?: string;
}

export interface TuneOptions {
  k?: number;
  /** selection metric (default ndcg) */
  metric?: RankingMetricName;
  search?: SearchKind;
  /** per model */
  maxTrials?: number;
  /** per model, in clock units (ms); needs `clock` */
  budgetMs?: number;
  clock?: () => number;
  seed?: number;
  /**
   * parameters pinned in every candidate, e.g. a memory or speed bound the machine imposes
   * (EASE's minItemUsers on a large catalogue); they override the defaults and the grid
   */
  fixed?: Record<string, unknown>;
  onTrial?: (trial: Trial) => void;
}

export interface TuneResult {
  model: string;
  best: Trial;
  trials: Trial[];
}

/** Fits and scores one (model, params) on validation; failures become trials with an error. */
export async function runTrial(model: string, params: Record<string, unknown>, data: EvalData, opts: TuneOptions = {}): Promise<Trial> {
  const t0 = opts.clock?.();
  try {
    const fitted = await fitModel(model, params, data, { seed: opts.seed ?? 42 });
    const t1 = opts.clock?.();
    const metrics = evaluateRecommender(fitted, data, { k: opts.k ?? 10 });
    const trial: Trial = { model, params, score: metrics[opts.metric ?? 'ndcg'], metrics };
    if (t0 !== undefined && t1 !== undefined) trial.fitMs = t1 - t0;
    return trial;
  } catch (err) {
    return { model, params, score: -Infinity, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Tunes one registered model: candidates from its defaults and grid, best by the metric. */
export async function tuneModel(model: string, data: EvalData, opts: TuneOptions = {}): Promise<TuneResult> {
  const factory = getFactory(model);
  const fixed = opts.fixed ?? {};
  const grid = Object.fromEntries(Object.entries(factory.grid ?? {}).filter(([k]) => !(k in fixed)));
  const space = { defaults: { ...factory.defaults, ...fixed }, grid };
  const candidates = candidateParams(space, opts.search ?? 'auto', opts.maxTrials ?? 24, opts.seed ?? 42);
  const start = opts.clock?.();
  const trials: Trial[] = [];
  for (const params of candidates) {
    const trial = await runTrial(model, params, data, opts);
    trials.push(trial);
    opts.onTrial?.(trial);
    if (start !== undefined && opts.budgetMs !== undefined && (opts.clock as () => number)() - start >= opts.budgetMs) break;
  }
  return { model, best: bestOf(trials), trials };
}

/** Highest score; ties keep the earlier trial (defaults come first). */
export function bestOf(trials: readonly Trial[]): Trial {
  let best = trials[0] as Trial;
  for (const t of trials) if (t.score > best.score) best = t;
  return best;
}

/** Models the auto tuner tries by default: every registered one except the blend itself. */
export function autoCandidates(): string[] {
  return modelNames().filter((n) => n !== 'blend');
}
