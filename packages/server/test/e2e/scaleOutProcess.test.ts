import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { OnlineKeys } from '../../src/adapters/redis/keys.ts';
import { dropScaleOutRun } from './scaleOutServices.ts';

/**
 * `attune serve --role …` as operators run it: two child processes configured only through
 * ATTUNE_* variables (PostgreSQL, NATS, Redis), an api node and a worker. An event accepted by
 * the api process is counted by the worker process (over NATS, polled), and SIGTERM shuts both
 * down cleanly (exit 0: pools, the NATS connection and the Redis client all closed).
 */
const PG_URL = process.env.PG_URL;
const REDIS_URL = process.env.REDIS_URL;
const NATS_URL = process.env.NATS_URL;
const enabled = Boolean(PG_URL && REDIS_URL && NATS_URL);
const tag = `attune_sp_${process.pid}_${randomBytes(3).toString('hex')}`;

const bin = join(import.meta.dirname, '../../bin/attune.mjs');
const children: ChildProcess[] = [];

function serve(role: 'api' | 'worker'): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [bin, 'serve', '--role', role, '--port', '0'], {
    env: {
      ...process.env,
      ATTUNE_LOG_LEVEL: 'info',
      ATTUNE_STORE_KIND: 'postgres',
      ATTUNE_POSTGRES_URL: PG_URL,
      ATTUNE_POSTGRES_SCHEMA: tag,
      ATTUNE_POSTGRES_POOL_SIZE: '3',
      ATTUNE_BUS_KIND: 'nats',
      ATTUNE_NATS_URL: NATS_URL,
      ATTUNE_NATS_PREFIX: tag,
      ATTUNE_ONLINE_KIND: 'redis',
      ATTUNE_REDIS_URL: REDIS_URL,
      ATTUNE_REDIS_PREFIX: `${tag}:`,
      ATTUNE_TRAINING_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`serve --role ${role} exited early (${code}): ${out}`)));
  });
  return { child, url, output: () => out };
}

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.on('exit', (code) => resolve(code)));

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (!enabled) return;
  await dropScaleOutRun({ pgUrl: PG_URL!, natsUrl: NATS_URL!, redisUrl: REDIS_URL! }, tag);
}, 60_000);

describe.skipIf(!enabled)('attune serve --role api|worker (processes)', () => {
  it('an api process and a worker process share PostgreSQL, NATS and Redis, and stop cleanly', async () => {
    // the worker first: it creates the schema and the stream
    const worker = serve('worker');
    const workerUrl = await worker.url;
    const api = serve('api');
    const apiUrl = await api.url;

    const post = await fetch(`${apiUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ type: 'view', userId: 'p1', itemId: 'i1' }, { type: 'view', userId: 'p1', itemId: 'i2' }]) });
    expect(await post.json()).toMatchObject({ accepted: 2 });
    // the worker's group consumer counts them in the shared Redis; the api process does not
    const redis = new Redis(REDIS_URL!);
    try {
      const until = Date.now() + 90_000;
      while (Number(await redis.hget(new OnlineKeys(`${tag}:`).counters, 'eventsAccepted')) !== 2) {
        if (Date.now() > until) throw new Error(`the worker never counted the events: ${worker.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await redis.quit();
    }
    // the worker process serves no public API, the api process does not train
    expect((await fetch(`${workerUrl}/v1/events`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${apiUrl}/v1/models/train`, { method: 'POST' })).status).toBe(409);

    for (const node of [api, worker]) {
      node.child.kill('SIGTERM');
      expect(await exitOf(node.child)).toBe(0);
    }
    expect(worker.output()).toContain('"role":"worker"');
    expect(api.output()).toContain('"role":"api"');
  }, 240_000); // child processes start tsx: slow on a loaded machine
});
