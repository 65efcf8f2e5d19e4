import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { jsonCaller, trainOrThrow } from './harness.ts';

/**
 * Cold start by segment over HTTP: a new user's first list is what is popular in their segment
 * (the `homepage`'s `segmentBy: ["country"]`), from their stored attribute or the request's
 * context. Planted: shoppers in Germany buy the `de-*` items, shoppers in the US the `us-*`
 * items, and a few global best-sellers (`all-*`) are bought everywhere a little.
 */
let server: RunningServer;
let dir: string;
const call = jsonCaller(() => server.url);
// `any`: response items are inspected field by field
const ids = (json: any): string[] => json.items.map((i: any) => i.itemId);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-segments-'));
  server = await startServer(defaultConfig({ port: 0, dataDir: dir, logLevel: 'silent', training: { model: 'item-knn', afterNewEvents: 1_000_000 } }));
  const items = ['de', 'us', 'all'].flatMap((p) => Array.from({ length: 12 }, (_, k) => ({ id: `${p}-${k}`, properties: { category: p } })));
  expect((await call('POST', '/v1/items/batch', { items })).status).toBe(200);
  const t0 = Date.now() - 10 * 86_400_000;
  const events: unknown[] = [];
  for (const country of ['DE', 'US']) {
    for (let u = 0; u < 30; u++) {
      const userId = `${country}-${u}`;
      for (let k = 0; k < 6; k++) events.push({ type: 'purchase', userId, itemId: `${country.toLowerCase()}-${(u + k) % 12}`, timestamp: t0 + u * 1000 + k, context: { country } });
      events.push({ type: 'view', userId, itemId: `all-${u % 12}`, timestamp: t0 + u * 1000 + 9, context: { country } });
    }
  }
  expect((await call('POST', '/v1/events', events)).json.accepted).toBe(events.length);
  await trainOrThrow(call);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('popular in the user\'s segment (cold start)', () => {
  it('a new user stored with a country gets that country\'s favourites, with the segment as the reason', async () => {
    expect((await call('PUT', '/v1/users/berliner', { attributes: { country: 'DE' } })).status).toBe(200);
    const { json } = await call('GET', '/v1/users/berliner/recommendations?n=10&exploration=0');
    // diversity spreads the list over the categories; nothing from the other country
    expect(ids(json).filter((id) => id.startsWith('de-')).length).toBeGreaterThanOrEqual(5);
    expect(ids(json).filter((id) => id.startsWith('us-'))).toEqual([]);
    expect(json.items[0].reasons).toContainEqual({ type: 'popular-in-segment', text: 'Popular with people like you (country=DE)', value: 'country=DE' });
  });

  it('an unknown visitor gets the segment of the request\'s context', async () => {
    const { json } = await call('GET', '/v1/users/visitor-1/recommendations?n=10&exploration=0&country=US');
    expect(ids(json).filter((id) => id.startsWith('us-')).length).toBeGreaterThanOrEqual(5);
    expect(ids(json).filter((id) => id.startsWith('de-'))).toEqual([]);
    expect(json.items[0].reasons).toContainEqual({ type: 'popular-in-segment', text: 'Popular with people like you (country=US)', value: 'country=US' });
  });
});
