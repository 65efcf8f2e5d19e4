import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, type SyntheticData } from '@attune/engine';
import { defaultConfig } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { jsonCaller, trainOrThrow } from './harness.ts';

/**
 * The real-time path over HTTP: an accepted event changes the user's very next
 * recommendation, with no retrain in between (the trainer's event trigger is set out of reach).
 */
let server: RunningServer;
let dir: string;
let data: SyntheticData;

const call = jsonCaller(() => server.url);

const ids = (json: any): string[] => json.items.map((i: any) => i.itemId);
/** a shelf category independent of the planted clusters (the scenario diversifies by category) */
const categoryOf = (itemId: string): string => `k${Number(itemId.slice(1)) % 3}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-rt-'));
  data = generateSynthetic({ users: 200, items: 120, clusters: 4, interactionsPerUser: 20, seed: 5 });
  server = await startServer(defaultConfig({ port: 0, dataDir: dir, logLevel: 'silent', training: { model: 'item-knn', afterNewEvents: 1_000_000 } }));
  await call('POST', '/v1/items/batch', { items: data.items.map((it) => ({ id: it.id, properties: { category: categoryOf(it.id) } })) });
  await call('POST', '/v1/events', data.interactions.map((e) => ({ type: 'view', userId: e.userId, itemId: e.itemId, timestamp: e.timestamp })));
  await trainOrThrow(call);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('real-time updates', () => {
  it('an accepted event removes the consumed item from the next recommendation', async () => {
    const before = await call('GET', '/v1/users/u7/recommendations?n=10');
    const top = ids(before.json)[0] as string;
    const posted = await call('POST', '/v1/events', { type: 'purchase', userId: 'u7', itemId: top, recommendationId: before.json.recommendationId });
    expect(posted.json.accepted).toBe(1);
    const after = await call('GET', '/v1/users/u7/recommendations?n=10');
    expect(ids(after.json)).not.toContain(top);
    // still the same model version: no retrain happened
    expect(after.json.model.version).toBe(before.json.model.version);
  });

  it('events from another cluster move the next list towards it', async () => {
    const userId = 'u11';
    const own = data.userCluster.get(userId) as number;
    const other = (own + 2) % 4;
    const count = (list: string[], c: number) => list.filter((id) => data.itemCluster.get(id) === c).length;
    const before = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json);
    const otherItems = data.items.filter((i) => i.cluster === other).slice(0, 12).map((i) => i.id);
    await call('POST', '/v1/events', otherItems.map((itemId, k) => ({ type: 'purchase', userId, itemId, timestamp: Date.now() + k })));
    const after = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json);
    expect(count(after, other)).toBeGreaterThan(count(before, other));
    for (const id of otherItems) expect(after).not.toContain(id);
  });

  it('a brand-new user with three events already gets personalized results', async () => {
    const cluster = 1;
    const three = data.items.filter((i) => i.cluster === cluster).slice(0, 3).map((i) => i.id);
    const cold = await call('GET', '/v1/users/fresh-visitor/recommendations?n=10');
    expect(cold.json.items.every((i: any) => i.reasons.every((r: any) => r.type !== 'personalized'))).toBe(true);
    await call('POST', '/v1/events', three.map((itemId, k) => ({ type: 'view', userId: 'fresh-visitor', itemId, timestamp: Date.now() + k })));
    const warm = await call('GET', '/v1/users/fresh-visitor/recommendations?n=10');
    const list = ids(warm.json);
    for (const id of three) expect(list).not.toContain(id);
    const share = list.filter((id) => data.itemCluster.get(id) === cluster).length / list.length;
    // random: 0.25; diversity and trending slots mix some other clusters in
    expect(share).toBeGreaterThan(0.5);
    expect(warm.json.items.some((i: any) => i.reasons.some((r: any) => r.type === 'personalized'))).toBe(true);
  });

  it('an event carrying a recommendationId can be attributed to the list it came from', async () => {
    const shown = await call('GET', '/v1/users/u20/recommendations?n=5');
    const picked = ids(shown.json)[2] as string;
    await call('POST', '/v1/events', { type: 'click', userId: 'u20', itemId: picked, recommendationId: shown.json.recommendationId });
    const impression = await server.app.attune.serving?.online.getImpression(shown.json.recommendationId);
    expect(impression?.itemIds).toContain(picked);
    const events = await server.context.store.getEventByRecommendation?.(shown.json.recommendationId);
    expect(events?.map((e) => e.itemId)).toEqual([picked]);
  });

  it('stated preferences apply to the next list: a hidden category disappears at once', async () => {
    const userId = 'u30';
    const before = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json);
    const category = categoryOf(before[0] as string);
    const put = await call('PUT', `/v1/users/${userId}`, { preferences: { hiddenCategories: [category] } });
    expect(put.status).toBeLessThan(300);
    const after = ids((await call('GET', `/v1/users/${userId}/recommendations?n=10`)).json);
    expect(after.length).toBeGreaterThan(0);
    for (const id of after) expect(categoryOf(id)).not.toBe(category);
  });

  it('a deleted user loses their online history', async () => {
    await call('POST', '/v1/events', { type: 'view', userId: 'short-lived', itemId: 'i1' });
    expect((await server.app.attune.serving?.online.getUser('short-lived'))?.history.length).toBe(1);
    const del = await fetch(`${server.url}/v1/users/short-lived`, { method: 'DELETE' });
    expect(del.status).toBeLessThan(300);
    expect((await server.app.attune.serving?.online.getUser('short-lived'))?.history.length).toBe(0);
  });
});
