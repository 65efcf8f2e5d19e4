import { Rng } from '../data/rng.ts';
import { newArrivalItems } from '../retrieval/newArrivals.ts';
import { RETRIEVERS } from '../retrieval/registry.ts';
import type { RetrievalQuery } from '../retrieval/types.ts';
import { mergeKnobs, type Knobs, type Scenario } from './scenario.ts';
import { BUILTIN_SCENARIOS } from './scenarios.ts';
import { CapCounter } from './stages/caps.ts';
import { contextRerank } from './stages/contextRerank.ts';
import { buildExclusions, NEGATIVE_TYPES } from './stages/exclusions.ts';
import { pickExplorations } from './stages/exploration.ts';
import { fallbackCandidates } from './stages/fallback.ts';
import { itemSimilarity, selectMmr } from './stages/mmr.ts';
import { placePins, placeRulePromotion } from './stages/promotions.ts';
import { placeStated, statedShare } from './stages/statedPreferences.ts';
import { applyRotation } from './stages/rotation.ts';
import { DEFAULT_RULE_ENGINE, RuleBinder, type ItemPredicate } from './stages/rules.ts';
import { addReason, applyBoosts, blendObjectives, mergeRetrieved, scoreRelevance } from './stages/score.ts';
import type { Candidate, CatalogItem, PipelineInputs, RecommendationResult } from './types.ts';

/** What one request asks of the pipeline. Every field but `n` is optional. */
export interface PipelineRequest {
  n: number;
  /** item ids never to return */
  exclude?: readonly string[];
  /** the current item (product page) */
  itemId?: string;
  /** add ?explain=true score breakdowns */
  explain?: boolean;
  /** a scenario name (request.scenarios, then built-ins) or a validated Scenario; default product-page when itemId is set, else homepage */
  scenario?: string | Scenario;
  /** user-defined scenarios by name (validate them with validateScenario first) */
  scenarios?: Readonly<Record<string, Scenario>>;
  /** per-request overrides of the scenario's knobs */
  knobs?: Partial<Knobs>;
  /** item ids in the cart (cart scenario; rules see them as context.cart) */
  cart?: readonly string[];
  /** extra filter rules for this request, on top of the scenario's */
  filters?: readonly string[];
  /** a caller-side predicate (e.g. permissions), applied like a filter rule */
  predicate?: (item: CatalogItem) => boolean;
  /** rule parameters ($name) */
  params?: Readonly<Record<string, unknown>>;
  /** seed for exploration sampling; default derived from user, scenario and context.now */
  seed?: number;
  /** re-rank these ids instead of retrieving (search-rerank); unknown ids are kept at the end */
  candidates?: readonly string[];
}

export class UnknownScenarioError extends Error {
  readonly code = 'unknown_scenario';
  constructor(readonly scenario: string) {
    super(`unknown scenario "${scenario}"; built-in: ${Object.keys(BUILTIN_SCENARIOS).join(', ')}`);
  }
}

