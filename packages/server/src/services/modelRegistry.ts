import type { Store } from '../ports/store.ts';
import { decodeArtifact } from './training/artifact.ts';
import { toServingModel, type ServingModel } from './serving/servingModel.ts';

type Listener = (model: ServingModel) => void;

/**
 * Holds the serving model. A swap replaces one reference, so a request that already read the
 * old model finishes on it and the next one sees the new model: nothing is ever half-swapped.
 */
export class ModelRegistry {
  private current: ServingModel | undefined;
  private readonly listeners: Listener[] = [];

  get serving(): ServingModel | undefined {
    return this.current;
  }

  swap(model: ServingModel): void {
    this.current = model;
    for (const l of this.listeners) l(model);
  }

  onSwap(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Loads the newest version marked serving; returns it, or undefined when there is none. */
  async loadServing(store: Store): Promise<ServingModel | undefined> {
    const versions = await store.listModelVersions();
    const newest = versions.filter((v) => v.status === 'serving').sort((a, b) => b.version - a.version)[0];
    if (!newest) return undefined;
    const bytes = await store.getModelArtifact(newest.version);
    if (!bytes) return undefined;
    const model = toServingModel(newest.version, decodeArtifact(bytes), newest.createdAt);
    this.swap(model);
    return model;
  }
}
