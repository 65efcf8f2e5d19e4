import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/memory/memoryBus.ts';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import { defaultConfig } from '../../src/config/schema.ts';
import { exportJsonl } from '../../src/io/exporter.ts';
import { importFile } from '../../src/io/importer.ts';
import { createCoreServices } from '../../src/services/coreServices.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function open(name: string) {
  const store = new SqliteStore({ path: join(dir, name, 'attune.db') });
  await store.init();
  return { store, services: createCoreServices({ config: defaultConfig(), store, bus: new MemoryBus() }) };
}

async function exported(store: SqliteStore, kind: 'events' | 'items' | 'users'): Promise<any[]> {
  // `any`: exported lines are compared field by field
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  await exportJsonl(store, kind, out);
  return chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('import', () => {
  it('reads CSV events with header aliases, rejects bad lines with their line numbers and the API validator message', async () => {
    const { store, services } = await open('a');
    const csv = file(
      'events.csv',
      'user_id,item_id,event_type,timestamp,rating,context.device\n' +
        'u1,i1,view,2026-01-01T00:00:00Z,,mobile\n' +
        'u1,i2,purchase,1767225600000,19.5,desktop\n' +
        ',i3,view,,,\n' +
        'u2,i1,view,abc,,\n',
    );
    const report = await importFile(services, { kind: 'events', file: csv, batchSize: 2 });
    expect(report).toMatchObject({ read: 4, imported: 2, duplicates: 0 });
    expect(report.rejected.map((r) => [r.line, r.path])).toEqual([
      [4, '$.userId'],
      [5, '$.timestamp'],
    ]);
    const events = await store.userEvents('u1');
    expect(events.map((e) => [e.type, e.itemId, e.value, e.context])).toEqual([
      ['view', 'i1', undefined, { device: 'mobile' }],
      ['purchase', 'i2', 19.5, { device: 'desktop' }],
    ]);
    await store.close();
  });

  it('JSONL events: eventIds make a re-import idempotent; bad JSON and unknown fields are reported', async () => {
    const { store, services } = await open('b');
    const jsonl = file('events.jsonl', '{"type":"view","userId":"u3","itemId":"i1","eventId":"x1"}\n\nnot json\n{"type":"view","userId":"u3","bogus":1}\n');
    const first = await importFile(services, { kind: 'events', file: jsonl });
    expect(first).toMatchObject({ read: 3, imported: 1, duplicates: 0 });
    expect(first.rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'invalid_json'],
      [4, 'unknown_field'],
    ]);
    const again = await importFile(services, { kind: 'events', file: jsonl });
    expect(again).toMatchObject({ imported: 0, duplicates: 1 });
    expect(await store.countEvents()).toBe(1);
    await store.close();
  });

  it('items from TSV are typed by the schema (lists split on |); users from CSV; export → import round-trips', async () => {
    const { store, services } = await open('c');
    await services.catalogue.putSchema({ properties: { price: { type: 'number' }, tags: { type: 'string-set' }, released: { type: 'timestamp' } } });
    const tsv = file('items.tsv', 'id\tcategory\tprice\ttags\treleased\ni1\tshoes\t10.5\ta|b\t2020-01-01T00:00:00Z\ni2\tbags\tcheap\tc\t\ni3\tbags\t7\t\t\n');
    const report = await importFile(services, { kind: 'items', file: tsv });
    expect(report.imported).toBe(2);
    expect(report.rejected).toEqual([{ line: 3, code: 'wrong_type', path: '$.properties.price', message: expect.stringContaining('number') }]);
    expect((await store.getItem('i1'))!.properties).toEqual({ category: 'shoes', price: 10.5, tags: ['a', 'b'], released: Date.parse('2020-01-01T00:00:00Z') });

    const users = file('users.csv', 'id,tier,age,likedCategories\nu1,gold,31,shoes|bags\n');
    expect((await importFile(services, { kind: 'users', file: users })).imported).toBe(1);
    expect(await store.getUser('u1')).toMatchObject({ attributes: { tier: 'gold', age: 31 }, preferences: { likedCategories: ['shoes', 'bags'] } });
    await services.ingest.ingest([{ type: 'view', userId: 'u1', itemId: 'i1', eventId: 'e1', context: { device: 'tv' } }], '$');

    // export everything, import into a fresh store, export again: identical
    const copy = await open('d');
    for (const kind of ['items', 'users', 'events'] as const) {
      const lines = await exported(store, kind);
      const p = file(`${kind}-export.jsonl`, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const r = await importFile(copy.services, { kind, file: p });
      expect(r.rejected, kind).toEqual([]);
      expect(await exported(copy.store, kind)).toEqual(lines);
    }
    await store.close();
    await copy.store.close();
  });
});

describe('attune import / export (CLI)', () => {
  it('imports through the CLI with a line report and exit code 1 when lines were rejected', async () => {
    const bin = join(import.meta.dirname, '../../bin/attune.mjs');
    const csv = file('cli.csv', 'userId,itemId,type\nu1,i1,view\nu2,,\n');
    const data = join(dir, 'cli-data');
    const run = promisify(execFile);
    const err = await run(process.execPath, [bin, 'import', 'events', csv, '--data', data]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stdout: string }).stdout).toContain('imported 1 of 2 events');
    expect((err as { stderr: string }).stderr).toContain('cli.csv:3: $.type: is required');
    const out = await run(process.execPath, [bin, 'export', 'events', '--data', data]);
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ type: 'view', userId: 'u1', itemId: 'i1' });
  }, 180_000); // child processes start tsx: slow on a loaded machine
});
