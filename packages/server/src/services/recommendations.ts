import { ownValue, BUILTIN_SCENARIOS, resolveScenario, runPipeline, UnknownScenarioError, type CatalogView, type Knobs, type PipelineIndexes, type PipelineInputs, type PipelineRequest, type Reason, type RecommendationResult, type Recommender, type RequestContext, type Scenario, type UserEventRecord, type UserProfile } from '@attune/engine';
import { listLifetime } from './serving/listLifetime.ts';
import type { OnlineState, UserOnlineState } from '../ports/onlineState.ts';
import type { ShownList } from '../ports/store.ts';
import type { CatalogCache } from './catalogCache.ts';
import type { ModelRegistry } from './modelRegistry.ts';
import { BoundedCache } from './serving/boundedCache.ts';
import { CategoryPopularity } from './serving/categoryPopularity.ts';
import { newRecommendationId } from './serving/recommendationIds.ts';
import type { ImpressionLog } from './serving/impressionLog.ts';
import type { ChainPosition, PageRequest, RecommendationReplay } from './serving/replay.ts';
import type { ServingModel } from './serving/servingModel.ts';
import { StaticScores } from './serving/staticScores.ts';
import type { CachedUser, UserCache } from './serving/userCache.ts';

export type RecommendedItem = RecommendationResult['items'][number];

export interface RecommendationResponse {
  recommendationId: string;
  items: RecommendedItem[];
  model: { name: string; version: number };
}

export interface ListOptions {
  n: number;
  exclude?: readonly string[];
  explain?: boolean;
  scenario?: string;
  /** request context fields (device, country …); `now` is filled by the service */
  context?: Omit<RequestContext, 'now'>;
  /** per-request overrides of the scenario's knobs (diversity, exploration, minRelevance …) */
  knobs?: Partial<Knobs>;
  /** the request time (epoch ms) instead of the clock: a next page replays its first page's time */
  now?: number;
  /** values of the scenario rules' `$name` parameters */
  params?: Readonly<Record<string, unknown>>;
  /** set by a next page (serving/paging.ts): the chain it continues */
  chain?: ChainPosition;
}

export interface RecommendationServiceDeps {
  registry: ModelRegistry;
  catalog: CatalogCache;
  online: OnlineState;
  impressions: ImpressionLog;
  /** attributes and stated preferences; without it profiles have none */
  users?: UserCache;
  clock?: () => number;
  /**
   * how long a user's computed list may be reused while their history and the catalogue are
   * unchanged (ms; 0 disables). A user's event invalidates their lists at once. A model swap
   * does not: each list of the previous model is served until its own drawn lifetime
   * (listLifetime) runs out, so the recomputations spread over the window instead of every
   * user's pipeline running on the first requests after the swap. The pipeline's rotation and
   * exploration, which vary with impressions and time, also wait this long.
   */
  listCacheMs?: number;
  /** most users with a cached list */
  listCacheSize?: number;
  /** user-defined scenarios (services/scenarios), consulted before the built-ins */
  scenarios?: { definitions(): Readonly<Record<string, Scenario>>; readonly revision: number };
}

interface CachedList {
  userRevision: number;
  record: CachedUser | undefined;
  /** the model that computed the list: its responses name it, also after a swap */
  model: ServingModel | undefined;
  catalogRevision: number;
  expires: number;
  items: RecommendedItem[];
  /**
   * The user surface's replay request for every response from this list: the options (equal
   * for all of them, as the cache key covers them) without `now`, which a next page takes from
   * the logged list's timestamp (replay.ts). A copy with `now` per response was ~300 B that the
   * recommendation log's queue and the attribution ring kept long enough to be promoted: the
   * largest share of what paces the full collections at thousands of requests per second.
   */
  replay: RecommendationReplay;
}

/** half-lives after which the model's trending snapshot no longer counts as trending */
const TRENDING_MAX_AGE = 7;

/** What a response says about the model when nothing has been trained yet. */
const NO_MODEL = Object.freeze({ name: 'none', version: 0 });

