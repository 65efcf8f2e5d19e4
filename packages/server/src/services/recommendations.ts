import { randomUUID } from 'node:crypto';
import { runPipeline, type CatalogView, type PipelineIndexes, type PipelineInputs, type PipelineRequest, type Reason, type RecommendationResult, type Recommender, type RequestContext, type UserEventRecord, type UserProfile } from '@attune/engine';
import type { OnlineState, UserOnlineState } from '../ports/onlineState.ts';
import type { CatalogCache } from './catalogCache.ts';
import type { ModelRegistry } from './modelRegistry.ts';
import type { ImpressionLog } from './serving/impressionLog.ts';
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
   * how long a user's computed list may be reused while their history, the model and the
   * catalogue are unchanged (ms; 0 disables). Events and swaps invalidate at once; only the
   * pipeline's rotation and exploration, which vary with impressions and time, wait this long.
   */
  listCacheMs?: number;
  /** most users with a cached list */
  listCacheSize?: number;
}

interface CachedList {
  userRevision: number;
  record: CachedUser | undefined;
  model: ServingModel | undefined;
  catalog: CatalogView;
  expires: number;
  items: RecommendedItem[];
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
  private readonly lists = new Map<string, CachedList>();
  private readonly listCacheMs: number;
  private readonly listCacheSize: number;

  constructor(private readonly deps: RecommendationServiceDeps) {
    this.clock = deps.clock ?? Date.now;
    this.listCacheMs = deps.listCacheMs ?? 60_000;
    this.listCacheSize = deps.listCacheSize ?? 50_000;
  }

  async forUser(userId: string, opts: ListOptions): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const online = await this.deps.online.getUser(userId);
    const record = await this.deps.users?.get(userId);
    const now = this.clock();
    const key = this.listCacheMs > 0 ? listKey(userId, opts) : '';
    const catalog = this.catalog();
    if (key) {
      const hit = this.lists.get(key);
      if (hit && hit.expires > now && hit.userRevision === online.revision && hit.record === record && hit.model === sm && hit.catalog === catalog) return this.respond('user', userId, sm, hit.items, now);
    }
    const items = await this.computeForUser(userId, sm, online, record, opts, now);
    if (key) {
      if (this.lists.size >= this.listCacheSize) this.lists.delete(this.lists.keys().next().value as string);
      this.lists.delete(key);
      this.lists.set(key, { userRevision: online.revision, record, model: sm, catalog, expires: now + this.listCacheMs, items });
    }
    return this.respond('user', userId, sm, items, now);
  }

  private async computeForUser(userId: string, sm: ServingModel | undefined, online: UserOnlineState, record: CachedUser | undefined, opts: ListOptions, now: number): Promise<RecommendedItem[]> {
    const profile = buildProfile(userId, sm, online, record);
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
    const now = this.clock();
    // the current item drives retrieval (product-page scenario); the user, when given, only
    // personalizes the order and removes what they already consumed
    let user: UserProfile | undefined;
    if (opts.userId) user = buildProfile(opts.userId, sm, await this.deps.online.getUser(opts.userId), await this.deps.users?.get(opts.userId));
    const result = this.run({ model: sm?.model, user, now, opts }, { n: opts.n, ...withExclude(opts.exclude), itemId, explain: opts.explain ?? false });
    return this.respond('similar', opts.userId, sm, result.items, now);
  }

  /** Anonymous visitor: the items seen in this session are the history. */
  async session(itemIds: readonly string[], opts: ListOptions & { sessionId?: string }): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const now = this.clock();
    const history: UserEventRecord[] = itemIds.map((itemId, k) => ({ itemId, type: 'view', timestamp: now - (itemIds.length - k) }));
    const user: UserProfile = { id: opts.sessionId ?? '', index: -1, attributes: {}, preferences: {}, history };
    const result = this.run({ model: sm?.model, user, now, opts }, { n: opts.n, ...withExclude(opts.exclude), explain: opts.explain ?? false });
    return this.respond('session', undefined, sm, await this.fillColdStart(result.items, opts, user, now), now);
  }

  async popular(opts: ListOptions): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const now = this.clock();
    const result = this.run({ model: this.popularModel(sm), user: undefined, now, opts }, { n: opts.n, ...withExclude(opts.exclude), explain: opts.explain ?? false });
    const items = result.items.map((it) => ({ ...it, reasons: [POPULAR_REASON] }));
    return this.respond('popular', undefined, sm, await this.fillColdStart(items, opts, undefined, now), now);
  }

  async trending(opts: ListOptions): Promise<RecommendationResponse> {
    const sm = this.deps.registry.serving;
    const now = this.clock();
    const items = await this.trendingItems(opts.n, new Set(opts.exclude ?? []), now);
    return this.respond('trending', undefined, sm, items.length >= opts.n ? items : await this.fillColdStart(items, opts, undefined, now), now);
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
    return runPipeline(inputs, a.opts.scenario ? { ...request, scenario: a.opts.scenario } : request);
  }

  /**
   * The model's event indexes plus the catalogue's new arrivals. A trending index whose newest
   * event is more than TRENDING_MAX_AGE half-lives old is left out: when nothing happened
   * lately nothing is trending, and a stale burst (e.g. a replayed historical data set) must
   * not crowd out personal picks.
   */
  private indexes(sm: ServingModel | undefined, now: number): PipelineIndexes {
    const out: PipelineIndexes = { ...sm?.indexes, newArrivals: this.deps.catalog.newArrivals() };
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
    const out = [...items];
    const sm = this.deps.registry.serving;
    const catalog = this.catalog();
    if (sm) {
      for (const idx of sm.popularOrder) {
        if (out.length >= opts.n) return out;
        const item = catalog.byIndex(idx);
        if (!item || !item.available || skip.has(item.id)) continue;
        out.push({ itemId: item.id, score: sm.popularity[idx] as number, reasons: [POPULAR_REASON] });
        skip.add(item.id);
      }
    }
    for (const t of await this.trendingItems(opts.n - out.length, skip, now)) {
      out.push(t);
      skip.add(t.itemId);
    }
    if (out.length >= opts.n) return out;
    const newest = [...catalog.all()].filter((c) => c.available && !skip.has(c.id)).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || (a.id < b.id ? -1 : 1));
    for (const c of newest) {
      if (out.length >= opts.n) break;
      out.push({ itemId: c.id, score: 0, reasons: [{ type: 'fallback', text: 'New in the catalogue' }] });
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

  private respond(surface: string, userId: string | undefined, sm: ServingModel | undefined, items: RecommendedItem[], now: number): RecommendationResponse {
    const recommendationId = randomUUID();
    this.deps.impressions.record({ recommendationId, ...(userId ? { userId } : {}), itemIds: items.map((i) => i.itemId), timestamp: now, surface, ...(sm ? { modelVersion: sm.version } : {}) });
    return { recommendationId, items, model: sm ? { name: sm.name, version: sm.version } : NO_MODEL };
  }
}

