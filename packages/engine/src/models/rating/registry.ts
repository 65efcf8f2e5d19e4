import { FactoryRegistry } from '../factoryRegistry.ts';
import { baselineFactory } from './baseline.ts';
import { biasedMfFactory } from './biasedMf.ts';
import { svdppFactory } from './svdpp.ts';
import type { RatingModel, RatingModelFactory } from './types.ts';

/** Rating-prediction models by name (separate from the top-N registry: a different verb set). */
const factories = new FactoryRegistry<RatingModelFactory>((name, known) => new UnknownRatingModelError(name, known));

export function registerRatingModel(factory: RatingModelFactory): void {
  factories.register(factory);
}

registerRatingModel(baselineFactory);
registerRatingModel(biasedMfFactory);
registerRatingModel(svdppFactory);

export function ratingModelNames(): string[] {
  return factories.names();
}

export function getRatingFactory(name: string): RatingModelFactory {
  return factories.get(name);
}

export function createRatingModel(name: string, params?: Record<string, unknown>): RatingModel {
  return getRatingFactory(name).create(params);
}

export function deserializeRatingModel(bytes: Uint8Array): RatingModel {
  return factories.forArtifact(bytes).deserialize(bytes);
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
