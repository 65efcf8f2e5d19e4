import { columnCounts, type ContextEvent, type IdMap, type PipelineIndexes, type WeightingOptions } from '@attune/engine';
import { autoTune, evaluateRecommender, fitModel, canonicalKey, type EvalData, type EvalResult } from '@attune/engine/eval/index';
import type { StoredEvent } from '../../ports/store.ts';
import { encodeArtifact } from './artifact.ts';
import { fitCatalogContextModel, segmentPopularity, type CatalogData } from './catalogIndexes.ts';
import { buildEngagementIndex, type RecommendedEvent } from './engagementIndex.ts';
import type { Impression } from '../../ports/onlineState.ts';
import { allRows, evalDataFromColumns, OUT, TEST, TRAIN } from './columnEvalData.ts';
import { associationsFromColumns, popularityFromColumns, trendingFromColumns } from './columnIndexes.ts';
import { countOnes, globalTemporalTest, perUserTemporalTest } from './columnSplit.ts';
import { EventColumns } from './eventColumns.ts';

/** What one training run is asked to do. Plain data: it crosses into the worker thread. */
export interface TrainSpec {
  /** a registered model name, or '' / 'auto' to let the tuner choose */
  model: string;
  params: Record<string, unknown>;
  typeWeights: Record<string, number>;
  defaultWeight: number;
  /** the serving model's configuration, evaluated on the same hold-out for the swap decision */
  baseline?: { model: string; params: Record<string, unknown> };
  /** fraction of each user's latest interactions held out (default 0.2) */
  testFraction?: number;
  /** tuner bound for `auto`: trials per model */
  autoMaxTrials?: number;
  /** tuner bound for `auto`: ms over all models */
  autoBudgetMs?: number;
  seed?: number;
}

export interface TrainOutcome {
  model: string;
  params: Record<string, unknown>;
  /** hold-out metrics of the candidate; baseline ones prefixed "baseline." */
  metrics: Record<string, number>;
  /** swap it in? (not worse than the serving configuration on the same hold-out) */
  promote: boolean;
  note: string;
  trainingEvents: number;
  lastSeq: number;
  dataUntil: number;
  artifact: Uint8Array;
}

export interface CollectedEvents {
  /** item events as columns (events without an item train nothing and are only counted) */
  columns: EventColumns;
  /** events read (including item-less ones) */
  count: number;
  lastSeq: number;
  dataUntil: number;
  /** item events that carried a context object (for the context model) */
  contextEvents?: ContextEvent[];
  /** the catalogue (for the context model's category back-off) */
  catalog?: CatalogData;
  /** item events that carried a recommendation id (engagements for the exploration index) */
  recommendedEvents?: RecommendedEvent[];
  /** the newest shown lists of the recommendation log (collectImpressions: bounded) */
  impressions?: Impression[];
}

/**
 * Bound on the events with a context the trainer keeps as objects for the context model and
 * segment popularity: the newest 1,000,000. Where every event carries a context (an SDK that
 * always sends device and country) the rest of training stays columnar and this stays bounded.
 */
export const MAX_CONTEXT_EVENTS = 1_000_000;

export interface CollectOptions {
  /** recommendation ids of the shown lists the trainer read (the bounded log): engagements with other lists count nothing, so they are not kept */
  shownLists?: ReadonlySet<string>;
  /** newest events with a context kept (default MAX_CONTEXT_EVENTS) */
  maxContextEvents?: number;
}

/**
 * Reads every event from a Store scan into columns; `expected` (the store's event count) sizes
 * them once. Each page of StoredEvent objects is dropped as soon as it is read, so training
 * memory is the columns, not the events; the few kept as objects are bounded (CollectOptions).
 */
export async function collectEvents(pages: AsyncIterable<StoredEvent[]>, expected = 0, opts: CollectOptions = {}): Promise<CollectedEvents> {
  const columns = new EventColumns(expected);
  let count = 0;
  let lastSeq = 0;
  let dataUntil = 0;
  const maxContext = opts.maxContextEvents ?? MAX_CONTEXT_EVENTS;
  // a ring of the newest context events: `contextSeen` counts all, slot = seen mod max
  const contextRing: ContextEvent[] = [];
  let contextSeen = 0;
  const recommendedEvents: RecommendedEvent[] = [];
  for await (const page of pages) {
    for (const e of page) {
      count++;
      if (e.seq > lastSeq) lastSeq = e.seq;
      if (e.timestamp > dataUntil) dataUntil = e.timestamp;
      if (e.itemId === undefined) continue;
      columns.push(e.userId, e.itemId, e.type, e.timestamp);
      if (e.context && typeof e.context === 'object' && maxContext > 0) contextRing[contextSeen++ % maxContext] = { itemId: e.itemId, type: e.type, timestamp: e.timestamp, context: e.context };
      if (e.recommendationId !== undefined && (!opts.shownLists || opts.shownLists.has(e.recommendationId))) recommendedEvents.push({ recommendationId: e.recommendationId, itemId: e.itemId, type: e.type });
    }
  }
  // scan order again: the oldest kept event sits where the next one would have gone
  const cut = contextSeen > maxContext ? contextSeen % maxContext : 0;
  const contextEvents = cut === 0 ? contextRing : [...contextRing.slice(cut), ...contextRing.slice(0, cut)];
  return { columns, count, lastSeq, dataUntil, contextEvents, recommendedEvents };
}

