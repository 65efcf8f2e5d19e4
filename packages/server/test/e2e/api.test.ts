import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

/** Catalogue, users and events in over HTTP against the real server; data survives a restart. */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

describe('catalogue', () => {
  it('puts, reads, lists in pages and deletes items', async () => {
    const put = await t.call('PUT', '/v1/items/sku-1', { properties: { title: 'Red shoe', price: 59.9, tags: ['shoes', 'red'], emb: [0.1, 0.2, 0.3] } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ id: 'sku-1', available: true, properties: { price: 59.9, tags: ['shoes', 'red'] } });
    const createdAt = put.json.createdAt;

    // the first write inferred the schema
    const schema = await t.call('GET', '/v1/schema/items');
    expect(schema.json.properties).toEqual({ title: { type: 'string' }, price: { type: 'number' }, tags: { type: 'string-set' }, emb: { type: 'vector', dimensions: 3 } });

    // a replace keeps createdAt
    const again = await t.call('PUT', '/v1/items/sku-1', { properties: { title: 'Red shoe', price: 49.9 }, available: false });
    expect(again.json.createdAt).toBe(createdAt);
    expect((await t.call('GET', '/v1/items/sku-1')).json).toMatchObject({ available: false, properties: { title: 'Red shoe', price: 49.9 } });

    const items = Array.from({ length: 25 }, (_, i) => ({ id: `b-${String(i).padStart(2, '0')}`, properties: { price: i, title: `t${i}` }, createdAt: '2026-01-02T03:04:05Z' }));
    const batch = await t.call('POST', '/v1/items/batch', { items });
    expect(batch.status).toBe(200);
    expect(batch.json).toEqual({ written: 25 });
    expect((await t.call('GET', '/v1/items/b-03')).json.createdAt).toBe(Date.parse('2026-01-02T03:04:05Z'));

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.call('GET', `/v1/items?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.json.items.map((i: { id: string }) => i.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...items.map((i) => i.id), 'sku-1']);

    expect((await t.call('DELETE', '/v1/items/b-00')).status).toBe(204);
    const gone = await t.call('GET', '/v1/items/b-00');
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('not_found');
    expect((await t.call('DELETE', '/v1/items/b-00')).status).toBe(404);
  });

  it('enforces a declared schema, including timestamps and vector sizes', async () => {
    const declared = await t.call('PUT', '/v1/schema/items', {
      properties: { released: { type: 'timestamp' }, emb: { type: 'vector', dimensions: 2 }, price: { type: 'number' } },
    });
    expect(declared.status).toBe(200);
    const ok = await t.call('PUT', '/v1/items/film', { properties: { released: '2020-05-01T00:00:00Z', emb: [1, 2], price: 3 } });
    expect(ok.status).toBe(200);
    expect(ok.json.properties.released).toBe(Date.parse('2020-05-01T00:00:00Z'));
    const bad = await t.call('PUT', '/v1/items/film', { properties: { emb: [1, 2, 3] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.path).toBe('$.properties.emb');
  });
});

describe('events and users', () => {
  it('accepts one event or a batch, reports rejects by index, and a retry with the same eventId is stored once', async () => {
    const before = await t.server.context.store.countEvents();
    const one = await t.call('POST', '/v1/events', { type: 'view', userId: 'alice', itemId: 'sku-1', eventId: 'ev-1', context: { device: 'mobile' } });
    expect(one.status).toBe(200);
    expect(one.json).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const retry = await t.call('POST', '/v1/events', { type: 'view', userId: 'alice', itemId: 'sku-1', eventId: 'ev-1', context: { device: 'mobile' } });
    expect(retry.json).toEqual({ accepted: 0, duplicates: 1, rejected: [] });

    const batch = await t.call('POST', '/v1/events', [
      { type: 'cart', userId: 'alice', itemId: 'b-01', eventId: 'ev-2', timestamp: '2026-03-01T10:00:00Z' },
      { type: 'purchase', userId: 'alice', itemId: 'b-01', value: 49.9, eventId: 'ev-3' },
      { type: 'purchase', userId: 'alice', itemId: 'b-01', value: 'lots' },
      { type: 'view', userId: 'anon-7', itemId: 'b-02', sessionId: 's-1' },
      { type: 'view', userId: 'anon-7', itemId: 'b-03' },
    ]);
    expect(batch.status).toBe(200);
    expect(batch.json.accepted).toBe(4);
    expect(batch.json.rejected).toEqual([{ index: 2, code: 'wrong_type', path: '$[2].value', message: expect.stringContaining('number') }]);
    // the whole batch retried: nothing new stored except the event without an eventId… which is new each time by design
    const batchRetry = await t.call('POST', '/v1/events', [
      { type: 'cart', userId: 'alice', itemId: 'b-01', eventId: 'ev-2', timestamp: '2026-03-01T10:00:00Z' },
      { type: 'purchase', userId: 'alice', itemId: 'b-01', value: 49.9, eventId: 'ev-3' },
    ]);
    expect(batchRetry.json).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    expect(await t.server.context.store.countEvents()).toBe(before + 5);

    const alice = await t.call('GET', '/v1/users/alice');
    expect(alice.status).toBe(200);
    expect(alice.json.events.byType).toEqual({ view: 1, cart: 1, purchase: 1 });
    expect(alice.json.events.recent).toHaveLength(3);
  });

  it('stores attributes and preferences, merges an anonymous history, and erases a user with their events', async () => {
    const put = await t.call('PUT', '/v1/users/alice', { attributes: { tier: 'gold', age: 31 }, preferences: { likedCategories: ['shoes'], hiddenCategories: ['toys'] } });
    expect(put.status).toBe(200);
    const got = await t.call('GET', '/v1/users/alice');
    expect(got.json).toMatchObject({ id: 'alice', attributes: { tier: 'gold', age: 31 }, preferences: { likedCategories: ['shoes'], hiddenCategories: ['toys'] } });

    const merged = await t.call('POST', '/v1/users/alice/merge', { fromUserId: 'anon-7' });
    expect(merged.status).toBe(200);
    expect(merged.json).toEqual({ movedEvents: 2 });
    expect((await t.call('GET', '/v1/users/anon-7')).status).toBe(404);
    expect((await t.call('GET', '/v1/users/alice')).json.events.byType).toEqual({ view: 3, cart: 1, purchase: 1 });
    expect((await t.call('POST', '/v1/users/alice/merge', { fromUserId: 'never-seen' })).status).toBe(404);

    await t.call('POST', '/v1/events', { type: 'view', userId: 'bob', itemId: 'sku-1' });
    const before = await t.server.context.store.countEvents();
    expect((await t.call('DELETE', '/v1/users/alice')).status).toBe(204);
    expect((await t.call('GET', '/v1/users/alice')).status).toBe(404);
    expect(await t.server.context.store.userEvents('alice')).toEqual([]);
    expect(await t.server.context.store.countEvents()).toBe(before - 5);
    expect((await t.call('DELETE', '/v1/users/alice')).status).toBe(404);
  });

  it('keeps all data across a restart', async () => {
    const items = await t.server.context.store.countItems();
    const events = await t.server.context.store.countEvents();
    await t.call('PUT', '/v1/users/carol', { attributes: { city: 'Oslo' } });
    expect((await t.call('POST', '/v1/events', { type: 'like', userId: 'carol', itemId: 'sku-1', eventId: 'ev-carol' })).json.accepted).toBe(1);
    await t.restart();
    expect(await t.server.context.store.countItems()).toBe(items);
    expect(await t.server.context.store.countEvents()).toBe(events + 1);
    expect((await t.call('GET', '/v1/users/carol')).json.attributes).toEqual({ city: 'Oslo' });
    expect((await t.call('GET', '/v1/items/sku-1')).status).toBe(200);
    // the schema survived too: a wrong type is still refused
    expect((await t.call('PUT', '/v1/items/x', { properties: { price: 'cheap' } })).json.error.path).toBe('$.properties.price');
    // and idempotency keys too
    expect((await t.call('POST', '/v1/events', { type: 'like', userId: 'carol', itemId: 'sku-1', eventId: 'ev-carol' })).json.duplicates).toBe(1);
  });
});
