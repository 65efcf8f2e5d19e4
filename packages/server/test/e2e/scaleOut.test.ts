import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, type SyntheticData } from '@attune/engine';
import { defaultConfig, type ConfigInput } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { dropScaleOutRun } from './scaleOutServices.ts';

/**
 * Scale-out end to end on the real services: two 'api' nodes and one 'worker' node, each its own
 * server (own pools, connections and caches) on one PostgreSQL schema, one Redis prefix and one
 * NATS stream, unique to this run. Events go in through api A, the worker trains, and api B
 * serves personalized lists that reflect an event api A has just accepted, even while the worker
 * is down (its durable consumer catches up when it returns). No timed assertions:
 * whatever crosses the bus is polled with a generous deadline; what the realtime guarantee
 * promises (the shared online state) is asserted on the very next request.
 */
const PG_URL = process.env.PG_URL;
const REDIS_URL = process.env.REDIS_URL;
const NATS_URL = process.env.NATS_URL;
const enabled = Boolean(PG_URL && REDIS_URL && NATS_URL);

const tag = `attune_so_${process.pid}_${randomBytes(3).toString('hex')}`;
let dir: string;
let data: SyntheticData;
let apiA: RunningServer;
let apiB: RunningServer;
let worker: RunningServer;
let eventsPosted = 0;
let version = 0;

