import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, REASON_TYPES, type SyntheticData } from '@attune/engine';
import { defaultConfig, type AttuneConfig } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { trainOrThrow } from './harness.ts';

/**
 * Scenarios, rerank, feedback and preferences, paging and attribution over HTTP against the
 * real server (SQLite file, serving and feedback extensions, port 0). The synthetic shop has
 * planted taste clusters and each item's category names its cluster (c0…c3), so "a forbidden
 * category never shows" and "the user's own cluster rises" are checkable facts.
 */
let server: RunningServer;
let config: AttuneConfig;
let dir: string;
let data: SyntheticData;

interface Reply {
  status: number;
  // `any`: test responses are inspected field by field
  json: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(server.url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const ids = (json: any): string[] => json.items.map((i: any) => i.itemId);
const categoryOf = (id: string): string => `c${data.itemCluster.get(id)}`;

const train = (): Promise<void> => trainOrThrow(call);

async function restart(): Promise<void> {
  await server.close();
  server = await startServer(config);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-perso-'));
  data = generateSynthetic({ users: 200, items: 120, clusters: 4, interactionsPerUser: 20, seed: 7 });
  config = defaultConfig({ port: 0, dataDir: dir, logLevel: 'silent', training: { model: 'item-knn', afterNewEvents: 1_000_000 } });
  server = await startServer(config);
  expect((await call('POST', '/v1/items/batch', { items: data.items.map((it) => ({ id: it.id, properties: { category: it.category, price: it.price } })) })).status).toBe(200);
  const events = data.interactions.map((e) => ({ type: 'view', userId: e.userId, itemId: e.itemId, timestamp: e.timestamp }));
  expect((await call('POST', '/v1/events', events)).json.accepted).toBe(events.length);
  await train();
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scenarios in serving', () => {
  // a filter forbids c1; a pin and a rule promotion both try to push c1 items in, the request
  // drops almost every candidate (minRelevance) so fallbacks fill: c1 must still never show
  const forbidden = (): string => (data.items.find((i) => i.category === 'c1') as { id: string }).id;
  const pinned = (): string => (data.items.find((i) => i.category === 'c2' && i.rank > 20) as { id: string }).id;

  it('saves a custom scenario (201, then 200 on update) and lists it', async () => {
    const body = {
      extends: 'homepage',
      description: 'no c1, one featured item, at most 3 per category',
      filters: ["item.category != 'c1'"],
      promotions: [
        { type: 'pin', itemId: forbidden(), slot: 0, label: 'Sponsored' },
        { type: 'pin', itemId: pinned(), slot: 2, label: 'Featured' },
        { type: 'rule', rule: "item.category == 'c1'", share: 0.3 },
      ],
      caps: [{ property: 'category', max: 3 }],
      knobs: { exploration: 0.2 },
    };
    const created = await call('PUT', '/v1/scenarios/curated', body);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'curated', source: 'custom', scenario: { name: 'curated', filters: body.filters, caps: body.caps } });
    const updated = await call('PUT', '/v1/scenarios/curated', body);
    expect(updated.status).toBe(200);
    const list = await call('GET', '/v1/scenarios');
    expect(list.json.scenarios.map((s: any) => s.name)).toContain('curated');
  });

