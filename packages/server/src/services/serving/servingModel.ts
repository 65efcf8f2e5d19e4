import type { ServingArtifact } from '../training/artifact.ts';

/** The model the server answers with right now, with the version it was recorded as. */
export interface ServingModel extends ServingArtifact {
  version: number;
  name: string;
  /** epoch ms the version was recorded (model age) */
  trainedAt: number;
  /** item indices by descending popularity (precomputed once per swap for cold start) */
  popularOrder: Int32Array;
}

export function toServingModel(version: number, artifact: ServingArtifact, trainedAt: number): ServingModel {
  const pop = artifact.popularity;
  const order = Int32Array.from({ length: pop.length }, (_, i) => i).sort((a, b) => (pop[b] as number) - (pop[a] as number) || a - b);
  return { ...artifact, version, name: artifact.model.name, trainedAt, popularOrder: order };
}