type Progress = (fraction: number, message: string) => void;

/**
 * One training run over collected events: hold out each user's latest interactions (global
 * temporal when no user has enough), pick the model (configured or tuned), evaluate it and
 * the serving configuration on that hold-out, then refit the candidate on everything.
 * Every step reads the event columns; the only per-event memory besides them is the CSR.
 *
 * It takes the collected events over: their columns are released (EventColumns.release) once
 * the refit data is built, so `data` trains once. Each step's data lives in its own function
 * call and is dropped when the step ends: the evaluation split is gone before the refit, and
 * the refit matrix and the model are gone before the artifact is packed, and the model's
 * serialized copy before the artifact is handed back. `collectGarbage`
 * is called at those points (between steps): V8 frees a dropped typed array only when it
 * collects, often not before the next step has allocated its own, so a caller that can force
 * a collection (jobs/garbageCollection.ts) keeps the steps' arrays from piling up.
 */
export async function trainOnEvents(data: CollectedEvents, spec: TrainSpec, onProgress: Progress = () => {}, clock: () => number = Date.now, collectGarbage: () => void = () => {}): Promise<TrainOutcome> {
  const weighting: WeightingOptions = { typeWeights: spec.typeWeights, defaultWeight: spec.defaultWeight };
  const seed = spec.seed ?? 42;
  const fraction = spec.testFraction ?? 0.2;
  const cols = data.columns;
  let split: HoldOut | undefined = holdOut(cols, fraction);
  collectGarbage();

  let name = spec.model;
  let params = spec.params;
  if (name === '' || name === 'auto') {
    onProgress(0.05, 'choosing a model (auto)');
    if (split) {
      const chosen = await autoTune(validationData(cols, split.isTest, weighting), { seed, maxTrials: spec.autoMaxTrials ?? 4, budgetMs: spec.autoBudgetMs ?? 120_000, clock });
      name = chosen.model;
      params = chosen.params;
    } else {
      name = 'popular';
      params = {};
    }
  }

  const metrics: Record<string, number> = {};
  let promote = true;
  let note = 'no hold-out: too little data to evaluate';
  if (split) {
    onProgress(0.3, `evaluating ${name} on a ${split.kind} hold-out`);
    const judged = await evaluateOnHoldOut(cols, split, name, params, spec, weighting, seed, onProgress);
    split = undefined;
    collectGarbage();
    params = judged.params;
    Object.assign(metrics, judged.metrics);
    promote = judged.promote;
    note = judged.note;
  }

  // the retrieval indexes read the columns, so they are built before the refit releases them
  onProgress(0.7, 'building popularity, trending and association indexes');
  const indexes: PipelineIndexes = {
    popularity: popularityFromColumns(cols, spec.typeWeights),
    trending: trendingFromColumns(cols, spec.typeWeights, data.dataUntil),
    associations: associationsFromColumns(cols),
  };
  onProgress(0.75, `refitting ${name} on all ${cols.length} interactions`);
  let fitted: Refit | undefined = await refitOnAll(cols, name, params, weighting, seed, collectGarbage);
  collectGarbage();
  // no content index: each serving node keeps its own, current with catalogue writes (CatalogCache)
  onProgress(0.95, 'building the context model, segment popularity and the engagement index');
  const context = fitCatalogContextModel(data.contextEvents ?? [], data.catalog, spec.typeWeights);
  if (context) indexes.context = context;
  // popular-in-segment: per country, device … from the events' context
  if (indexes.popularity) indexes.popularity.segments = segmentPopularity(data.contextEvents ?? [], spec.typeWeights);
  const engagement = buildEngagementIndex(data.impressions ?? [], data.recommendedEvents ?? [], spec.typeWeights, spec.defaultWeight);
  if (engagement) indexes.engagement = engagement;
  const artifact = encodeArtifact({
    indexes,
    modelBytes: fitted.modelBytes,
    users: fitted.users,
    items: fitted.items,
    popularity: fitted.popularity,
    lastSeq: data.lastSeq,
    dataUntil: data.dataUntil,
  });
  const refitParams = fitted.params;
  // the model's own bytes now sit inside the artifact: the copy goes before the caller decodes it
  fitted = undefined;
  collectGarbage();
  onProgress(1, 'done');
  return { model: name, params: refitParams, metrics, promote, note, trainingEvents: data.count, lastSeq: data.lastSeq, dataUntil: data.dataUntil, artifact };
}

/** Which rows are held out, and how they were chosen. */
interface HoldOut {
  isTest: Uint8Array;
  kind: string;
}