  it('a filter never leaks a forbidden item, even with promotions and fallbacks; the pin lands in its slot; caps hold', async () => {
    for (const userId of ['u1', 'u2', 'u3', 'u40', 'u77', 'u150', 'nobody-yet']) {
      // n=12 asks for more than three allowed categories × cap 3 can give: the service's own
      // top-up (cold start) must respect the filter and the caps too
      for (const query of ['n=8', 'n=8&minRelevance=0.99', 'n=8&diversity=1&exploration=1', 'n=12']) {
        const { status, json } = await call('GET', `/v1/users/${userId}/recommendations?scenario=curated&${query}`);
        expect(status).toBe(200);
        const list = ids(json);
        for (const id of list) expect(categoryOf(id)).not.toBe('c1');
        const perCategory = new Map<string, number>();
        for (const id of list) perCategory.set(categoryOf(id), (perCategory.get(categoryOf(id)) ?? 0) + 1);
        for (const count of perCategory.values()) expect(count).toBeLessThanOrEqual(3);
        // three allowed categories × cap 3 leave room for 9
        expect(list).toHaveLength(Math.min(9, Number(/n=(\d+)/.exec(query)?.[1])));
        const seen = new Set(data.interactions.filter((e) => e.userId === userId).map((e) => e.itemId));
        if (!seen.has(pinned())) {
          expect(list[2]).toBe(pinned());
          expect(json.items[2].reasons[0]).toMatchObject({ type: 'promoted', text: 'Featured' });
        }
      }
    }
  });

  it('popular and trending honour the scenario too', async () => {
    for (const path of ['/v1/popular', '/v1/trending']) {
      const { status, json } = await call('GET', `${path}?scenario=curated&n=12`);
      expect(status).toBe(200);
      expect(json.items.length).toBeGreaterThan(0);
      for (const id of ids(json)) expect(categoryOf(id)).not.toBe('c1');
    }
  });

  it('rule parameters come from the request: ?param.name= (query) or params (body)', async () => {
    expect((await call('PUT', '/v1/scenarios/cheap', { extends: 'homepage', filters: ['item.price <= $maxPrice'] })).status).toBe(201);
    const prices = new Map(data.items.map((i) => [i.id, i.price]));
    const median = [...prices.values()].sort((a, b) => a - b)[60] as number;
    const { status, json } = await call('GET', `/v1/users/u9/recommendations?scenario=cheap&n=10&param.maxPrice=${median}`);
    expect(status).toBe(200);
    expect(json.items).toHaveLength(10);
    for (const id of ids(json)) expect(prices.get(id)).toBeLessThanOrEqual(median);
    const list = data.items.slice(0, 40).map((i) => i.id);
    const reranked = await call('POST', '/v1/users/u9/rerank', { itemIds: list, scenario: 'cheap', params: { maxPrice: median } });
    expect(ids(reranked.json).length).toBeGreaterThan(0);
    for (const id of ids(reranked.json)) expect(prices.get(id)).toBeLessThanOrEqual(median);
    const bad = await call('GET', '/v1/users/u9/recommendations?scenario=cheap&param.1x=2');
    expect(bad.json.error.path).toBe('$.param.1x');
  });

  it('per-request knobs are checked: an out-of-range knob is a 400 naming it', async () => {
    for (const [query, path] of [
      ['diversity=2', '$.diversity'],
      ['exploration=abc', '$.exploration'],
      ['fallbacks=popular,nonsense', '$.fallbacks[1]'],
      ['contextWeight=-1', '$.contextWeight'],
    ]) {
      const { status, json } = await call('GET', `/v1/users/u1/recommendations?${query}`);
      expect(status).toBe(400);
      expect(json.error.path).toBe(path);
    }
  });

  it('survives a restart, and DELETE removes it', async () => {
    await restart();
    const got = await call('GET', '/v1/scenarios/curated');
    expect(got.status).toBe(200);
    expect(got.json.definition.filters).toEqual(["item.category != 'c1'"]);
    const served = await call('GET', '/v1/users/u1/recommendations?scenario=curated&n=8');
    expect(served.status).toBe(200);
    for (const id of ids(served.json)) expect(categoryOf(id)).not.toBe('c1');
    expect((await call('DELETE', '/v1/scenarios/curated')).status).toBe(204);
    expect((await call('DELETE', '/v1/scenarios/curated')).status).toBe(404);
    expect((await call('DELETE', '/v1/scenarios/homepage')).status).toBe(400);
    const gone = await call('GET', '/v1/users/u1/recommendations?scenario=curated');
    expect(gone.status).toBe(400);
    expect(gone.json.error.path).toBe('$.scenario');
  });

