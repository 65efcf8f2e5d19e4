import { sparseVector } from '../data/csr.ts';
import type { UserQuery } from '../models/model.ts';
import type { Candidate, CatalogItem, PipelineInputs, Reason, RecommendationResult } from './types.ts';

/** What one request asks of the pipeline (scenario defaults already merged in by the caller). */
export interface PipelineRequest {
  n: number;
  /** item ids never to return */
  exclude?: readonly string[];
  /** the current item (product page) */
  itemId?: string;
  /** add ?explain=true score breakdowns */
  explain?: boolean;
}

/**
 * candidates → filter → rank → explain. This first version retrieves from the collaborative
 * model (or popularity when the model cannot personalize) and filters unavailable, consumed
 * and excluded items; the stage set grows in pipeline/stages/ without changing this contract.
 */
export function runPipeline(inputs: PipelineInputs, request: PipelineRequest): RecommendationResult {
  const { model, catalog, user } = inputs;
  const excluded = new Set<string>(request.exclude ?? []);
  for (const e of user?.history ?? []) excluded.add(e.itemId);
  const candidates: Candidate[] = [];
  if (model) {
    const query = userQuery(inputs);
    const skip: number[] = [];
    for (const id of excluded) {
      const item = catalog.byId(id);
      if (item && item.index >= 0) skip.push(item.index);
    }
    const want = request.n * 3 + 10;
    const top = model.recommend(query, want, { exclude: skip });
    const personalized = (user?.history.length ?? 0) > 0;
    for (let k = 0; k < top.items.length; k++) {
      const item = catalog.byIndex(top.items[k] as number);
      if (!item || !item.available || excluded.has(item.id)) continue;
      const score = top.scores[k] as number;
      candidates.push({ item, score, parts: { model: score }, reasons: [personalized ? personalReason(user?.history.at(-1)?.itemId) : popularReason()], sources: [model.name] });
      if (candidates.length >= request.n) break;
    }
  }
  return {
    items: candidates.map((c) => ({ itemId: c.item.id, score: c.score, reasons: c.reasons, ...(request.explain ? { explain: c.parts } : {}) })),
  };
}

function userQuery(inputs: PipelineInputs): UserQuery {
  const { user, catalog } = inputs;
  const idx: number[] = [];
  const val: number[] = [];
  for (const e of user?.history ?? []) {
    const item: CatalogItem | undefined = catalog.byId(e.itemId);
    if (item && item.index >= 0) {
      idx.push(item.index);
      val.push(1);
    }
  }
  return { history: sparseVector(idx, val) };
}

function personalReason(lastItemId: string | undefined): Reason {
  return lastItemId
    ? { type: 'personalized', text: 'Picked for you from your recent activity', itemIds: [lastItemId] }
    : { type: 'personalized', text: 'Picked for you' };
}

function popularReason(): Reason {
  return { type: 'fallback', text: 'Popular with everyone' };
}
