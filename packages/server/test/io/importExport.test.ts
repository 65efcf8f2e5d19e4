import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/memory/memoryBus.ts';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import { defaultConfig } from '../../src/config/schema.ts';
import { databaseInUse } from '../../src/adapters/sqlite/databaseInUse.ts';
import { DUMP_FILES, exportAll, exportJsonl } from '../../src/io/exporter.ts';
import { importAll, importFile } from '../../src/io/importer.ts';
import { createCoreServices } from '../../src/services/coreServices.ts';
import { scenariosFor } from '../../src/services/scenarios/scenarioService.ts';
import { parseUser } from '../../src/validation/userValidator.ts';

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

  it('a .json file holding one JSON array: each element is a record, rejected ones by the line they start on', async () => {
    const { store, services } = await open('array');
    const json = file('events.json', '[\n  {"type": "view", "userId": "u1", "itemId": "i1"},\n  {"type": "view", "userId": 5},\n  {"type": "purchase", "userId": "u1", "itemId": "i2"}\n]\n');
    const report = await importFile(services, { kind: 'events', file: json });
    expect(report).toMatchObject({ read: 3, imported: 2 });
    expect(report.rejected.map((r) => [r.line, r.path])).toEqual([[3, '$.userId']]);
    expect(await store.countEvents()).toBe(2);
    // the same text as .jsonl is JSON Lines, line by line
    const lines = await importFile(services, { kind: 'events', file: file('events-array.jsonl', '[{"type": "view", "userId": "u1", "itemId": "i1"}]\n') });
    expect(lines.rejected.map((r) => [r.line, r.code])).toEqual([[1, 'wrong_type']]);
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

/** Every file of an export-all directory, by name. */
function dump(path: string): Record<string, string> {
  return Object.fromEntries(readdirSync(path).sort().map((f) => [f, readFileSync(join(path, f), 'utf8')]));
}

describe('export all → import all', () => {
  it('round-trips the schema, items, users with preferences, custom scenarios, events and the recommendation log: a second export is identical', async () => {
    const { store, services } = await open('full');
    await services.catalogue.putSchema({ properties: { price: { type: 'number' }, tags: { type: 'string-set' }, vec: { type: 'vector', dimensions: 2 } } });
    await services.catalogue.putItemsLenient([
      { id: 'i1', properties: { price: 3, tags: ['a'], vec: [0.5, 1], title: 'Red shoe' }, createdAt: 1_700_000_000_000 },
      { id: 'i2', properties: { price: 9 }, available: false },
    ]);
    await services.users.write(parseUser({ id: 'u1', attributes: { tier: 'gold' }, preferences: { likedCategories: ['shoes'], dislikedItems: ['i2'], hiddenCategories: ['bags'] } }, '$'));
    await scenariosFor(store).put('cheap', { extends: 'homepage', filters: ['item.price < 5'], knobs: { diversity: 0.3 } });
    await services.ingest.ingest([
      { type: 'view', userId: 'u1', itemId: 'i1', eventId: 'e1', timestamp: 1_700_000_000_500, context: { device: 'tv' } },
      { type: 'purchase', userId: 'u1', itemId: 'i1', eventId: 'e2', value: 3, timestamp: 1_700_000_001_000, properties: { orderId: 'o1' } },
      { type: 'search', userId: 'u2', eventId: 'e3', timestamp: 1_700_000_002_000 },
    ], '$');
    await store.logShownLists([
      { recommendationId: 'r1', userId: 'u1', surface: 'user', modelVersion: 2, timestamp: 1_700_000_000_400, itemIds: ['i1', 'i2'], request: { opts: { n: 2 } }, firstId: 'r1', page: 1 },
      { recommendationId: 'r2', surface: 'popular', timestamp: 1_700_000_000_450, itemIds: ['i2'], firstId: 'r2', page: 1 },
    ]);

    const first = join(dir, 'dump-1');
    const counts = await exportAll(store, first);
    expect(counts).toEqual({ schema: 1, items: 2, users: 1, scenarios: 1, events: 3, recommendations: 2 });
    expect(Object.keys(dump(first)).sort()).toEqual(DUMP_FILES.map((d) => d.file).sort());

    const copy = await open('full-copy');
    const reports = await importAll(copy.services, { scenarios: scenariosFor(copy.store), recommendationLog: copy.store }, first);
    expect(reports.map((r) => [r.kind, r.report.imported, r.report.rejected])).toEqual([
      ['schema', 1, []],
      ['items', 2, []],
      ['users', 1, []],
      ['scenarios', 1, []],
      ['events', 3, []],
      ['recommendations', 2, []],
    ]);
    // the copy can page on and attribute by the imported list
    expect((await copy.store.getShownList('r1'))?.request).toEqual({ opts: { n: 2 } });
    const second = join(dir, 'dump-2');
    await exportAll(copy.store, second);
    expect(dump(second)).toEqual(dump(first));
    // the scenario is live in the copy, not just a stored document
    expect((await scenariosFor(copy.store).get('cheap'))?.source).toBe('custom');
    await store.close();
    await copy.store.close();
  });

  it('reports bad scenario lines by line number with the API\'s codes, and refuses CSV for scenarios', async () => {
    const { store, services } = await open('scen');
    const scenarios = scenariosFor(store);
    const p = file('scenarios.jsonl', '{"name":"ok","extends":"homepage"}\n{"name":"bad","extends":"homepage","filters":["item.price = 5"]}\n{"extends":"homepage"}\n');
    const report = await importFile(services, { kind: 'scenarios', file: p, scenarios });
    expect(report.imported).toBe(1);
    expect(report.rejected.map((r) => [r.line, r.code, r.path])).toEqual([
      [2, 'rule_syntax', '$.filters[0]'],
      [3, 'missing_field', '$.name'],
    ]);
    await expect(importFile(services, { kind: 'scenarios', file: file('s.csv', 'name\nx\n'), scenarios })).rejects.toThrow(/JSON Lines/);
    const schema = await importFile(services, { kind: 'schema', file: file('schema.json', '{"properties":{"price":{"type":"money"}}}') });
    expect(schema.rejected).toEqual([{ line: 1, code: expect.any(String), path: expect.stringContaining('$.properties.price'), message: expect.any(String) }]);
    await store.close();
  });

  it('reports bad recommendation-log lines by line number and path, and refuses CSV for them', async () => {
    const { store, services } = await open('recs');
    const lines = [
      '{"recommendationId":"ok","surface":"user","timestamp":1700000000000,"itemIds":["a"]}',
      '{"recommendationId":"r2","surface":"user","timestamp":1700000000000,"itemIds":["a",7]}',
      '{"surface":"user","timestamp":1700000000000,"itemIds":[]}',
      '{"recommendationId":"r4","surface":"user","timestamp":1700000000000,"itemIds":[],"extra":1}',
      '{"recommendationId":"r5","surface":"user","timestamp":1700000000,"itemIds":[]}',
      'not json',
    ];
    const report = await importFile(services, { kind: 'recommendations', file: file('recs.jsonl', lines.join('\n') + '\n'), recommendationLog: store });
    expect(report.imported).toBe(1);
    expect(report.rejected.map((r) => [r.line, r.code, r.path])).toEqual([
      [2, 'wrong_type', '$.itemIds[1]'],
      [3, 'missing_field', '$.recommendationId'],
      [4, 'unknown_field', '$.extra'],
      [5, 'invalid_field', '$.timestamp'],
      [6, 'invalid_json', '$'],
    ]);
    // defaults of a first page
    expect(await store.getShownList('ok')).toEqual({ recommendationId: 'ok', surface: 'user', timestamp: 1_700_000_000_000, itemIds: ['a'], firstId: 'ok', page: 1 });
    await expect(importFile(services, { kind: 'recommendations', file: file('r.csv', 'recommendationId\nx\n'), recommendationLog: store })).rejects.toThrow(/JSON Lines/);
    await store.close();
  });

  it('sees whether another connection has the database open', async () => {
    const { store } = await open('lock');
    const path = join(dir, 'lock', 'attune.db');
    expect(await databaseInUse(path)).toBe(true);
    await store.close();
    expect(await databaseInUse(path)).toBe(false);
    expect(await databaseInUse(join(dir, 'nothing-here.db'))).toBe(false);
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

  it('refuses to import while another process has the data directory open, then imports; export all → import all through the CLI', async () => {
    const bin = join(import.meta.dirname, '../../bin/attune.mjs');
    const run = promisify(execFile);
    const data = join(dir, 'cli-busy');
    const { store } = await open('cli-busy');
    const items = file('busy-items.jsonl', '{"id":"i1","properties":{"price":1}}\n');
    const refused = await run(process.execPath, [bin, 'import', 'items', items, '--data', data]).catch((e: { code: number; stderr: string }) => e);
    expect((refused as { code: number }).code).not.toBe(0);
    expect((refused as { stderr: string }).stderr).toContain('is open in another process');
    expect(await store.getItem('i1')).toBeUndefined();
    await store.close();

    await run(process.execPath, [bin, 'import', 'items', items, '--data', data]);
    const out1 = join(dir, 'cli-dump-1');
    await run(process.execPath, [bin, 'export', 'all', '--out', out1, '--data', data]);
    const data2 = join(dir, 'cli-copy');
    await run(process.execPath, [bin, 'import', 'all', out1, '--data', data2]);
    const out2 = join(dir, 'cli-dump-2');
    await run(process.execPath, [bin, 'export', 'all', '--out', out2, '--data', data2]);
    expect(dump(out2)).toEqual(dump(out1));
    expect(dump(out1)['items.jsonl']).toContain('"i1"');
  }, 300_000);
});
