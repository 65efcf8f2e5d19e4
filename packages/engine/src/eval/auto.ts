import type { Interaction, WeightingOptions } from '../data/events.ts';
import { modelNames } from '../models/registry.ts';
import { buildEvalData, type EvalData } from './dataset.ts';
import { validationSplit } from './split.ts';
import { autoCandidates, bestOf, runTrial, tuneModel, type Trial, type TuneOptions, type TuneResult } from './tune.ts';

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
  const ranked = perModel.map((r) => r.best).filter((t) => Number.isFinite(t.score)).sort((a, b) => b.score - a.score);
  if (ranked.length === 0) throw new Error(`model=auto: no candidate model could be fitted (${perModel.map((r) => `${r.model}: ${r.best.error ?? 'failed'}`).join('; ')})`);
  let winner = ranked[0] as Trial;

  const blendTrials: Trial[] = [];
  if ((opts.blend ?? true) && modelNames().includes('blend') && ranked.length >= 2) {
    for (const params of blendCandidates(ranked.slice(0, 3))) {
      const trial = await runTrial('blend', params, validation, opts);
      blendTrials.push(trial);
      opts.onTrial?.(trial);
    }
    const bestBlend = blendTrials.length > 0 ? bestOf(blendTrials) : undefined;
    // a blend must beat the single best model to be worth its cost
    if (bestBlend && bestBlend.score > winner.score) winner = bestBlend;
  }
  return { model: winner.model, params: winner.params, score: winner.score, perModel, blendTrials };
}

/**
 * Blend parameter sets over the top validated models: the top two with weights 0.3…0.7 and the
 * top three with equal weights. The blend normalizes each child's scores, so weights are
 * relative importances.
 */
export function blendCandidates(top: readonly Trial[]): Record<string, unknown>[] {
  const child = (t: Trial, weight: number) => ({ model: t.model, params: t.params, weight });
  const out: Record<string, unknown>[] = [];
  const [a, b, c] = top;
  if (a && b) for (const w of [0.3, 0.5, 0.7]) out.push({ models: [child(a, w), child(b, 1 - w)] });
  if (a && b && c) out.push({ models: [child(a, 1 / 3), child(b, 1 / 3), child(c, 1 / 3)] });
  return out;
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