/**
 * Every recommendation surface, all through runPipeline: a known or unknown user, an item
 * page, an anonymous session, popular and trending. The user's profile is the serving model's
 * row for them plus every online event newer than that model (fold-in through the history
 * query), so an accepted event changes the very next response without a retrain.
 */
export class RecommendationService {
  private readonly clock: () => number;
  private popularMemo: { model: ServingModel | undefined; recommender: Recommender | undefined } = { model: undefined, recommender: undefined };
  private readonly lists: BoundedCache<string, CachedList>;
  private readonly listCacheMs: number;
  private readonly categoryPopularity = new CategoryPopularity();

  constructor(private readonly deps: RecommendationServiceDeps) {
    this.clock = deps.clock ?? Date.now;
    this.listCacheMs = deps.listCacheMs ?? 60_000;
    this.lists = new BoundedCache(deps.listCacheSize ?? 50_000);
  }

  async forUser(userId: string, opts: ListOptions): Promise<RecommendationResponse> {
    // in-process state and cached users are read without an await (most requests reuse a list)
    const { online: state, users } = this.deps;
    const online = state.getUserSync ? state.getUserSync(userId) : await state.getUser(userId);
    const record = users ? (users.peek(userId) ?? (await users.get(userId))) : undefined;
    // the model is read after the awaits: a history the trainer trimmed (events now in the new
    // model) is never combined with the model before it
    const sm = this.deps.registry.serving;
    const now = opts.now ?? this.clock();
    // a replayed time (next page) is computed afresh: the cached list may be from another time
    const key = this.listCacheMs > 0 && opts.now === undefined ? listKey(userId, opts, this.deps.scenarios?.revision) : '';
    const catalogRevision = this.deps.catalog.itemsRevision;
    if (key) {
      const hit = this.lists.get(key);
      // the model is not compared: see listCacheMs (a swap lets lists run out their own lifetimes)
      if (hit && hit.expires > now && hit.userRevision === online.revision && hit.record === record && hit.catalogRevision === catalogRevision) return this.respond('user', userId, hit.model, hit.items, now, hit.replay);
    }
    let items = await this.computeForUser(userId, sm, online, record, opts, now);
    if (key) {
      // frozen: every response reuses these objects (and the route keeps the items' JSON by identity)
      items = freezeList(items);
      const replay: RecommendationReplay = Object.freeze({ surface: 'user', userId, opts: Object.freeze({ ...opts }) });
      // the list set longest ago goes first past the bound
      this.lists.set(key, { userRevision: online.revision, record, model: sm, catalogRevision, expires: now + listLifetime(this.listCacheMs, Math.random()), items, replay });
      return this.respond('user', userId, sm, items, now, replay);
    }
    return this.respond('user', userId, sm, items, now, { surface: 'user', userId, opts: { ...opts, now } });
  }

  private async computeForUser(userId: string, sm: ServingModel | undefined, online: UserOnlineState, record: CachedUser | undefined, opts: ListOptions, now: number): Promise<RecommendedItem[]> {
    const profile = asOf(buildProfile(userId, sm, online, record), opts.now);
    // with no history the pipeline's popularity and trending retrievers answer (cold start);
    // fillColdStart tops up whatever the pipeline could not fill
    const model = sm ? sm.model : undefined;
    const result = this.run({ model, user: profile, now, opts }, { n: opts.n, ...withExclude(opts.exclude), explain: opts.explain ?? false });
    return this.fillColdStart(result.items, opts, profile, now);
  }

  /** Undefined when the item is neither in the catalogue nor known to the model. */
  async similar(itemId: string, opts: ListOptions & { userId?: string }): Promise<RecommendationResponse | undefined> {
    const sm = this.deps.registry.serving;
    if (!this.catalog().byId(itemId)) return undefined;
    const now = opts.now ?? this.clock();
    // the current item drives retrieval (product-page scenario); the user, when given, only
    // personalizes the order and removes what they already consumed
    let user: UserProfile | undefined;
    if (opts.userId) user = asOf(buildProfile(opts.userId, sm, await this.deps.online.getUser(opts.userId), await this.deps.users?.get(opts.userId)), opts.now);
    const result = this.run({ model: sm?.model, user, now, opts }, { n: opts.n, ...withExclude(opts.exclude), itemId, explain: opts.explain ?? false });
    return this.respond('similar', opts.userId, sm, result.items, now, { surface: 'similar', itemId, ...(opts.userId ? { userId: opts.userId } : {}), opts: { ...opts, now } });
  }

