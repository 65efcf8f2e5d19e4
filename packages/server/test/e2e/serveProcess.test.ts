import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';

/**
 * `attune serve` as users run it: a child process on a free port with a data directory; events
 * go in over HTTP, SIGTERM shuts it down cleanly (exit 0) and the events are in the database.
 */
const dir = mkdtempSync(join(tmpdir(), 'attune-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `attune serve` on a free port over `dataDir`, training off; resolves once it listens. */
async function serve(dataDir: string): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; url: string; out: () => string }> {
  const bin = join(import.meta.dirname, '../../bin/attune.mjs');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', dataDir], {
    env: { ...process.env, ATTUNE_TRAINING_ENABLED: 'false', ATTUNE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${out}`)));
  });
  return { child, url, out: () => out };
}

describe('attune serve (process)', () => {
  it('serves, and on SIGTERM finishes, closes the database and exits 0', async () => {
    const { child, url, out } = await serve(dir);
    const events = Array.from({ length: 500 }, (_, i) => ({ type: 'view', userId: `u${i % 7}`, itemId: `i${i}`, eventId: `p-${i}` }));
    const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 500 });

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out()).toContain('SIGTERM: shutting down');
    expect(out()).toContain('database closed');
    // every log line is JSON and none carries the request body
    for (const line of out().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(out()).not.toContain('p-17');

    const store = new SqliteStore({ path: join(dir, 'attune.db') });
    await store.init();
    expect(await store.countEvents()).toBe(500);
    await store.close();
  }, 180_000); // child processes start tsx: slow on a loaded machine

  it('on SIGTERM amid a stream of POSTs, every batch answered 200 is stored whole, and nothing else', async () => {
    const data = mkdtempSync(join(dir, 'stream-'));
    const { child, url } = await serve(data);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // 8 senders post batches of 50 events with ids naming the batch, until the server stops answering
    const accepted: string[] = [];
    const refused: string[] = [];
    let sent = 0;
    let stopping = false;
    const sender = async (s: number): Promise<void> => {
      for (let b = 0; ; b++) {
        const batch = `s${s}-b${b}`;
        const events = Array.from({ length: 50 }, (_, i) => ({ type: 'view', userId: `u${i % 5}`, itemId: `i${i}`, eventId: `${batch}-${i}` }));
        sent++;
        // SIGTERM once the senders are well under way
        if (sent === 40) {
          stopping = true;
          child.kill('SIGTERM');
        }
        try {
          const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
          const body = (await res.json()) as { accepted?: number };
          // a request that reaches the closing server is still served
          expect(res.status).toBe(200);
          expect(body.accepted).toBe(50);
          accepted.push(batch);
        } catch {
          // connection refused or reset: the server has stopped listening
          refused.push(batch);
          if (stopping) return;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, s) => sender(s)));
    expect(await exited).toBe(0);
    expect(accepted.length).toBeGreaterThanOrEqual(32);

    const store = new SqliteStore({ path: join(data, 'attune.db') });
    await store.init();
    try {
      const stored = new Map<string, number>();
      for await (const rows of store.scanEvents()) for (const e of rows) stored.set(e.eventId.replace(/-\d+$/, ''), (stored.get(e.eventId.replace(/-\d+$/, '')) ?? 0) + 1);
      // every batch answered 200 is there whole; a refused one may have been committed before
      // its connection broke, but never in part
      for (const batch of accepted) expect(stored.get(batch), batch).toBe(50);
      for (const [batch, n] of stored) {
        expect(n, batch).toBe(50);
        expect(accepted.includes(batch) || refused.includes(batch), batch).toBe(true);
      }
    } finally {
      await store.close();
    }
  }, 180_000);
});
