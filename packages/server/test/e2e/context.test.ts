import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { jsonCaller, trainOrThrow } from './harness.ts';

/**
 * The trainer's content index and context model through the HTTP API: coffee is bought in the
 * morning (New York time), everything else in the evening, so a morning request ranks coffee
 * higher than an evening one; and an item nobody touched is found by its content.
 */
let server: RunningServer | undefined;
let dir: string;
const call = jsonCaller(() => (server as RunningServer).url);

const COFFEE = ['coffee-1', 'coffee-2', 'coffee-3', 'coffee-4'];
const OTHER = ['wine-1', 'wine-2', 'snack-1', 'snack-2'];
const DAY = 86_400_000;

/** An Etc/GMT zone in which the local hour is `hour` right now (Etc signs are inverted). */
function zoneAt(hour: number): string {
  let o = (((hour - new Date().getUTCHours()) % 24) + 24) % 24;
  if (o > 14) o -= 24;
  return o === 0 ? 'Etc/GMT' : o > 0 ? `Etc/GMT-${o}` : `Etc/GMT+${-o}`;
}

const train = (): Promise<void> => trainOrThrow(call);

// `any`: response bodies are inspected field by field
const ids = (body: any): string[] => body.items.map((i: { itemId: string }) => i.itemId);
const meanRank = (list: string[], of: readonly string[]) => of.reduce((s, id) => s + (list.indexOf(id) === -1 ? list.length : list.indexOf(id)), 0) / of.length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-context-'));
  server = await startServer(defaultConfig({ port: 0, dataDir: dir, logLevel: 'silent', training: { model: 'item-knn', afterNewEvents: 1_000_000 } }));
  const items = [
    ...COFFEE.map((id, k) => ({ id, properties: { category: 'coffee', title: `Dark roast coffee beans blend ${k}`, price: 10 + k } })),
    ...OTHER.map((id, k) => ({ id, properties: { category: id.startsWith('wine') ? 'wine' : 'snacks', title: id.startsWith('wine') ? `Red wine bottle ${k}` : `Salted snack crisps ${k}`, price: 20 + k } })),
    ...[1, 2, 3, 4, 5].map((k) => ({ id: `boot-${k}`, properties: { category: 'boots', title: `Waterproof leather hiking boots model ${k}`, price: 100 + k } })),
    // never interacted with: only its content connects it to the other boots
    { id: 'boot-new', properties: { category: 'boots', title: 'Waterproof leather hiking boots trail edition', price: 104 } },
  ];
  expect((await call('POST', '/v1/items/batch', { items })).status).toBeLessThan(300);
  // midnight UTC some days ago; 13:00 UTC is 8–9 am in New York, 00:00 UTC is 7–8 pm
  const start = Math.floor(Date.now() / DAY) * DAY - 20 * DAY;
  const events: unknown[] = [];
  const context = { timezone: 'America/New_York', device: 'mobile' };
  for (let u = 0; u < 40; u++) {
    const day = start + (u % 14) * DAY;
    for (let k = 0; k < 2; k++) {
      events.push({ type: 'purchase', userId: `u${u}`, itemId: COFFEE[(u + k) % COFFEE.length], timestamp: day + 13 * 3_600_000 + k * 60_000, context });
      events.push({ type: 'purchase', userId: `u${u}`, itemId: OTHER[(u + k) % OTHER.length], timestamp: day + DAY + k * 60_000, context });
    }
    // boots are viewed in the afternoon, by some users, so the model has them too
    if (u % 4 === 0) for (let k = 1; k <= 4; k++) events.push({ type: 'view', userId: `u${u}`, itemId: `boot-${k}`, timestamp: day + 18 * 3_600_000 + k * 60_000, context });
  }
  expect((await call('POST', '/v1/events', events)).status).toBeLessThan(300);
  await train();
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('context and content through the API', () => {
  it('a morning request ranks coffee higher than an evening one, with a context reason', async () => {
    // interleaved, so the caller's order favours neither kind; a strong context knob lets
    // the time of day outweigh that order
    const list = OTHER.flatMap((id, k) => [id, COFFEE[k] as string]);
    const knobs = { context: 2 };
    const morning = await call('POST', '/v1/users/visitor/rerank', { itemIds: list, explain: true, knobs, context: { timezone: zoneAt(8) } });
    const evening = await call('POST', '/v1/users/visitor/rerank', { itemIds: list, explain: true, knobs, context: { timezone: zoneAt(19) } });
    expect(morning.status).toBe(200);
    expect(evening.status).toBe(200);
    expect(meanRank(ids(morning.json), COFFEE)).toBeLessThan(meanRank(ids(evening.json), COFFEE));
    // in the morning coffee leads, in the evening it trails
    expect(COFFEE).toContain(ids(morning.json)[0]);
    expect(OTHER).toContain(ids(evening.json)[0]);
    const reasons = morning.json.items.flatMap((i: { reasons: Array<{ type: string; value?: string }> }) => i.reasons);
    expect(reasons).toContainEqual(expect.objectContaining({ type: 'context', value: 'daypart=morning' }));
  });

  it('the homepage of a known user also follows the time of day', async () => {
    // u100 bought one coffee and one wine: the rest of both kinds is left to rank
    await call('POST', '/v1/events', [
      { type: 'purchase', userId: 'u100', itemId: 'coffee-1', timestamp: Date.now() - 60_000 },
      { type: 'purchase', userId: 'u100', itemId: 'wine-1', timestamp: Date.now() - 30_000 },
    ]);
    const q = (tz: string) => `/v1/users/u100/recommendations?n=8&exploration=0&timezone=${encodeURIComponent(tz)}`;
    const morning = await call('GET', q(zoneAt(8)));
    const evening = await call('GET', q(zoneAt(19)));
    const rest = COFFEE.slice(1);
    expect(meanRank(ids(morning.json), rest)).toBeLessThan(meanRank(ids(evening.json), rest));
  });

  it('an item never interacted with is similar by content, and recommended as content-similar', async () => {
    const similar = await call('GET', '/v1/items/boot-new/similar?n=5&explain=true');
    expect(similar.status).toBe(200);
    // only content links it to anything: its neighbours are the other boots
    const neighbours = ids(similar.json).slice(0, 4);
    expect(neighbours).toHaveLength(4);
    for (const id of neighbours) expect(id).toMatch(/^boot-\d$/);

    await call('POST', '/v1/events', [1, 2, 3].map((k) => ({ type: 'view', userId: 'hiker', itemId: `boot-${k}`, timestamp: Date.now() - (4 - k) * 1000 })));
    const recs = await call('GET', '/v1/users/hiker/recommendations?n=10&explain=true');
    expect(recs.status).toBe(200);
    const item = recs.json.items.find((i: { itemId: string }) => i.itemId === 'boot-new');
    expect(item).toBeDefined();
    expect(item.reasons.map((r: { type: string }) => r.type)).toContain('content-similar');
  });
});
