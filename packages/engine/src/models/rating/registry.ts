import { unpack } from '../../data/pack.ts';
import { baselineFactory } from './baseline.ts';
import { biasedMfFactory } from './biasedMf.ts';
import { svdppFactory } from './svdpp.ts';
import type { RatingModel, RatingModelFactory } from './types.ts';

/** Rating-prediction models by name (separate from the top-N registry: a different verb set). */
const factories = new Map<string, RatingModelFactory>();

export function registerRatingModel(factory: RatingModelFactory): void {
  factories.set(factory.name, factory);
}

registerRatingModel(baselineFactory);
registerRatingModel(biasedMfFactory);
registerRatingModel(svdppFactory);

export function ratingModelNames(): string[] {
  return [...factories.keys()];
}

export function getRatingFactory(name: string): RatingModelFactory {
  const f = factories.get(name);
  if (!f) throw new UnknownRatingModelError(name, ratingModelNames());
  return f;
}

export function createRatingModel(name: string, params?: Record<string, unknown>): RatingModel {
  return getRatingFactory(name).create(params);
}

export function deserializeRatingModel(bytes: Uint8Array): RatingModel {
  const { meta } = unpack<{ name: string }>(bytes);
  return getRatingFactory(meta.name).deserialize(bytes);
}

export class UnknownRatingModelError extends Error {
  readonly code = 'unknown_model';
  constructor(
    readonly model: string,
    readonly known: string[],
  ) {
    super(`unknown rating model "${model}"; known rating models: ${known.join(', ')}`);
  }
}