  /** Anonymous visitor: the items seen in this session are the history. */
  async session(itemIds: readonly string[], opts: ListOptions & { sessionId?: string }): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const now = opts.now ?? this.clock();
    const history: UserEventRecord[] = itemIds.map((itemId, k) => ({ itemId, type: 'view', timestamp: now - (itemIds.length - k) }));
    const user: UserProfile = { id: opts.sessionId ?? '', index: -1, attributes: {}, preferences: {}, history };
    const result = this.run({ model: sm?.model, user, now, opts }, { n: opts.n, ...withExclude(opts.exclude), explain: opts.explain ?? false });
    return this.respond('session', undefined, sm, await this.fillColdStart(result.items, opts, user, now), now, { surface: 'session', itemIds, opts: { ...opts, now } });
  }

  async popular(opts: ListOptions): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const now = opts.now ?? this.clock();
    const result = this.run({ model: this.popularModel(sm), user: undefined, now, opts }, { n: opts.n, ...withExclude(opts.exclude), explain: opts.explain ?? false });
    const items = result.items.map((it) => ({ ...it, reasons: [POPULAR_REASON] }));
    return this.respond('popular', undefined, sm, await this.fillColdStart(items, opts, undefined, now), now, { surface: 'popular', opts: { ...opts, now } });
  }

  async trending(opts: ListOptions): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const now = opts.now ?? this.clock();
    this.checkScenario(opts.scenario);
    let items = await this.trendingItems(opts.n, new Set(opts.exclude ?? []), now);
    // trending comes from the online counters, not the pipeline: a scenario's rules still hold
    if (opts.scenario) items = this.admissible(items, [], opts, undefined, now);
    return this.respond('trending', undefined, sm, items.length >= opts.n ? items : await this.fillColdStart(items, opts, undefined, now), now, { surface: 'trending', opts: { ...opts, now } });
  }

  /**
   * Re-orders the caller's ids (search results, a curated list; at most 1,000) for the user:
   * the search-rerank scenario by default, the user's feedback and the scenario's filters
   * apply, ids not in the catalogue follow at the end in the caller's order.
   */
  async rerank(userId: string, itemIds: readonly string[], opts: ListOptions): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const now = opts.now ?? this.clock();
    const user = asOf(buildProfile(userId, sm, await this.deps.online.getUser(userId), await this.deps.users?.get(userId)), opts.now);
    // without ?scenario= the pipeline runs search-rerank (or a custom scenario of that name)
    const result = this.run({ model: sm?.model, user, now, opts }, { n: opts.n, ...withExclude(opts.exclude), candidates: itemIds, explain: opts.explain ?? false });
    return this.respond('rerank', userId, sm, result.items, now, { surface: 'rerank', userId, itemIds, opts: { ...opts, now } });
  }

  private run(a: { model: Recommender | undefined; user: UserProfile | undefined; now: number; opts: ListOptions }, request: PipelineRequest): RecommendationResult {
    const sm = this.deps.registry.serving;
    const inputs: PipelineInputs = {
      catalog: this.catalog(),
      context: { ...a.opts.context, now: a.now },
      indexes: this.indexes(sm, a.now),
    };
    if (a.model) inputs.model = a.model;
    if (a.user) inputs.user = a.user;
    const full: PipelineRequest = a.opts.scenario ? { ...request, scenario: a.opts.scenario } : { ...request };
    const scenarios = this.deps.scenarios?.definitions();
    this.checkScenario(a.opts.scenario);
    if (scenarios) full.scenarios = scenarios;
    if (a.opts.knobs) full.knobs = a.opts.knobs;
    if (a.opts.params) full.params = a.opts.params;
    return runPipeline(inputs, full);
  }

  /** Throws UnknownScenarioError for a name that is neither custom nor built in. */
  private checkScenario(name: string | undefined): void {
    if (name === undefined) return;
    const scenarios = this.deps.scenarios?.definitions();
    // own names only: "toString" or "constructor" must not resolve to Object.prototype's members
    if (!(scenarios && Object.hasOwn(scenarios, name)) && !Object.hasOwn(BUILTIN_SCENARIOS, name)) throw new UnknownScenarioError(name);
  }

  /**
   * The model's event indexes plus the catalogue's new arrivals. A trending index whose newest
   * event is more than TRENDING_MAX_AGE half-lives old is left out: when nothing happened
   * lately nothing is trending, and a stale burst (e.g. a replayed historical data set) must
   * not crowd out personal picks.
   */
  private indexes(sm: ServingModel | undefined, now: number): PipelineIndexes {
    const out: PipelineIndexes = { ...sm?.indexes, newArrivals: this.deps.catalog.newArrivals() };
    // the catalogue's own content index follows item writes; the trained one is as of its run
    const content = this.deps.catalog.contentIndex();
    if (content) out.content = content;
    // stated liked categories retrieve from these lists
    out.popularity = this.categoryPopularity.apply(out.popularity, this.catalog());
    const t = out.trending;
    if (t && now - t.at > TRENDING_MAX_AGE * t.halfLifeMs) delete out.trending;
    return out;
  }

  private catalog(): CatalogView {
    return this.deps.catalog.view(this.deps.registry.serving?.items);
  }

  /** Popularity over the serving model's items, wrapped as a model so the pipeline can rank it. */
  private popularModel(sm: ServingModel | undefined): Recommender | undefined {
    if (this.popularMemo.model !== sm) this.popularMemo = { model: sm, recommender: sm ? new StaticScores('popular', sm.popularity) : undefined };
    return this.popularMemo.recommender;
  }

  /**
   * Tops a short list up: a cold user, an empty or tiny model, or heavy filtering may leave
   * fewer than n, so popular items, then trending ones, then the newest catalogue items follow.
   */
  private async fillColdStart(items: RecommendedItem[], opts: ListOptions, user: UserProfile | undefined, now: number): Promise<RecommendedItem[]> {
    if (items.length >= opts.n) return items;
    const skip = new Set<string>([...(opts.exclude ?? []), ...items.map((i) => i.itemId), ...(user?.history ?? []).map((e) => e.itemId)]);
    // gather more than the free slots: the admissibility check below may turn many away
    const want = opts.n - items.length;
    const budget = want * 10 + 100;
    const pool: RecommendedItem[] = [];
    const sm = this.deps.registry.serving;
    const catalog = this.catalog();
    if (sm) {
      for (const idx of sm.popularOrder) {
        if (pool.length >= budget) break;
        const item = catalog.byIndex(idx);
        if (!item || !item.available || skip.has(item.id)) continue;
        pool.push({ itemId: item.id, score: sm.popularity[idx] as number, reasons: [POPULAR_REASON] });
        skip.add(item.id);
      }
    }
    if (pool.length < budget) {
      for (const t of await this.trendingItems(budget - pool.length, skip, now)) {
        pool.push(t);
        skip.add(t.itemId);
      }
    }
    if (pool.length < budget) {
      const newest = [...catalog.all()].filter((c) => c.available && !skip.has(c.id)).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || (a.id < b.id ? -1 : 1));
      for (const c of newest.slice(0, budget - pool.length)) pool.push({ itemId: c.id, score: 0, reasons: [{ type: 'fallback', text: 'New in the catalogue' }] });
    }
    const extra = this.admissible(pool, items, opts, user, now).slice(0, want);
    // ?explain=true: the top-up says where it came from, like the pipeline's fallbacks do
    if (opts.explain) for (const i of extra) i.explain = { [`fallback:${i.reasons[0] === TRENDING_REASON ? 'trending' : i.reasons[0] === POPULAR_REASON ? 'popular' : 'newest'}`]: 1, final: i.score };
    return [...items, ...extra];
  }

  /**
   * The items of `extra` the request's scenario would let through after `placed`: its filter
   * rules, the user's exclusions (dislikes, hidden categories, not-interested) and its caps,
   * counted over `placed` as well. The top-up lists above come from outside the pipeline; without
   * this a short list would be filled with exactly what a rule or the user ruled out. The
   * filters and exclusions are the pipeline's own (re-rank mode keeps only what passes them).
   */
  private admissible(extra: RecommendedItem[], placed: readonly RecommendedItem[], opts: ListOptions, user: UserProfile | undefined, now: number): RecommendedItem[] {
    if (extra.length === 0) return extra;
    const scenarios = this.deps.scenarios?.definitions() ?? {};
    const scenario = resolveScenario(opts.scenario ? { scenario: opts.scenario, scenarios } : { scenarios });
    const { scenario: _name, knobs: _knobs, ...rest } = opts;
    const result = this.run(
      { model: this.deps.registry.serving?.model, user, now, opts: rest },
      { n: extra.length, candidates: extra.map((i) => i.itemId), scenario: { ...scenario, promotions: [], caps: [] }, knobs: { diversity: 0, exploration: 0, rotation: 0, minRelevance: 0, context: 0 } },
    );
    const catalog = this.catalog();
    const passed = new Set(result.items.filter((i) => catalog.byId(i.itemId)).map((i) => i.itemId));
    const counts = scenario.caps.map(() => new Map<string, number>());
    const values = (id: string, property: string): string[] => {
      const found = catalog.byId(id);
      const v = found ? ownValue(found.properties, property) : undefined;
      return v === null || v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
    };
    const count = (id: string): void => scenario.caps.forEach((cap, k) => values(id, cap.property).forEach((v) => counts[k]!.set(v, (counts[k]!.get(v) ?? 0) + 1)));
    const allows = (id: string): boolean => scenario.caps.every((cap, k) => values(id, cap.property).every((v) => (counts[k]!.get(v) ?? 0) < cap.max));
    placed.forEach((i) => count(i.itemId));
    const out: RecommendedItem[] = [];
    for (const i of extra) {
      if (!passed.has(i.itemId) || !allows(i.itemId)) continue;
      count(i.itemId);
      out.push(i);
    }
    return out;
  }


  private async trendingItems(n: number, skip: Set<string>, now: number): Promise<RecommendedItem[]> {
    if (n <= 0) return [];
    const catalog = this.catalog();
    const out: RecommendedItem[] = [];
    for (const t of await this.deps.online.trending(n + skip.size + 50, now)) {
      const item = catalog.byId(t.itemId);
      if (!item || !item.available || skip.has(t.itemId)) continue;
      out.push({ itemId: t.itemId, score: t.score, reasons: [TRENDING_REASON] });
      if (out.length >= n) break;
    }
    return out;
  }

  private respond(surface: string, userId: string | undefined, sm: ServingModel | undefined, items: RecommendedItem[], now: number, replay: RecommendationReplay): RecommendationResponse {
    const recommendationId = newRecommendationId();
    const chain = replay.opts.chain;
    let request: PageRequest;
    if (chain) {
      // belt and braces: the exclusions already keep the chain's items out of every surface
      const shown = new Set(chain.shownBefore);
      items = items.filter((i) => !shown.has(i.itemId));
      request = { replay: { ...chain.replay, opts: { ...chain.replay.opts, n: replay.opts.n } }, shownBefore: chain.shownBefore };
    } else request = { replay };
    const itemIds = itemIdsOf(items);
    const list: ShownList = { recommendationId, surface, timestamp: now, itemIds, request, firstId: chain?.firstId ?? recommendationId, page: chain?.page ?? 1 };
    if (userId) list.userId = userId;
    if (sm) list.modelVersion = sm.version;
    this.deps.impressions.record(list);
    return { recommendationId, items, model: sm ? modelOf(sm) : NO_MODEL };
  }
}

