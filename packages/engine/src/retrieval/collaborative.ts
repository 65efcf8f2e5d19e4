import { sparseVector, type SparseVector } from '../data/csr.ts';
import type { Recommender, ScoredItems } from '../models/model.ts';
import { scratchScores, topKFast } from './topScores.ts';
import type { Retrieved, RetrievalQuery } from './types.ts';

/**
 * The serving model's recommendations for the user's history (ad-hoc query, so events since
 * the last fit count at once). Empty when the user has no history the model knows: the
 * popularity and trending retrievers cover cold start.
 */
export function retrieveCollaborative(query: RetrievalQuery, n: number): Retrieved[] {
  const { model, catalog } = query.inputs;
  if (!model) return [];
  const idx: number[] = [];
  const val: number[] = [];
  const known: string[] = [];
  const h = query.historyIds;
  h.forEach((id, k) => {
    const item = catalog.byId(id);
    if (item && item.index >= 0 && item.index < model.numItems) {
      idx.push(item.index);
      // recent events weigh a little more than old ones
      val.push(0.5 + (0.5 * (k + 1)) / h.length);
      known.push(id);
    }
  });
  if (idx.length === 0) return [];
  const history = sparseVector(idx, val);
  const k = n * 2 + 20;
  // the model's own top-k when it has one (item-kNN: sparse over the history's neighbour lists)
  const top = model.recommendTop ? model.recommendTop({ history }, k) : denseTop(model, history, idx, k);
  const because = known.slice(-3);
  const out: Retrieved[] = [];
  for (let k = 0; k < top.items.length && out.length < n; k++) {
    const item = catalog.byIndex(top.items[k]);
    if (!item || !item.available || query.isExcluded(item.id)) continue;
    out.push({ item, score: top.scores[k], reason: { type: 'personalized', text: 'Picked for you from your recent activity', itemIds: because } });
  }
  return out;
}

/** scoreAll into a reused buffer + sampled top-k: no per-request catalogue-sized allocation. */
function denseTop(model: Recommender, history: SparseVector, idx: readonly number[], k: number): ScoredItems {
  const buf = scratchScores(model.numItems, 'collaborative').fill(0);
  let scores = model.scoreAll({ history }, buf);
  // we write -Infinity into the scores: never into an array the model might keep
  if (scores !== buf) scores = (buf.set(scores.subarray(0, buf.length)), buf);
  for (const i of idx) scores[i] = -Infinity;
  return topKFast(scores, k);
}