const POPULAR_REASON: Reason = Object.freeze({ type: 'fallback', text: 'Popular with everyone' }) as Reason;
const TRENDING_REASON: Reason = Object.freeze({ type: 'trending', text: 'Trending right now' }) as Reason;

function listKey(userId: string, o: ListOptions): string {
  let key = `${userId}\u0000${o.n}\u0000${o.explain ? 1 : 0}\u0000${o.scenario ?? ''}`;
  if (o.exclude && o.exclude.length > 0) key += `\u0000${o.exclude.join(',')}`;
  if (o.context) key += `\u0000${JSON.stringify(o.context)}`;
  return key;
}

function withExclude(exclude: readonly string[] | undefined): { exclude?: readonly string[] } {
  return exclude && exclude.length > 0 ? { exclude } : {};
}

const trainedMemo = new WeakMap<ServingModel, Map<number, readonly UserEventRecord[]>>();
const TRAINED_MEMO_USERS = 50_000;

/** A user's matrix row as history records, built once per serving model (records are never mutated). */
function trainedHistory(sm: ServingModel, index: number): readonly UserEventRecord[] {
  let memo = trainedMemo.get(sm);
  if (!memo) trainedMemo.set(sm, (memo = new Map()));
  let list = memo.get(index);
  if (!list) {
    const row = sm.model.userHistory(index);
    const out: UserEventRecord[] = [];
    for (let k = 0; k < row.indices.length; k++) out.push(Object.freeze({ itemId: sm.items.id(row.indices[k] as number), type: 'trained', timestamp: 0 }));
    list = Object.freeze(out);
    if (memo.size >= TRAINED_MEMO_USERS) memo.delete(memo.keys().next().value as number);
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