export function resolveScenario(request: Pick<PipelineRequest, 'scenario' | 'scenarios' | 'itemId' | 'candidates'>): Scenario {
  const s = request.scenario;
  if (s && typeof s === 'object') return s;
  const name = s ?? (request.candidates ? 'search-rerank' : request.itemId ? 'product-page' : 'homepage');
  // own properties only: a name like "toString" or "constructor" must be an unknown scenario
  const own = (table: Readonly<Record<string, Scenario>> | undefined): Scenario | undefined => (table && Object.hasOwn(table, name) ? table[name] : undefined);
  const found = own(request.scenarios) ?? own(BUILTIN_SCENARIOS);
  if (!found) throw new UnknownScenarioError(name);
  return found;
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * One pipeline for every recommendation: retrieve (several retrievers) → filter (exclusions,
 * rules) → score (relevance, multi-objective blend, context, boosts, rotation) → re-rank
 * (min relevance + fallbacks, exploration, promotions, caps, diversity) → explain. Each
 * candidate carries its score parts and reasons through every stage.
 */
export function runPipeline(inputs: PipelineInputs, request: PipelineRequest): RecommendationResult {
  const { catalog, user, context } = inputs;
  const indexes = inputs.indexes ?? {};
  const scenario = resolveScenario(request);
  const knobs = mergeKnobs(scenario, request.knobs);
  const n = Math.max(0, Math.floor(request.n));
  const rng = new Rng(request.seed ?? hashSeed(`${user?.id ?? ''}|${scenario.name}|${context.now}`));
  const trace: Record<string, number> = {};

  // --- exclusions and rules -------------------------------------------------------------
  const current = request.itemId ? catalog.byId(request.itemId) : undefined;
  const cartItems = (request.cart ?? []).map((id) => catalog.byId(id)).filter((x): x is CatalogItem => x !== undefined);
  const always = new Set<string>([...(request.exclude ?? []), ...(request.itemId ? [request.itemId] : []), ...(request.cart ?? [])]);
  const excl = buildExclusions(user, catalog, [...always], scenario.categoryProperty, scenario.excludeSeen && !request.candidates);
  const binder = new RuleBinder(inputs.rules ?? DEFAULT_RULE_ENGINE, user, context, request.params ?? {}, { ...(current ? { item: current } : {}), ...(cartItems.length ? { cart: cartItems } : {}) });
  const filters: ItemPredicate[] = [...scenario.filters, ...(request.filters ?? [])].map((src) => binder.filter(src));
  if (request.predicate) filters.push(request.predicate);
  const allowed: ItemPredicate = (item) => {
    if (!item.available || excl.hard(item.id)) return false;
    for (const f of filters) if (!f(item)) return false;
    return true;
  };

  // --- retrieve -------------------------------------------------------------------------
  const engaged: string[] = [];
  for (const e of user?.history ?? []) if (!NEGATIVE_TYPES.has(e.type)) engaged.push(e.itemId);
  for (const id of user?.preferences.likedItems ?? []) engaged.push(id);
  const historyIds = distinctInOrder(engaged);
  const segments: string[] = [];
  for (const attr of scenario.segmentBy) {
    const v = user?.attributes[attr] ?? context[attr];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') segments.push(`${attr}=${v}`);
  }
  const query: RetrievalQuery = {
    inputs,
    indexes,
    historyIds,
    seedIds: request.itemId ? [request.itemId] : (request.cart ?? []),
    segments,
    isExcluded: (id) => excl.hard(id) || excl.seen(id),
    categoryProperty: scenario.categoryProperty,
  };
  const pool = new Map<string, Candidate>();
  const unknownIds: string[] = [];
  let totalWeight = 0;
  if (request.candidates) totalWeight = rerankPool(inputs, request.candidates, historyIds, pool, unknownIds);
  else {
    const per = Math.max(n, Math.ceil(knobs.candidates / Math.max(1, scenario.retrievers.length)));
    for (const spec of scenario.retrievers) {
      const weight = spec.weight ?? 1;
      // recently-viewed exists to re-show seen items, so only hard exclusions apply to it
      const q = spec.type === 'recently-viewed' ? { ...query, isExcluded: excl.hard } : query;
      const got = RETRIEVERS[spec.type](q, spec.n ?? per);
      trace[`retrieve:${spec.type}`] = got.length;
      // relevance is normalized over the retrievers that had something to say
      if (got.length > 0) totalWeight += weight;
      mergeRetrieved(pool, spec.type, got, weight);
    }
    if (knobs.exploration > 0) {
      // new items enter the pool with no relevance; exploration alone decides whether they show
      // a seeded sample of the new items, not just the newest: every new item gets its turn
      const k = Math.ceil(knobs.candidates * 0.2);
      // (same list and shuffle as retrieveNewArrivals would give; only the kept items get a reason)
      const fresh = rng.shuffle(newArrivalItems(query, k * 10, knobs.newItemDays * 86_400_000)).slice(0, k);
      for (const item of fresh) if (!pool.has(item.id)) pool.set(item.id, { item, score: 0, parts: {}, reasons: [{ type: 'new-arrival', text: 'New arrival' }], sources: ['exploration'] });
    }
  }
  trace.retrieved = pool.size;

  // --- filter ---------------------------------------------------------------------------
  for (const [id, c] of pool) {
    const seenOk = !excl.seen(id) || (c.sources.length === 1 && c.sources[0] === 'recently-viewed');
    if (!seenOk || !allowed(c.item)) pool.delete(id);
  }
  trace.filtered = pool.size;

  // --- score ----------------------------------------------------------------------------
  let candidates = [...pool.values()];
  scoreRelevance(candidates, totalWeight);
  if (knobs.minRelevance > 0) {
    candidates = candidates.filter((c) => c.parts.relevance >= knobs.minRelevance);
    for (const id of [...pool.keys()]) if ((pool.get(id) as Candidate).parts.relevance < knobs.minRelevance) pool.delete(id);
  }
  blendObjectives(candidates, knobs, indexes, context.now);
  contextRerank(candidates, indexes.context, context, knobs.context, scenario.categoryProperty);
  applyBoosts(candidates, scenario.boosts.map((b) => ({ weight: b.weight, boost: binder.boost(b.rule) })));
  applyRotation(candidates, user, context.now, knobs.rotation, knobs.rotationHours);
  const byScore = (a: Candidate, b: Candidate) => b.score - a.score || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0);
  candidates.sort(byScore);
  candidates = candidates.slice(0, Math.max(knobs.candidates, n));
  pool.clear();
  for (const c of candidates) pool.set(c.item.id, c);

  // --- re-rank --------------------------------------------------------------------------
  const before = new Set(candidates.slice(0, n).map((c) => c.item.id));
  const slots: Array<Candidate | undefined> = new Array(n).fill(undefined);
  const caps = new CapCounter(scenario.caps);
  placePins(scenario.promotions.flatMap((p) => (p.type === 'pin' ? [p] : [])), slots, pool, catalog, (item) => allowed(item) && !always.has(item.id) && !excl.seen(item.id), caps);
  for (const p of scenario.promotions) if (p.type === 'rule') placeRulePromotion(p.share, p.label, binder.filter(p.rule), slots, pool, caps);
  if (!request.candidates) trace.stated = placeStated(statedShare(user), slots, pool, caps);
  const explored = new Set<string>();
  const picks = pickExplorations(candidates.filter((c) => pool.has(c.item.id)), n, { epsilon: knobs.exploration, newItemMs: knobs.newItemDays * 86_400_000 }, indexes.engagement, context.now, rng);
  for (const { slot, candidate } of picks) {
    if (slots[slot] || !caps.allows(candidate.item)) continue;
    slots[slot] = candidate;
    caps.add(candidate.item);
    pool.delete(candidate.item.id);
    candidate.parts.exploration = 1;
    if (!before.has(candidate.item.id)) explored.add(candidate.item.id);
  }
  trace.explored = explored.size;
  const rest = candidates.filter((c) => pool.has(c.item.id));
  const similarity = itemSimilarity(indexes.content, knobs.diversityProperties ?? [scenario.categoryProperty]);
  selectMmr(rest, slots, knobs.diversity, similarity, caps);

  // --- fallbacks: relevant candidates ran out -----------------------------------------------
  const free = slots.filter((s) => !s).length;
  if (free > 0 && !request.candidates) {
    const taken = new Set(slots.flatMap((s) => (s ? [s.item.id] : [])));
    const extra = fallbackCandidates(query, knobs.fallbacks, free + scenario.caps.length * n, taken, (r) => allowed(r.item));
    trace.fallback = extra.length;
    let k = 0;
    for (let slot = 0; slot < slots.length && k < extra.length; slot++) {
      if (slots[slot]) continue;
      while (k < extra.length && !caps.allows(extra[k].item)) k++;
      if (k >= extra.length) break;
      slots[slot] = extra[k];
      caps.add(extra[k].item);
      k++;
    }
  }

  // --- explain --------------------------------------------------------------------------
  const list = slots.filter((s): s is Candidate => s !== undefined);
  for (const c of list) {
    if (explored.has(c.item.id)) {
      addReason(c, { type: 'exploration', text: c.item.createdAt !== undefined && context.now - c.item.createdAt < knobs.newItemDays * 86_400_000 ? 'New — something to discover' : 'Something different to try' });
    }
    if (c.reasons.length === 0) c.reasons.push({ type: 'personalized', text: 'Picked for you' });
  }
  const items: RecommendationResult['items'] = list.map((c) => ({
    itemId: c.item.id,
    score: c.score,
    reasons: orderReasons(c),
    ...(request.explain ? { explain: { ...c.parts, final: c.score } } : {}),
  }));
  for (const id of unknownIds) items.push({ itemId: id, score: 0, reasons: [{ type: 'fallback', text: 'Kept in your order (not in the catalogue)' }] });
  return { items, scenario: scenario.name, ...(request.explain ? { trace } : {}) };
}

