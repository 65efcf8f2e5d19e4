import { spawn } from 'node:child_process';
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

describe('attune serve (process)', () => {
  it('serves, and on SIGTERM finishes, closes the database and exits 0', async () => {
    const bin = join(import.meta.dirname, '../../bin/attune.mjs');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', dir], {
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
    const events = Array.from({ length: 500 }, (_, i) => ({ type: 'view', userId: `u${i % 7}`, itemId: `i${i}`, eventId: `p-${i}` }));
    const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 500 });

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM: shutting down');
    expect(out).toContain('database closed');
    // every log line is JSON and none carries the request body
    for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(out).not.toContain('p-17');

    const store = new SqliteStore({ path: join(dir, 'attune.db') });
    await store.init();
    expect(await store.countEvents()).toBe(500);
    await store.close();
  }, 180_000); // child processes start tsx: slow on a loaded machine
});
