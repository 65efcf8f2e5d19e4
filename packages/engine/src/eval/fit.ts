import type { FitContext, Recommender } from '../models/model.ts';
import { getFactory } from '../models/registry.ts';
import type { EvalData } from './dataset.ts';

export interface FitOptions {
  seed?: number;
  onProgress?: FitContext['onProgress'];
}

/**
 * Creates a registered model with `params` and fits it on the data's train matrix, passing the
 * entry timestamps and "now" along for time-aware models.
 */
export async function fitModel(name: string, params: Record<string, unknown>, data: Pick<EvalData, 'train' | 'timestamps' | 'now'>, opts: FitOptions = {}): Promise<Recommender> {
  const model = getFactory(name).create(params);
  const ctx: FitContext = { seed: opts.seed ?? 42 };
  if (opts.onProgress) ctx.onProgress = opts.onProgress;
  if (data.now !== undefined) ctx.now = data.now;
  if (data.timestamps) ctx.timestamps = data.timestamps;
  await model.fit(data.train, ctx);
  return model;
}