/** Promoted first, then the retriever reasons, then context/exploration. */
function orderReasons(c: Candidate): Candidate['reasons'] {
  const rank = (t: string) => (t === 'promoted' ? 0 : t === 'context' || t === 'exploration' ? 2 : 1);
  return [...c.reasons].sort((a, b) => rank(a.type) - rank(b.type));
}

function distinctInOrder(ids: readonly string[]): string[] {
  // keep each id at its latest position, so recency order survives repeats: walking backwards
  // the first sighting is the latest, and no sort is needed
  const seen = new Set<string>();
  const out: string[] = [];
  for (let k = ids.length - 1; k >= 0; k--) {
    const id = ids[k] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out.reverse();
}

/**
 * Re-rank mode: the caller's ids become the pool, relevance = their order (first = 1) blended
 * with the model's scores for the user's history when it has one. Unknown ids are set aside.
 */
function rerankPool(inputs: PipelineInputs, ids: readonly string[], historyIds: readonly string[], pool: Map<string, Candidate>, unknownIds: string[]): number {
  const { catalog, model } = inputs;
  const list = ids.slice(0, 1000);
  const known: CatalogItem[] = [];
  const seen = new Set<string>();
  for (const id of list) {
    if (seen.has(id)) continue;
    seen.add(id);
    const item = catalog.byId(id);
    if (item) known.push(item);
    else unknownIds.push(id);
  }
  known.forEach((item, k) => {
    const prior = 1 - k / Math.max(1, known.length);
    pool.set(item.id, { item, score: 0, parts: { 'retrieve:order': prior }, reasons: [], sources: ['order'] });
  });
  const hist = historyIds.map((id) => catalog.byId(id)).filter((x): x is CatalogItem => !!x && x.index >= 0 && !!model && x.index < model.numItems);
  if (!model || hist.length === 0) return 1;
  const scorable = known.filter((it) => it.index >= 0 && it.index < model.numItems);
  if (scorable.length === 0) return 1;
  const scores = model.scoreItems({ history: { indices: Int32Array.from([...new Set(hist.map((h) => h.index))].sort((a, b) => a - b)), values: new Float32Array(new Set(hist.map((h) => h.index)).size).fill(1) } }, scorable.map((it) => it.index));
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const span = max - min || 1;
  scorable.forEach((it, k) => {
    const c = pool.get(it.id) as Candidate;
    c.parts['retrieve:model'] = (scores[k] - min) / span;
    c.sources.push('model');
    if (scores[k] > min) c.reasons.push({ type: 'personalized', text: 'Ranked for you from your recent activity', itemIds: historyIds.slice(-3) });
  });
  return 2;
}

/** Re-ranks a caller's list (search results, up to 1,000 ids) for the user; unknown ids stay at the end. */
export function rerankList(inputs: PipelineInputs, ids: readonly string[], request: Omit<PipelineRequest, 'candidates' | 'n'> & { n?: number } = {}): RecommendationResult {
  return runPipeline(inputs, { ...request, n: request.n ?? Math.min(ids.length, 1000), candidates: ids, scenario: request.scenario ?? 'search-rerank' });
}
