import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { jsonCaller } from './harness.ts';

/**
 * Ids, categories and event types that are also names on Object.prototype ("constructor",
 * "toString", "__proto__" …) are data like any other. Found by the API property test: a user
 * who likes the category "constructor" got a 500, because the category lists were a plain
 * object and `categories['constructor']` is Object's constructor function.
 */
const RESERVED = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

let server: RunningServer;
let dir: string;
const call = jsonCaller(() => server.url);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-reserved-'));
  server = await startServer(defaultConfig({ port: 0, dataDir: dir, logLevel: (process.env.TEST_LOG ?? 'silent') as 'silent', training: { model: 'item-knn', afterNewEvents: 1_000_000 } }));
  // two clusters: reserved names (items r0…, category = a reserved name) and plain ones
  const items = [
    ...RESERVED.map((id) => ({ id, properties: { category: id } })),
    ...Array.from({ length: 12 }, (_, k) => ({ id: `r${k}`, properties: { category: RESERVED[k % RESERVED.length] } })),
    ...Array.from({ length: 18 }, (_, k) => ({ id: `p${k}`, properties: { category: `plain${k % 3}` } })),
  ];
  expect((await call('POST', '/v1/items/batch', { items })).status).toBe(200);
  const events: unknown[] = [];
  for (let u = 0; u < 30; u++) {
    const user = u < 6 ? (RESERVED[u] as string) : `user${u}`;
    const pool = u % 2 === 0 ? [...RESERVED, ...Array.from({ length: 12 }, (_, k) => `r${k}`)] : Array.from({ length: 18 }, (_, k) => `p${k}`);
    for (let e = 0; e < 8; e++) events.push({ type: e % 3 === 0 ? 'constructor' : 'view', userId: user, itemId: pool[(u * 3 + e * 5) % pool.length], context: { device: e % 2 ? 'toString' : 'mobile' } });
  }
  expect((await call('POST', '/v1/events', events)).json).toMatchObject({ accepted: events.length });
  const started = await call('POST', '/v1/models/train');
  for (;;) {
    const job = await call('GET', `/v1/models/train/${started.json.jobId}`);
    if (job.json.status === 'succeeded') break;
    expect(job.json.status, JSON.stringify(job.json.error)).not.toBe('failed');
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('names that Object.prototype also has', () => {
  it('a user who likes such categories and items gets them recommended, with any knob', async () => {
    expect((await call('PUT', '/v1/users/fresh/preferences', { likedCategories: ['constructor', 'toString', 'hasOwnProperty'], likedItems: ['valueOf'] })).status).toBe(200);
    for (const q of ['', '&novelty=1', '&diversity=1', '&exploration=0.5', '&explain=true', '&scenario=homepage']) {
      const res = await call('GET', `/v1/users/fresh/recommendations?n=6${q}`);
      expect(res.status, `${q}: ${JSON.stringify(res.json)}`).toBe(200);
      expect(res.json.items.length).toBeGreaterThan(0);
    }
    const res = await call('GET', '/v1/users/fresh/recommendations?n=6');
    // their stated taste is the reserved-name cluster (exploration may add an item from elsewhere)
    expect(res.json.items.filter((i: { itemId: string }) => !i.itemId.startsWith('p')).length).toBeGreaterThanOrEqual(4);
  });

  it('users, items and event types with such names are served everywhere', async () => {
    for (const user of RESERVED) {
      const res = await call('GET', `/v1/users/${encodeURIComponent(user)}/recommendations?n=5&novelty=1`);
      expect(res.status, `${user}: ${JSON.stringify(res.json)}`).toBe(200);
      expect(res.json.items.length).toBeGreaterThan(0);
      expect((await call('GET', `/v1/users/${encodeURIComponent(user)}`)).status).toBe(200);
    }
    for (const item of RESERVED) {
      const similar = await call('GET', `/v1/items/${encodeURIComponent(item)}/similar?n=5&userId=constructor`);
      expect(similar.status, `${item}: ${JSON.stringify(similar.json)}`).toBe(200);
      expect((await call('GET', `/v1/items/${encodeURIComponent(item)}`)).json.id).toBe(item);
    }
    for (const path of ['/v1/popular?n=5&novelty=1&device=toString', '/v1/trending?n=5', '/v1/users/user7/recommendations?n=5&device=constructor&country=__proto__']) {
      const res = await call('GET', path);
      expect(res.status, `${path}: ${JSON.stringify(res.json)}`).toBe(200);
    }
    const session = await call('POST', '/v1/recommendations/session', { itemIds: ['toString', '__proto__'], n: 5 });
    expect(session.status).toBe(200);
    const rerank = await call('POST', '/v1/users/constructor/rerank', { itemIds: [...RESERVED, 'p1'] });
    expect(rerank.status).toBe(200);
    expect(rerank.json.items.map((i: { itemId: string }) => i.itemId).sort()).toEqual([...RESERVED, 'p1'].sort());
  });

  it('events of such types are counted by type, in user views and in attribution', async () => {
    const user = await call('GET', '/v1/users/user6');
    expect(user.status).toBe(200);
    expect(typeof user.json.events.byType.constructor).toBe('number');
    const list = await call('GET', '/v1/users/user8/recommendations?n=3');
    const itemId = list.json.items[0].itemId as string;
    for (const type of ['constructor', '__proto__', 'toString']) {
      expect((await call('POST', '/v1/events', { type, userId: 'user8', itemId, recommendationId: list.json.recommendationId })).status).toBe(200);
    }
    const record = await call('GET', `/v1/recommendations/${list.json.recommendationId}`);
    expect(record.status).toBe(200);
    const counted = JSON.stringify(record.json);
    for (const type of ['constructor', '__proto__', 'toString']) expect(counted).toContain(`"${type}":1`);
  });

  it('item properties with such names work in rules like any other property', async () => {
    const items = Array.from({ length: 9 }, (_, k) => ({ id: `q${k}`, properties: { category: 'plainq', constructor: k % 3 === 0 ? 'x' : 'y', toString: k } }));
    expect((await call('POST', '/v1/items/batch', { items })).status).toBe(200);
    const ids = items.map((i) => i.id);
    const kept = async (rule: string): Promise<string[]> => {
      const put = await call('PUT', '/v1/scenarios/reserved-rule', { filters: [rule] });
      expect(put.status, JSON.stringify(put.json)).toBeLessThan(300);
      const res = await call('POST', '/v1/users/user7/rerank', { itemIds: ids, scenario: 'reserved-rule' });
      expect(res.status).toBe(200);
      return res.json.items.map((i: { itemId: string }) => i.itemId).sort();
    };
    expect(await kept('item.constructor == "x"')).toEqual(['q0', 'q3', 'q6']);
    expect(await kept('item.toString > 5')).toEqual(['q6', 'q7', 'q8']);
  });
});
