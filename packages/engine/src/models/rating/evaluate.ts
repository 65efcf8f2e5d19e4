import { mae, rmse } from './metrics.ts';
import { createRatingModel } from './registry.ts';
import type { RatingModel, RatingTriples } from './types.ts';

export interface RatingEvaluation {
  model: string;
  rmse: number;
  mae: number;
}

/** Predictions of a fitted model for every (user, item) of `t`. */
export function predictAll(model: RatingModel, t: RatingTriples): Float32Array {
  const out = new Float32Array(t.ratings.length);
  for (let k = 0; k < out.length; k++) out[k] = model.predict(t.users[k] as number, t.items[k] as number);
  return out;
}

/**
 * Fits each named rating model on `train` and scores it on `test` (same index space; test users
 * or items unseen in train fall back to the model's biases). `params` maps a model name to its
 * hyper-parameters.
 */
export function evaluateRatings(
  train: RatingTriples,
  test: RatingTriples,
  modelNames: readonly string[],
  params: Readonly<Record<string, Record<string, unknown>>> = {},
): RatingEvaluation[] {
  return modelNames.map((name) => {
    const model = createRatingModel(name, params[name]);
    model.fit(train);
    const predicted = predictAll(model, test);
    return { model: name, rmse: rmse(predicted, test.ratings), mae: mae(predicted, test.ratings) };
  });
}
