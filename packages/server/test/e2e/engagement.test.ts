import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { jsonCaller, trainOrThrow } from './harness.ts';

/**
 * The trainer's engagement index through the HTTP API: lists shown (and logged) over and over
 * without engagement make their items "often shown", and after training exploration gives its
 * slots to the items that were rarely shown instead. With newItemDays=0 nothing is new, so
 * eligibility depends only on the index: deterministic whatever the sampling draws.
 */
let server: RunningServer | undefined;
let dir: string;
const call = jsonCaller(() => (server as RunningServer).url);
const ITEMS = Array.from({ length: 12 }, (_, k) => `p${k}`);

const train = (): Promise<void> => trainOrThrow(call);

/** Items of the list that took an exploration slot. */
// `any`: response bodies are inspected field by field
const explored = (body: any): string[] => body.items.filter((i: { explain?: Record<string, number> }) => (i.explain?.exploration ?? 0) > 0).map((i: { itemId: string }) => i.itemId);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-engagement-'));
  server = await startServer(defaultConfig({ port: 0, dataDir: dir, logLevel: 'silent', training: { model: 'popular', afterNewEvents: 1_000_000 } }));
  expect((await call('POST', '/v1/items/batch', { items: ITEMS.map((id) => ({ id, properties: { category: 'c' } })) })).status).toBeLessThan(300);
  const now = Date.now();
  const events: unknown[] = [];
  // popularity falls with k, so the two-item list is always p0, p1
  for (let u = 0; u < 30; u++) for (let k = 0; k < ITEMS.length; k++) if (u % (k + 1) === 0) events.push({ type: 'purchase', userId: `u${u}`, itemId: ITEMS[k], timestamp: now - 86_400_000 + u * 1000 + k });
  expect((await call('POST', '/v1/events', events)).status).toBeLessThan(300);
  await train();
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exploration from logged impressions', () => {
  it('items shown often without engagement leave exploration to rarely shown ones', async () => {
    const q = (n: number, exploration: number) => `/v1/users/shopper/recommendations?n=${n}&exploration=${exploration}&newItemDays=0&rotation=0&explain=true`;
    // no engagement index yet: nothing is known to be rarely shown and nothing is new
    expect(explored((await call('GET', q(10, 1))).json)).toEqual([]);

    const shown = new Set<string>();
    for (let r = 0; r < 120; r++) {
      const res = await call('GET', q(2, 0));
      expect(res.status).toBe(200);
      for (const i of res.json.items as Array<{ itemId: string }>) shown.add(i.itemId);
    }
    expect(shown.size).toBe(2);
    // the impression log flushes in the background (250 ms)
    await new Promise((r) => setTimeout(r, 600));
    await train();

    // n=9: a list the previous model never cached (its cached lists are served until they expire)
    const after = explored((await call('GET', q(9, 1))).json);
    expect(after.length).toBeGreaterThan(0);
    for (const id of shown) expect(after).not.toContain(id);
  }, 60_000);
});