// `any`: test responses are inspected field by field
async function call(node: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(node.url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const ids = (json: any): string[] => json.items.map((i: any) => i.itemId);
/** a shelf category independent of the planted clusters (the default list diversifies by category) */
const categoryOf = (itemId: string): string => `k${Number(itemId.slice(1)) % 3}`;

/** Polls until `check` returns a value (not undefined); fails after a generous deadline. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = 90_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function nodeConfig(role: 'api' | 'worker'): ConfigInput {
  return {
    role,
    port: 0,
    logLevel: 'silent',
    dataDir: dir,
    store: { kind: 'postgres', postgres: { url: PG_URL, schema: tag, poolSize: 4 } },
    bus: { kind: 'nats', nats: { url: NATS_URL, prefix: tag, group: 'trainer' } },
    online: { kind: 'redis', redis: { url: REDIS_URL, prefix: `${tag}:` } },
    // training only when asked: the test decides when the worker trains
    training: { model: 'item-knn', afterNewEvents: 1_000_000 },
  };
}

describe.skipIf(!enabled)('scale-out: api + api + worker on PostgreSQL, Redis and NATS', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-so-'));
    data = generateSynthetic({ users: 150, items: 100, clusters: 4, interactionsPerUser: 15, seed: 11 });
    // one at a time: the first creates the schema and the stream the others then find
    worker = await startServer(defaultConfig(nodeConfig('worker')));
    apiA = await startServer(defaultConfig(nodeConfig('api')));
    apiB = await startServer(defaultConfig(nodeConfig('api')));

    const items = await call(apiA, 'POST', '/v1/items/batch', { items: data.items.map((it) => ({ id: it.id, properties: { category: categoryOf(it.id) } })) });
    expect(items.status).toBeLessThan(300);
    const events = data.interactions.map((e) => ({ type: 'view', userId: e.userId, itemId: e.itemId, timestamp: e.timestamp }));
    const posted = await call(apiA, 'POST', '/v1/events', events);
    expect(posted.json.accepted).toBe(events.length);
    eventsPosted += events.length;

    // the worker trains (in its worker thread, over its own PostgreSQL pool)
    const started = await call(worker, 'POST', '/v1/models/train');
    expect(started.status).toBe(202);
    const job = await eventually('the training run', async () => {
      const j = (await call(worker, 'GET', `/v1/models/train/${started.json.jobId}`)).json;
      if (j.status === 'failed') throw new Error(j.error);
      return j.status === 'succeeded' ? j : undefined;
    });
    expect(job.promoted).toBe(true);
    version = job.version;
  }, 180_000);

  afterAll(async () => {
    for (const node of [apiA, apiB, worker]) await node?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    if (!enabled) return;
    await dropScaleOutRun({ pgUrl: PG_URL!, natsUrl: NATS_URL!, redisUrl: REDIS_URL! }, tag);
  }, 60_000);

  it('the api node that did not train loads the version the worker promoted', async () => {
    await eventually('api B serving the new model', async () => ((await call(apiB, 'GET', '/v1/models')).json.serving?.version === version ? true : undefined));
    // api B's catalogue learnt the items api A stored (items.changed over NATS)
    const list = await eventually('a model-based list on api B', async () => {
      const r = await call(apiB, 'GET', '/v1/users/u7/recommendations?n=10');
      return r.status === 200 && r.json.model?.version === version && r.json.items.length > 0 ? r.json : undefined;
    });
    expect(list.items.some((i: any) => i.reasons.some((r: any) => r.type === 'personalized'))).toBe(true);
  });

  it('with the worker stopped, an event accepted by api A changes the very next recommendation on api B', async () => {
    // no bus subscriber writes events into the online state now (api nodes leave that to the
    // worker group): only the ingest path can make this pass, and it must not depend on a race
    await worker.close();
    const before = (await call(apiB, 'GET', '/v1/users/u7/recommendations?n=10')).json;
    const top = ids(before)[0] as string;
    const posted = await call(apiA, 'POST', '/v1/events', { type: 'purchase', userId: 'u7', itemId: top, recommendationId: before.recommendationId });
    expect(posted.json.accepted).toBe(1);
    eventsPosted += 1;
    // no polling: the ingest path wrote the shared online state before api A answered
    const after = (await call(apiB, 'GET', '/v1/users/u7/recommendations?n=10')).json;
    expect(ids(after)).not.toContain(top);
    expect(after.model.version).toBe(before.model.version);
  });

  it('a brand-new user gets personalized results on api B right after three events on api A', async () => {
    const cluster = 2;
    const three = data.items.filter((i) => i.cluster === cluster).slice(0, 3).map((i) => i.id);
    const cold = (await call(apiB, 'GET', '/v1/users/so-visitor/recommendations?n=10')).json;
    expect(cold.items.every((i: any) => i.reasons.every((r: any) => r.type !== 'personalized'))).toBe(true);
    const posted = await call(apiA, 'POST', '/v1/events', three.map((itemId, k) => ({ type: 'view', userId: 'so-visitor', itemId, timestamp: Date.now() + k })));
    expect(posted.json.accepted).toBe(3);
    eventsPosted += 3;
    const warm = (await call(apiB, 'GET', '/v1/users/so-visitor/recommendations?n=10')).json;
    const list = ids(warm);
    for (const id of three) expect(list).not.toContain(id);
    expect(warm.items.some((i: any) => i.reasons.some((r: any) => r.type === 'personalized'))).toBe(true);
    const share = list.filter((id) => data.itemCluster.get(id) === cluster).length / list.length;
    expect(share).toBeGreaterThan(0.5);
  });

  it('erasing a user through api A clears their recent history and impressions for every node', async () => {
    await call(apiA, 'POST', '/v1/events', { type: 'view', userId: 'so-erased', itemId: data.items[0]!.id });
    eventsPosted += 1;
    await call(apiB, 'GET', '/v1/users/so-erased/recommendations?n=5');
    const online = apiB.context.online!;
    await eventually('the impression flush', async () => ((await online.getUser('so-erased')).impressions.length > 0 ? true : undefined));
    const del = await fetch(`${apiA.url}/v1/users/so-erased`, { method: 'DELETE' });
    expect(del.status).toBeLessThan(300);
    const state = await online.getUser('so-erased');
    expect(state.history).toEqual([]);
    expect(state.impressions).toEqual([]);
  });

  it('a restarted worker catches up on what was published while it was down, counting each event once', async () => {
    worker = await startServer(defaultConfig(nodeConfig('worker')));
    const online = apiA.context.online!;
    await eventually(`eventsAccepted reaching ${eventsPosted}`, async () => ((await online.counters()).eventsAccepted === eventsPosted ? true : undefined));
    // the worker consumed everything up to here; a copy counted by an api node would overshoot
    const sentinel = await call(apiB, 'POST', '/v1/events', { type: 'view', userId: 'so-sentinel', itemId: data.items[1]!.id });
    expect(sentinel.json.accepted).toBe(1);
    eventsPosted += 1;
    await eventually(`eventsAccepted reaching ${eventsPosted}`, async () => ((await online.counters()).eventsAccepted === eventsPosted ? true : undefined));
    expect((await online.counters()).eventsAccepted).toBe(eventsPosted);
  });

  it('a list served by api A pages on api B (the recommendation log is shared)', async () => {
    const user = data.interactions[0]!.userId;
    const first = await call(apiA, 'GET', `/v1/users/${user}/recommendations?n=4`);
    expect(first.status).toBe(200);
    await apiA.app.attune.serving?.impressions.flush();
    const second = await call(apiB, 'GET', `/v1/recommendations/${first.json.recommendationId}/next?n=4`);
    expect(second.status).toBe(200);
    expect(ids(second.json).filter((id) => ids(first.json).includes(id))).toEqual([]);
    await apiB.app.attune.serving?.impressions.flush();
    const record = await call(apiA, 'GET', `/v1/recommendations/${second.json.recommendationId}`);
    expect(record.json).toMatchObject({ page: 2, firstRecommendationId: first.json.recommendationId, itemIds: ids(second.json) });
  });

  it('roles: api nodes refuse to train, the worker serves no public API', async () => {
    const refused = await call(apiA, 'POST', '/v1/models/train');
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('wrong_role');
    expect((await call(worker, 'POST', '/v1/events', { type: 'view', userId: 'x', itemId: 'i1' })).status).toBe(404);
    expect((await call(worker, 'GET', '/ready')).status).toBe(200);
  });
});
