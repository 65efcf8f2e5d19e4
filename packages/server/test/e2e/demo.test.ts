import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `attune demo` as the README runs it (smaller, and without training, which the serving tests
 * cover): it loads a synthetic shop, serves it, prints curl lines that work, stops on SIGINT.
 */
const dir = mkdtempSync(join(tmpdir(), 'attune-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('attune demo', () => {
  it('loads a synthetic shop, serves it and prints working curl lines', async () => {
    const bin = join(import.meta.dirname, '../../bin/attune.mjs');
    const child = spawn(process.execPath, [bin, 'demo', '--port', '0', '--data', dir, '--users', '200', '--items', '100', '--no-train'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Try:') && out.trimEnd().endsWith('grep attune_')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`demo exited early (${code}): ${out}`)));
    });
    expect(out).toMatch(/loaded into .*: 100 items, 200 users, \d+ new events/);
    const url = /serving the demo shop at (http:\/\/\S+)/.exec(out)![1]!;

    const item = await (await fetch(`${url}/v1/items/i1`)).json();
    expect(item.properties).toMatchObject({ category: expect.any(String), brand: expect.any(String), price: expect.any(Number) });
    const user = await (await fetch(`${url}/v1/users/u0`)).json();
    expect(user.events.counted).toBeGreaterThan(0);
    expect(Object.keys(user.events.byType)).toContain('view');

    // every printed GET line answers 200
    const gets = [...out.matchAll(/curl -s (http:\/\/\S+)$/gm)].map((m) => m[1]!);
    expect(gets.length).toBeGreaterThanOrEqual(4);
    for (const g of gets) expect((await fetch(g)).status, g).toBe(200);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped');
  }, 180_000); // child processes start tsx: slow on a loaded machine
});