/** Each user's latest interactions, or the latest overall when no user has enough; undefined when nothing can be held out. */
function holdOut(cols: EventColumns, fraction: number): HoldOut | undefined {
  let isTest = perUserTemporalTest(cols, { testFraction: fraction });
  let kind = 'per-user temporal';
  let tested = countOnes(isTest);
  if (tested === 0 || tested === cols.length) {
    isTest = globalTemporalTest(cols, fraction);
    kind = 'global temporal';
    tested = countOnes(isTest);
  }
  return tested > 0 && tested < cols.length ? { isTest, kind } : undefined;
}

/**
 * Fits the candidate (and the serving configuration when it differs) on the hold-out's
 * training part and scores both on its test part. Its evaluation data and models live only
 * in this call, so they are garbage before the refit builds its own.
 */
async function evaluateOnHoldOut(cols: EventColumns, split: HoldOut, name: string, params: Record<string, unknown>, spec: TrainSpec, weighting: WeightingOptions, seed: number, onProgress: Progress): Promise<{ params: Record<string, unknown>; metrics: Record<string, number>; promote: boolean; note: string }> {
  const role = new Uint8Array(cols.length);
  for (let p = 0; p < role.length; p++) role[p] = split.isTest[p] ? TEST : TRAIN;
  const evalData = evalDataFromColumns(cols, role, weighting);
  const fitted = await fitModel(name, params, evalData, { seed });
  // compare resolved parameters (defaults filled in), as the serving model records them
  const resolved = { ...fitted.params };
  const candidate = evaluateRecommender(fitted, evalData);
  const metrics = metricRecord(candidate, '');
  let promote = true;
  let note = `${split.kind} hold-out, ${candidate.users} users: ndcg@10 ${candidate.ndcg.toFixed(4)}`;
  const b = spec.baseline;
  if (b && (b.model !== name || canonicalKey(b.params) !== canonicalKey(resolved))) {
    onProgress(0.55, `evaluating the serving configuration ${b.model}`);
    const base = evaluateRecommender(await fitModel(b.model, b.params, evalData, { seed }), evalData);
    Object.assign(metrics, metricRecord(base, 'baseline.'));
    // "not worse", with a hair of tolerance for float noise between equal models
    promote = candidate.ndcg >= base.ndcg - 1e-9;
    note += promote ? ` ≥ serving ${b.model} ${base.ndcg.toFixed(4)}: promoted` : ` < serving ${b.model} ${base.ndcg.toFixed(4)}: kept the serving model`;
  } else {
    note += b ? ' (same configuration as serving, fresher data): promoted' : ' (first model): promoted';
  }
  return { params: resolved, metrics, promote, note };
}

/** What the artifact keeps of the refit. */
interface Refit {
  modelBytes: Uint8Array;
  params: Record<string, unknown>;
  users: IdMap;
  items: IdMap;
  popularity: Float32Array;
}

/**
 * The candidate fitted on every row, reduced to what the artifact keeps: the model's bytes,
 * the id maps and item popularity. The columns are released as soon as the refit data is
 * built; the refit matrix, its timestamps and the model object are dropped when this returns.
 */
async function refitOnAll(cols: EventColumns, name: string, params: Record<string, unknown>, weighting: WeightingOptions, seed: number, collectGarbage: () => void): Promise<Refit> {
  const all = evalDataFromColumns(cols, allRows(cols), weighting);
  cols.release();
  collectGarbage();
  const model = await fitModel(name, params, all, { seed });
  return { modelBytes: model.serialize(), params: { ...model.params }, users: all.users, items: all.items, popularity: columnCounts(all.train) };
}

/**
 * `model=auto`'s validation data, as the engine's chooseModel carves it: a per-user temporal
 * split of the training part only (store events always carry a timestamp), never the hold-out.
 */
function validationData(cols: EventColumns, isTest: Uint8Array, weighting: WeightingOptions): EvalData {
  const eligible = new Uint8Array(cols.length);
  for (let p = 0; p < eligible.length; p++) eligible[p] = isTest[p] ? 0 : 1;
  const validation = perUserTemporalTest(cols, { eligible });
  if (countOnes(validation) === 0) throw new Error('model=auto: too little data to carve a validation split (no user has 5 or more interactions)');
  const role = new Uint8Array(cols.length);
  for (let p = 0; p < role.length; p++) role[p] = eligible[p] ? (validation[p] ? TEST : TRAIN) : OUT;
  return evalDataFromColumns(cols, role, weighting);
}

function metricRecord(r: EvalResult, prefix: string): Record<string, number> {
  const k = r.k;
  return {
    [`${prefix}ndcg@${k}`]: r.ndcg,
    [`${prefix}precision@${k}`]: r.precision,
    [`${prefix}recall@${k}`]: r.recall,
    [`${prefix}map@${k}`]: r.map,
    [`${prefix}mrr@${k}`]: r.mrr,
    [`${prefix}hitRate@${k}`]: r.hitRate,
    [`${prefix}coverage`]: r.coverage,
    [`${prefix}users`]: r.users,
  };
}