  it('a custom scenario named like a built-in replaces it until deleted', async () => {
    expect((await call('PUT', '/v1/scenarios/homepage', { filters: ["item.category == 'c3'"] })).status).toBe(201);
    const list = ids((await call('GET', '/v1/users/u5/recommendations?n=6')).json);
    expect(list.length).toBeGreaterThan(0);
    for (const id of list) expect(categoryOf(id)).toBe('c3');
    expect((await call('DELETE', '/v1/scenarios/homepage')).status).toBe(204);
    const back = ids((await call('GET', '/v1/users/u5/recommendations?n=10')).json);
    expect(back.some((id) => categoryOf(id) !== 'c3')).toBe(true);
  });
});

describe('POST /v1/users/{id}/rerank', () => {
  it('personalizes the caller’s list and keeps unknown ids at the end, in their order', async () => {
    const userId = 'u12';
    const own = `c${data.userCluster.get(userId)}`;
    const seen = new Set(data.interactions.filter((e) => e.userId === userId).map((e) => e.itemId));
    const fresh = data.items.filter((i) => !seen.has(i.id));
    // the caller's order puts every other cluster first
    const known = [...fresh.filter((i) => i.category !== own).slice(0, 20), ...fresh.filter((i) => i.category === own).slice(0, 10)].map((i) => i.id);
    const input = [...known.slice(0, 5), 'ghost-1', ...known.slice(5, 15), 'ghost-2', ...known.slice(15), 'ghost-3'];
    const { status, json } = await call('POST', `/v1/users/${userId}/rerank`, { itemIds: input });
    expect(status).toBe(200);
    const out = ids(json);
    expect(out).toHaveLength(input.length);
    expect(out.slice(-3)).toEqual(['ghost-1', 'ghost-2', 'ghost-3']);
    expect(new Set(out.slice(0, -3))).toEqual(new Set(known));
    for (const it of json.items) expect(it.reasons.length).toBeGreaterThan(0);
    // the caller's order is a prior blended with the model: the user's own items, all at the
    // bottom of the input, rise well into the top half
    const meanPosition = (list: string[]) => {
      const at = list.flatMap((id, k) => (categoryOf(id) === own ? [k] : []));
      return at.reduce((a, b) => a + b, 0) / at.length;
    };
    expect(meanPosition(known)).toBeGreaterThanOrEqual(20);
    expect(meanPosition(out)).toBeLessThan(15);
    expect(out.slice(0, 10).filter((id) => categoryOf(id) === own).length).toBeGreaterThanOrEqual(4);
  });

  it('leaves out what the user said no to', async () => {
    const list = data.items.slice(0, 10).map((i) => i.id);
    await call('POST', '/v1/events', { type: 'not-interested', userId: 'u13', itemId: list[0] });
    const out = ids((await call('POST', '/v1/users/u13/rerank', { itemIds: list })).json);
    expect(out).not.toContain(list[0]);
    expect(out).toHaveLength(9);
  });

  it('more than 1,000 ids is a 400 naming $.itemIds; a bad id names its index', async () => {
    const tooMany = Array.from({ length: 1001 }, (_, k) => `i${k}`);
    const big = await call('POST', '/v1/users/u1/rerank', { itemIds: tooMany });
    expect(big.status).toBe(400);
    expect(big.json.error).toMatchObject({ code: 'too_many_items', path: '$.itemIds' });
    const bad = await call('POST', '/v1/users/u1/rerank', { itemIds: ['i1', 7] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.path).toBe('$.itemIds[1]');
    const knob = await call('POST', '/v1/users/u1/rerank', { itemIds: ['i1'], knobs: { diversity: 5 } });
    expect(knob.json.error.path).toBe('$.knobs.diversity');
  });
});

describe('feedback and preferences', () => {
  it('not-interested excludes the item at once, shows in the user, and survives a restart and a retrain', async () => {
    const userId = 'u21';
    const top = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json)[0] as string;
    expect((await call('POST', '/v1/events', { type: 'not-interested', userId, itemId: top })).json.accepted).toBe(1);
    expect(ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json)).not.toContain(top);
    const user = await call('GET', `/v1/users/${userId}`);
    expect(user.json.preferences.dislikedItems).toContain(top);
    expect(user.json.events.byType['not-interested']).toBe(1);
    await restart();
    expect(ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json)).not.toContain(top);
    // two retrains trim the event from the online history (the second swap drops what the first
    // version trained on it holds); the exclusion lives on in the preferences
    await train();
    await train();
    expect(ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json)).not.toContain(top);
  });

  it('hide-category hides the whole category at once and persists', async () => {
    const userId = 'u22';
    const before = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json);
    const category = categoryOf(before[0] as string);
    await call('POST', '/v1/events', { type: 'hide-category', userId, itemId: before[0] });
    const after = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json);
    expect(after).toHaveLength(10);
    for (const id of after) expect(categoryOf(id)).not.toBe(category);
    expect((await call('GET', `/v1/users/${userId}/preferences`)).json.hiddenCategories).toEqual([category]);
  });

  it('PUT preferences steers the next list at once: liked category rises, hidden one goes', async () => {
    const userId = 'brand-new-shopper';
    const put = await call('PUT', `/v1/users/${userId}/preferences`, { likedCategories: ['c2'], hiddenCategories: ['c0'] });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ likedCategories: ['c2'], hiddenCategories: ['c0'] });
    const { json } = await call('GET', `/v1/users/${userId}/recommendations?n=10`);
    const list = ids(json);
    for (const id of list) expect(categoryOf(id)).not.toBe('c0');
    expect(categoryOf(list[0] as string)).toBe('c2');
    expect(json.items[0].reasons[0]).toMatchObject({ type: 'because-you-liked-category', value: 'c2' });
    // without the homepage's diversity the stated category fills the list
    const focused = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10&diversity=0`)).json);
    expect(focused.filter((id) => categoryOf(id) === 'c2').length).toBeGreaterThanOrEqual(9);
    expect((await call('GET', `/v1/users/${userId}`)).json.preferences.likedCategories).toEqual(['c2']);
    const bad = await call('PUT', `/v1/users/${userId}/preferences`, { likedCategories: 'c2' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.path).toBe('$.likedCategories');
    // a list too long for what is left: the service's top-up must not bring hidden items back
    await call('PUT', '/v1/users/hides-most/preferences', { hiddenCategories: ['c0', 'c1', 'c2'] });
    const short = ids((await call('GET', '/v1/users/hides-most/recommendations?n=60')).json);
    expect(short.length).toBe(data.items.filter((i) => i.category === 'c3').length);
    for (const id of short) expect(categoryOf(id)).toBe('c3');
    const unknown = await call('PUT', `/v1/users/${userId}/preferences`, { likes: [] });
    expect(unknown.json.error.path).toBe('$.likes');
  });
});

describe('paging, attribution and explanations', () => {
  it('/next continues the same request without repeats, deterministically', async () => {
    const first = await call('GET', '/v1/users/u31/recommendations?n=5');
    const second = await call('GET', `/v1/recommendations/${first.json.recommendationId}/next?n=5`);
    expect(second.status).toBe(200);
    expect(second.json.recommendationId).not.toBe(first.json.recommendationId);
    const again = await call('GET', `/v1/recommendations/${first.json.recommendationId}/next?n=5`);
    expect(ids(again.json)).toEqual(ids(second.json));
    const third = await call('GET', `/v1/recommendations/${second.json.recommendationId}/next`);
    expect(third.json.items).toHaveLength(5);
    const all = [...ids(first.json), ...ids(second.json), ...ids(third.json)];
    expect(new Set(all).size).toBe(15);
    const record = await call('GET', `/v1/recommendations/${third.json.recommendationId}`);
    expect(record.json).toMatchObject({ page: 3, firstRecommendationId: first.json.recommendationId, itemIds: ids(third.json) });
  });

  it("/next on a list answered from the list cache replays that list's own time", async () => {
    const computed = await call('GET', '/v1/users/u33/recommendations?n=5&diversity=0.1');
    const cached = await call('GET', '/v1/users/u33/recommendations?n=5&diversity=0.1');
    expect(cached.json.recommendationId).not.toBe(computed.json.recommendationId);
    expect(ids(cached.json)).toEqual(ids(computed.json));
    const next = await call('GET', `/v1/recommendations/${cached.json.recommendationId}/next`);
    expect(next.status).toBe(200);
    expect(next.json.items).toHaveLength(5);
    expect(ids(next.json).filter((id) => ids(cached.json).includes(id))).toEqual([]);
    const again = await call('GET', `/v1/recommendations/${cached.json.recommendationId}/next`);
    expect(ids(again.json)).toEqual(ids(next.json));
    await server.app.attune.serving?.impressions.flush();
    // the cached list's row shares its options (no time of its own); its next page's row names
    // the time it replayed: the cached list's timestamp
    const row = await server.context.store.getShownList(cached.json.recommendationId);
    expect(row?.request).toMatchObject({ replay: { surface: 'user', userId: 'u33', opts: { n: 5, knobs: { diversity: 0.1 } } } });
    const nextRow = await server.context.store.getShownList(next.json.recommendationId);
    expect((nextRow?.request as { replay: { opts: { now?: number } } }).replay.opts.now).toBe(row!.timestamp);
    expect(nextRow?.timestamp).toBe(row!.timestamp);
  });

  it('/next pages rerank, popular and similar lists too; an unknown id is a 404', async () => {
    const list = data.items.slice(0, 12).map((i) => i.id);
    const r1 = await call('POST', '/v1/users/u32/rerank', { itemIds: list, n: 6 });
    const r2 = await call('GET', `/v1/recommendations/${r1.json.recommendationId}/next`);
    expect(new Set([...ids(r1.json), ...ids(r2.json)])).toEqual(new Set(list));
    const p1 = await call('GET', '/v1/popular?n=4');
    const p2 = await call('GET', `/v1/recommendations/${p1.json.recommendationId}/next?n=4`);
    expect(ids(p2.json).filter((id) => ids(p1.json).includes(id))).toEqual([]);
    const item = data.items[0]!.id;
    const s1 = await call('GET', `/v1/items/${item}/similar?n=4`);
    const s2 = await call('GET', `/v1/recommendations/${s1.json.recommendationId}/next?n=4`);
    expect(ids(s2.json).filter((id) => ids(s1.json).includes(id) || id === item)).toEqual([]);
    expect((await call('GET', '/v1/recommendations/no-such-id/next')).status).toBe(404);
    expect((await call('GET', `/v1/recommendations/${p1.json.recommendationId}/next?n=0`)).json.error.path).toBe('$.n');
  });

  it('/next works after a restart: the request is read back from the recommendation log', async () => {
    const first = await call('GET', '/v1/users/u35/recommendations?n=4&diversity=0.2');
    const second = await call('GET', `/v1/recommendations/${first.json.recommendationId}/next`);
    await restart();
    const again = await call('GET', `/v1/recommendations/${second.json.recommendationId}/next?n=3`);
    expect(again.status).toBe(200);
    expect(again.json.items).toHaveLength(3);
    const all = [...ids(first.json), ...ids(second.json), ...ids(again.json)];
    expect(new Set(all).size).toBe(all.length);
    // the chain survives the restart too, and the replayed request kept its knob
    const record = await call('GET', `/v1/recommendations/${again.json.recommendationId}`);
    expect(record.json).toMatchObject({ page: 3, firstRecommendationId: first.json.recommendationId, userId: 'u35', itemIds: ids(again.json) });
    const row = await server.context.store.getShownList(first.json.recommendationId);
    expect(row?.request).toMatchObject({ replay: { surface: 'user', userId: 'u35', opts: { n: 4, knobs: { diversity: 0.2 } } } });
  });

  it('erasing a user deletes the lists shown to them from the recommendation log and from attribution', async () => {
    const shown = await call('GET', '/v1/users/u37/recommendations?n=3');
    await server.app.attune.serving?.impressions.flush();
    expect(await server.context.store.getShownList(shown.json.recommendationId)).toBeDefined();
    expect((await call('GET', `/v1/recommendations/${shown.json.recommendationId}`)).json.userId).toBe('u37');
    expect((await call('DELETE', '/v1/users/u37')).status).toBeLessThan(300);
    for (let k = 0; k < 200 && (await server.context.store.getShownList(shown.json.recommendationId)); k++) await new Promise((r) => setTimeout(r, 25));
    expect(await server.context.store.getShownList(shown.json.recommendationId)).toBeUndefined();
    // the online state's attribution ring answered this id after the log forgot it
    expect((await call('GET', `/v1/recommendations/${shown.json.recommendationId}`)).status).toBe(404);
  });

  it('shown lists logged as documents by an earlier version move into the log at start: found by id, not pageable', async () => {
    const legacyId = '0b9c6c3e-7a51-4d1e-9f2a-5d3c2b1a0f99';
    await server.context.store.putDocument('recommendation-log', '000001700000000000-1-0', [{ recommendationId: legacyId, userId: 'u36', itemIds: ['i1', 'i2'], timestamp: 1_700_000_000_000, surface: 'user', modelVersion: 1 }]);
    await restart();
    expect(await server.context.store.listDocuments('recommendation-log')).toEqual([]);
    const record = await call('GET', `/v1/recommendations/${legacyId}`);
    expect(record.status).toBe(200);
    expect(record.json).toMatchObject({ userId: 'u36', itemIds: ['i1', 'i2'], surface: 'user', page: 1 });
    const next = await call('GET', `/v1/recommendations/${legacyId}/next`);
    expect(next.status).toBe(404);
  });

  it('an event carrying the recommendationId is attributed to the shown list, also after a restart', async () => {
    const shown = await call('GET', '/v1/users/u33/recommendations?n=6');
    const id = shown.json.recommendationId;
    const picked = ids(shown.json)[2] as string;
    await call('POST', '/v1/events', [
      { type: 'click', userId: 'u33', itemId: picked, recommendationId: id },
      { type: 'purchase', userId: 'u33', itemId: picked, recommendationId: id, value: 20 },
      { type: 'view', userId: 'u33', itemId: ids(shown.json)[0] },
    ]);
    const check = async () => {
      const { status, json } = await call('GET', `/v1/recommendations/${id}`);
      expect(status).toBe(200);
      expect(json).toMatchObject({ recommendationId: id, userId: 'u33', surface: 'user', itemIds: ids(shown.json) });
      expect(json.events.map((e: any) => [e.type, e.itemId, e.position])).toEqual([
        ['click', picked, 2],
        ['purchase', picked, 2],
      ]);
      expect(json.outcomes).toEqual({ byType: { click: 1, purchase: 1 }, engagedItems: [picked], engagementRate: 1 / 6 });
    };
    await check();
    await restart();
    await check();
    expect((await call('GET', '/v1/recommendations/never-served')).status).toBe(404);
  });

  it('?explain=true gives every item its score parts per stage; every reason has a known type', async () => {
    const { json } = await call('GET', '/v1/users/u34/recommendations?n=8&explain=true');
    for (const it of json.items) {
      expect(it.explain).toBeTypeOf('object');
      expect(it.explain.final).toBeCloseTo(it.score, 6);
      // pipeline candidates carry their relevance (0 for a new item that only exploration
      // brought in), top-ups their fallback source
      expect(Object.keys(it.explain).some((k) => k === 'relevance' || k.startsWith('fallback:'))).toBe(true);
      for (const r of it.reasons) expect(REASON_TYPES).toContain(r.type);
    }
    const rerank = await call('POST', '/v1/users/u34/rerank', { itemIds: data.items.slice(0, 5).map((i) => i.id), explain: true });
    for (const it of rerank.json.items) expect(it.explain.final).toBeCloseTo(it.score, 6);
    // a cold user's list is mostly top-up: explained too
    const cold = await call('GET', '/v1/users/explain-cold/recommendations?n=20&explain=true&scenario=product-page');
    expect(cold.json.items).toHaveLength(20);
    for (const it of cold.json.items) expect(it.explain.final).toBeCloseTo(it.score, 6);
  });
});

describe('malformed rerank, paging and knob input is a 4xx with the error shape, never a 500', () => {
  const cases: Array<[string, string, unknown, number, string]> = [
    ['POST', '/v1/users/u1/rerank', {}, 400, '$.itemIds'],
    ['POST', '/v1/users/u1/rerank', { itemIds: 'i1' }, 400, '$.itemIds'],
    ['POST', '/v1/users/u1/rerank', { itemIds: ['i1'], n: 0 }, 400, '$.n'],
    ['POST', '/v1/users/u1/rerank', { itemIds: ['i1'], extra: 1 }, 400, '$.extra'],
    ['POST', '/v1/users/u1/rerank', { itemIds: ['i1'], scenario: 'no-such' }, 400, '$.scenario'],
    ['POST', '/v1/users/u1/rerank', { itemIds: ['i1'], context: { now: 1 } }, 400, '$.context.now'],
    ['POST', '/v1/users/u1/rerank', { itemIds: ['i1'], knobs: { colour: 1 } }, 400, '$.knobs.colour'],
    ['POST', '/v1/users/u1/rerank', null, 400, '$'],
    ['GET', '/v1/recommendations/x/next?n=abc', undefined, 400, '$.n'],
    ['GET', '/v1/recommendations/x/next?page=2', undefined, 400, '$.page'],
    ['GET', '/v1/users/u1/recommendations?minRelevance=', undefined, 400, '$.minRelevance'],
    ['GET', '/v1/users/u1/recommendations?candidates=2.5', undefined, 400, '$.candidates'],
    ['GET', '/v1/users/u1/recommendations?novelty=-1', undefined, 400, '$.novelty'],
    ['GET', '/v1/users/u1/recommendations?scenario=toString', undefined, 400, '$.scenario'],
    ['GET', '/v1/users/u1/recommendations?scenario=constructor', undefined, 400, '$.scenario'],
    ['GET', '/v1/popular?scenario=hasOwnProperty', undefined, 400, '$.scenario'],
    ['GET', '/v1/trending?scenario=no-such', undefined, 400, '$.scenario'],
    ['POST', '/v1/users/u1/rerank', { itemIds: ['i1'], scenario: 'valueOf' }, 400, '$.scenario'],
  ];
  it.each(cases)('%s %s %j → %i at %s', async (method, path, body, status, at) => {
    const before = (await call('GET', '/v1/scenarios')).json;
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    expect(typeof res.json.error.code).toBe('string');
    expect(typeof res.json.error.message).toBe('string');
    expect(res.json.error.path).toBe(at);
    expect((await call('GET', '/v1/scenarios')).json).toEqual(before);
  });
});

describe('the OpenAPI document', () => {
  it('describes the scenario, rerank, paging, attribution and preference routes and the knobs', async () => {
    const { status, json } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    for (const path of ['/v1/scenarios', '/v1/scenarios/{name}', '/v1/users/{userId}/rerank', '/v1/recommendations/{recommendationId}', '/v1/recommendations/{recommendationId}/next', '/v1/users/{userId}/preferences']) {
      expect(Object.keys(json.paths)).toContain(path);
    }
    const params = json.paths['/v1/users/{userId}/recommendations'].get.parameters.map((p: any) => p.name);
    for (const knob of ['diversity', 'exploration', 'minRelevance', 'fallbacks', 'contextWeight']) expect(params).toContain(knob);
    expect(json.paths['/v1/users/{userId}/rerank'].post.requestBody.content['application/json'].schema.properties.itemIds.maxItems).toBe(1000);
  });
});
