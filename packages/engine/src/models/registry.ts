import type { ModelFactory, Recommender } from './model.ts';
import { popularFactory } from './popularity.ts';
import { alsFactory } from './als/als.ts';
import { bprFactory } from './bpr/bpr.ts';
import { itemKnnFactory } from './itemKnn.ts';
import { easeFactory } from './ease.ts';
import { rp3betaFactory } from './rp3beta.ts';
import { trendingFactory } from './trending.ts';
import { userKnnFactory } from './userKnn.ts';
import { makeBlendFactory } from './blend.ts';
import { FactoryRegistry } from './factoryRegistry.ts';

/**
 * Every model the engine offers, by name. The CLI, the tuner, the trainer and the server all
 * resolve models here, so adding a model means adding one line.
 */
const factories = new FactoryRegistry<ModelFactory>((name, known) => new UnknownModelError(name, known));

export function registerModel(factory: ModelFactory): void {
  factories.register(factory);
}

registerModel(popularFactory);
registerModel(alsFactory);
registerModel(bprFactory);
registerModel(itemKnnFactory);
registerModel(easeFactory);
registerModel(rp3betaFactory);
registerModel(trendingFactory);
registerModel(userKnnFactory);
// function declarations below are hoisted, so the blend can resolve its children lazily
registerModel(makeBlendFactory({ create: createModel, deserialize: deserializeModel }));

export function modelNames(): string[] {
  return factories.names();
}

export function getFactory(name: string): ModelFactory {
  return factories.get(name);
}

export function createModel(name: string, params?: Record<string, unknown>): Recommender {
  return getFactory(name).create(params);
}

/** Restores any model from its `serialize()` bytes (the artifact records its model name). */
export function deserializeModel(bytes: Uint8Array): Recommender {
  return factories.forArtifact(bytes).deserialize(bytes);
}

export class UnknownModelError extends Error {
  readonly code = 'unknown_model';
  constructor(
    readonly model: string,
    readonly known: string[],
  ) {
    super(`unknown model "${model}"; known models: ${known.join(', ')}`);
  }
}