const modelObjects = new WeakMap<ServingModel, RecommendationResponse['model']>();

/** What responses say about a serving model: one frozen object per model, so the route serializes it once. */
function modelOf(sm: ServingModel): RecommendationResponse['model'] {
  let m = modelObjects.get(sm);
  if (!m) modelObjects.set(sm, (m = Object.freeze({ name: sm.name, version: sm.version })));
  return m;
}

const POPULAR_REASON: Reason = Object.freeze({ type: 'fallback', text: 'Popular with everyone' }) as Reason;
const TRENDING_REASON: Reason = Object.freeze({ type: 'trending', text: 'Trending right now' }) as Reason;

const cachedItemIds = new WeakMap<readonly RecommendedItem[], string[]>();

/** The items' ids; for a cached (frozen) list computed once and shared, frozen too, by every response's log entry. */
function itemIdsOf(items: readonly RecommendedItem[]): string[] {
  const hit = cachedItemIds.get(items);
  if (hit) return hit;
  const ids = new Array<string>(items.length);
  for (let k = 0; k < items.length; k++) ids[k] = (items[k] as RecommendedItem).itemId;
  if (Object.isFrozen(items)) cachedItemIds.set(items, Object.freeze(ids) as string[]);
  return ids;
}

function freezeList(items: RecommendedItem[]): RecommendedItem[] {
  for (const item of items) Object.freeze(item);
  return Object.freeze(items) as RecommendedItem[];
}

