import { IdMap, deserializeModel, pack, unpack, type PipelineIndexes, type Recommender } from '@attune/engine';

/**
 * A served model version on disk: the model's own `serialize()` bytes plus what the server
 * needs around it: the user and item id maps (model indices ↔ external ids), item popularity
 * (for cold start), and the store sequence number the training data ended at (so the server
 * knows which newer events to fold in from the online state).
 */
export interface ServingArtifact {
  model: Recommender;
  users: IdMap;
  items: IdMap;
  /** distinct users per item index, over all training data */
  popularity: Float32Array;
  /** highest event seq included in training (0 when none) */
  lastSeq: number;
  /** epoch ms the training data ended at (newest event timestamp) */
  dataUntil: number;
  /** pipeline indexes built with the model (popularity, trending, associations; content from the catalogue, context from events with a context; engagement from the recommendation log) */
  indexes: PipelineIndexes;
}

interface ArtifactMeta {
  kind: 'attune-serving';
  users: string[];
  items: string[];
  lastSeq: number;
  dataUntil: number;
  indexes?: PipelineIndexes;
}

export function encodeArtifact(a: Omit<ServingArtifact, 'model'> & { modelBytes: Uint8Array }): Uint8Array {
  const meta: ArtifactMeta = { kind: 'attune-serving', users: a.users.toJSON(), items: a.items.toJSON(), lastSeq: a.lastSeq, dataUntil: a.dataUntil, indexes: a.indexes };
  return pack(meta, { model: a.modelBytes, popularity: a.popularity });
}

export function decodeArtifact(bytes: Uint8Array): ServingArtifact {
  const { meta, arrays } = unpack<ArtifactMeta>(bytes);
  if (meta?.kind !== 'attune-serving') throw new Error('not an Attune serving artifact');
  return {
    model: deserializeModel(arrays.model as Uint8Array),
    users: IdMap.fromJSON(meta.users),
    items: IdMap.fromJSON(meta.items),
    popularity: arrays.popularity as Float32Array,
    lastSeq: meta.lastSeq,
    dataUntil: meta.dataUntil,
    indexes: meta.indexes ?? {},
  };
}
