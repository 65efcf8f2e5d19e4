import type { Interaction } from '@attune/engine';
import { evaluateRatings, type RatingEvaluation } from '@attune/engine/models/rating/evaluate';
import { ratingModelNames } from '@attune/engine/models/rating/registry';
import { ratingTriples } from '@attune/engine/models/rating/triples';
import { CliError } from '../cliError.ts';

/**
 * `attune evaluate --task rating`: RMSE/MAE of rating-prediction models. Train and test share
 * id maps so their indices line up; ids only in test are unknown to the models (bias fallback).
 */
export async function evaluateRatingTask(
  train: readonly Interaction[],
  test: readonly Interaction[],
  models: readonly string[],
  params: Record<string, unknown>,
): Promise<RatingEvaluation[]> {
  const known = ratingModelNames();
  for (const m of models) if (!known.includes(m)) throw new CliError(`--models: unknown rating model "${m}"; known rating models: ${known.join(', ')}`);
  const records = (rows: readonly Interaction[]) => rows.map((e) => ({ user: e.userId, item: e.itemId, rating: e.value as number }));
  const t = ratingTriples(records(train));
  const s = ratingTriples(records(test), t.maps);
  try {
    return evaluateRatings(t, s, models, params as Record<string, Record<string, unknown>>);
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'invalid_params') throw new CliError(`--params: ${err.message}`);
    throw err;
  }
}