function listKey(userId: string, o: ListOptions, scenariosRevision = 0): string {
  let key = `${userId}\u0000${o.n}\u0000${o.explain ? 1 : 0}\u0000${o.scenario ?? ''}\u0000${scenariosRevision}`;
  if (o.exclude && o.exclude.length > 0) key += `\u0000${o.exclude.join(',')}`;
  if (o.context) key += `\u0000${JSON.stringify(o.context)}`;
  if (o.knobs) key += `\u0001${JSON.stringify(o.knobs)}`;
  if (o.params) key += `\u0002${JSON.stringify(o.params)}`;
  return key;
}

/**
 * A replayed request (next page, `now` fixed to the first page's time) sees the impressions
 * as they were then: the pages shown since must not rotate the rest of the list, or the same
 * continuation would come out differently each time it is asked for.
 */
function asOf(profile: UserProfile, now: number | undefined): UserProfile {
  if (now === undefined || !profile.recentImpressions) return profile;
  return { ...profile, recentImpressions: profile.recentImpressions.filter((i) => i.timestamp < now) };
}

function withExclude(exclude: readonly string[] | undefined): { exclude?: readonly string[] } {
  return exclude && exclude.length > 0 ? { exclude } : {};
}

const trainedMemo = new WeakMap<ServingModel, BoundedCache<number, readonly UserEventRecord[]>>();
const TRAINED_MEMO_USERS = 50_000;

