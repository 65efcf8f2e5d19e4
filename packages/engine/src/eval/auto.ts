import type { Interaction, WeightingOptions } from '../data/events.ts';
import { Blend } from '../models/blend.ts';
import type { Recommender } from '../models/model.ts';
import { createModel, deserializeModel, modelNames } from '../models/registry.ts';
import { buildEvalData, type EvalData } from './dataset.ts';
import { evaluateRecommender } from './evaluate.ts';
import { fitModel } from './fit.ts';
import { validationSplit } from './split.ts';
import { autoCandidates, bestOf, tuneModel, type Trial, type TuneOptions, type TuneResult } from './tune.ts';

/**
 * `model=auto`: every candidate model is tuned on a validation split carved from the training
 * data only; the best one (or a blend of the best few, when a blend model is registered and it
 * validates better) wins. The caller then refits the choice on the full training data.
 */
export interface AutoOptions extends Omit<TuneOptions, 'budgetMs'> {
  /** models to consider (default: every registered model but the blend) */
  models?: string[];
  /** total time budget over all models, in clock units (ms); needs `clock` */
  budgetMs?: number;
  /** try blends of the top validated models (default true when 'blend' is registered) */
  blend?: boolean;
  /** called when a model starts tuning */
  onModel?: (model: string, index: number, total: number) => void;
}

export interface AutoResult {
  model: string;
  params: Record<string, unknown>;
  /** the winner's validation score */
  score: number;
  perModel: TuneResult[];
  blendTrials: Trial[];
}

export async function autoTune(validation: EvalData, opts: AutoOptions = {}): Promise<AutoResult> {
  const models = opts.models ?? autoCandidates();
  const perModel: TuneResult[] = [];
  const start = opts.clock?.();
  for (let m = 0; m < models.length; m++) {
    const name = models[m] as string;
    opts.onModel?.(name, m, models.length);
    const tuneOpts: TuneOptions = { ...opts };
    delete tuneOpts.budgetMs;
    if (start !== undefined && opts.budgetMs !== undefined) {
      // share what is left of the budget evenly among the models still to tune
      const left = opts.budgetMs - ((opts.clock as () => number)() - start);
      tuneOpts.budgetMs = Math.max(0, left / (models.length - m));
    }
    perModel.push(await tuneModel(name, validation, tuneOpts));
  }
  return selectAuto(perModel, validation, opts);
}

/**
 * The selection step of autoTune, given each model's tuning result on the same validation data:
 * the best model by the metric, or a blend of the top validated models when one beats it.
 */
export async function selectAuto(perModel: TuneResult[], validation: EvalData, opts: AutoOptions = {}): Promise<AutoResult> {
  const ranked = perModel.map((r) => r.best).filter((t) => Number.isFinite(t.score)).sort((a, b) => b.score - a.score);
  if (ranked.length === 0) throw new Error(`model=auto: no candidate model could be fitted (${perModel.map((r) => `${r.model}: ${r.best.error ?? 'failed'}`).join('; ')})`);
  let winner = ranked[0] as Trial;

  const blendTrials: Trial[] = [];
  if ((opts.blend ?? true) && modelNames().includes('blend') && ranked.length >= 2) {
    blendTrials.push(...(await tryBlends(ranked.slice(0, 3), validation, opts)));
    const bestBlend = blendTrials.length > 0 ? bestOf(blendTrials) : undefined;
    // a blend must beat the single best model to be worth its cost
    if (bestBlend && bestBlend.score > winner.score) winner = bestBlend;
  }
  return { model: winner.model, params: winner.params, score: winner.score, perModel, blendTrials };
}

/**
 * Blend weightings over the top validated models: the top two with the first one's weight
 * 0.2…0.8, and the top three with equal and with rank-decreasing weights, each under z-score and
 * min-max fusion. Weights are relative importances (the blend normalizes children's scores).
 */
export function blendWeightings(children: number): { weights: number[]; fusion: 'zscore' | 'minmax' }[] {
  const sets: number[][] = [];
  if (children >= 2) for (const w of [0.2, 0.35, 0.5, 0.65, 0.8]) sets.push([w, 1 - w]);
  if (children >= 3) sets.push([1, 1, 1], [3, 2, 1]);
  return (['zscore', 'minmax'] as const).flatMap((fusion) => sets.map((weights) => ({ weights, fusion })));
}

/**
 * Scores every blend weighting on validation. The children are fitted once and shared by all
 * weightings (Blend.ofFitted), so trying a weighting costs one evaluation, not a refit.
 */
async function tryBlends(top: readonly Trial[], validation: EvalData, opts: AutoOptions): Promise<Trial[]> {
  const trials: Trial[] = [];
  const t0 = opts.clock?.();
  let fitted: Recommender[];
  try {
    fitted = [];
    for (const t of top) fitted.push(await fitModel(t.model, t.params, validation, { seed: opts.seed ?? 42 }));
  } catch (err) {
    return [{ model: 'blend', params: {}, score: -Infinity, error: err instanceof Error ? err.message : String(err) }];
  }
  const fitMs = t0 !== undefined ? (opts.clock as () => number)() - t0 : undefined;
  const resolver = { create: createModel, deserialize: deserializeModel };
  for (const { weights, fusion } of blendWeightings(fitted.length)) {
    const children = weights.map((weight, k) => ({ model: fitted[k] as Recommender, weight }));
    const blend = Blend.ofFitted(resolver, validation.train, children, fusion);
    const metrics = evaluateRecommender(blend, validation, { k: opts.k ?? 10 });
    const trial: Trial = { model: 'blend', params: { ...blend.params }, score: metrics[opts.metric ?? 'ndcg'], metrics };
    if (fitMs !== undefined) trial.fitMs = fitMs;
    trials.push(trial);
    opts.onTrial?.(trial);
  }
  return trials;
}

export interface ChooseOptions extends AutoOptions {
  weighting?: WeightingOptions;
}

/**
 * Carves validation from the training rows (per-user temporal when every row has a timestamp,
 * seeded random otherwise) and runs autoTune on it. Never sees any test data.
 */
export async function chooseModel(trainRows: readonly Interaction[], opts: ChooseOptions = {}): Promise<AutoResult & { validation: 'per-user-temporal' | 'random' }> {
  const split = validationSplit(trainRows, opts.seed ?? 42);
  if (split.test.length === 0) throw new Error('model=auto: too little data to carve a validation split (no user has 5 or more interactions)');
  const data = buildEvalData(split.train, split.test, opts.weighting ?? {});
  const result = await autoTune(data, opts);
  return { ...result, validation: split.kind };
}