/** A user's matrix row as history records, built once per serving model (records are never mutated). */
function trainedHistory(sm: ServingModel, index: number): readonly UserEventRecord[] {
  let memo = trainedMemo.get(sm);
  if (!memo) trainedMemo.set(sm, (memo = new BoundedCache(TRAINED_MEMO_USERS)));
  let list = memo.get(index);
  if (!list) {
    const row = sm.model.userHistory(index);
    const out: UserEventRecord[] = [];
    for (let k = 0; k < row.indices.length; k++) out.push(Object.freeze({ itemId: sm.items.id(row.indices[k] as number), type: 'trained', timestamp: 0 }));
    list = Object.freeze(out);
    memo.set(index, list);
  }
  return list;
}

/**
 * The user as the pipeline sees them: what the serving model learned (their matrix row) plus
 * every online event the model has not seen (seq after the training cut, or not from the
 * Store at all). That union is the fold-in history.
 */
export function buildProfile(userId: string, sm: ServingModel | undefined, online: UserOnlineState, record?: CachedUser): UserProfile {
  const index = sm ? sm.users.index(userId) : -1;
  const history: UserEventRecord[] = sm && index >= 0 ? [...trainedHistory(sm, index)] : [];
  const cut = sm?.lastSeq ?? -1;
  for (const e of online.history) if (e.seq === undefined || e.seq > cut) history.push(e);
  const profile: UserProfile = { id: userId, index, attributes: record?.attributes ?? {}, preferences: record?.preferences ?? {}, history };
  if (online.impressions.length > 0) profile.recentImpressions = online.impressions;
  return profile;
}
