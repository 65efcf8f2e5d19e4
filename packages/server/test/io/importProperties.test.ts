import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/memory/memoryBus.ts';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import { defaultConfig } from '../../src/config/schema.ts';
import { ERROR_CODES } from '../../src/errors.ts';
import { importFile } from '../../src/io/importer.ts';
import { createCoreServices } from '../../src/services/coreServices.ts';
import { scenariosFor } from '../../src/services/scenarios/scenarioService.ts';

/**
 * `attune import` on arbitrary files: whatever a line holds, the import reports it by its line
 * number with a documented code and goes on; it never throws, and the valid lines around the
 * bad ones all go in.
 */
const dir = mkdtempSync(join(tmpdir(), 'attune-import-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DOCUMENTED = new Set<string>(ERROR_CODES);
let runs = 0;

async function withStore<T>(run: (services: ReturnType<typeof createCoreServices>, store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  try {
    return await run(createCoreServices({ config: defaultConfig(), store, bus: new MemoryBus() }), store);
  } finally {
    await store.close();
  }
}

/** One physical line of text (no line breaks) that is not blank. */
const garbageText = fc.string({ unit: fc.oneof(fc.constantFrom('"', ',', '{', '}', '[', ']', ':', '\\', ' ', '\t', '\u2028', '\ufeff'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '' && !/[\r\n]/.test(s));
/** JSON that is not an event: a value of another type, or an object missing or mistyping its fields. */
const notAnEvent = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v) || !('type' in v)),
  fc.record({ type: fc.jsonValue({ maxDepth: 1 }).filter((v) => typeof v !== 'string'), userId: fc.constant('u') }),
  fc.record({ type: fc.constant('view'), userId: fc.constant('u'), colour: fc.integer() }),
).map((v) => JSON.stringify(v));

describe('import of arbitrary files', () => {
  it('JSONL events: every bad line is rejected by its own line number, every valid line is imported', async () => {
    const lines = fc.array(fc.oneof({ weight: 2, arbitrary: fc.constant('valid') }, { weight: 1, arbitrary: garbageText }, { weight: 1, arbitrary: notAnEvent }, { weight: 1, arbitrary: fc.constant('') }), { minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(lines, fc.constantFrom('\n', '\r\n'), fc.boolean(), async (kinds, eol, bom) => {
        const text = kinds.map((k, i) => (k === 'valid' ? JSON.stringify({ type: 'view', userId: `u${i % 3}`, itemId: `i${i}` }) : k)).join(eol);
        const file = join(dir, `events-${runs++}.jsonl`);
        writeFileSync(file, (bom ? '\ufeff' : '') + text);
        const report = await withStore(async (services, store) => {
          const r = await importFile(services, { kind: 'events', file, batchSize: 4 });
          expect(await store.countEvents()).toBe(r.imported);
          return r;
        });
        const valid = kinds.filter((k) => k === 'valid').length;
        const bad = kinds.flatMap((k, i) => (k !== 'valid' && k.trim() !== '' ? [i + 1] : []));
        expect(report.imported).toBe(valid);
        expect(report.rejected.map((r) => r.line)).toEqual(bad);
        expect(report.read).toBe(valid + bad.length);
        for (const r of report.rejected) {
          expect(DOCUMENTED.has(r.code), r.code).toBe(true);
          expect(r.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('CSV events and items: never throws; counts add up; rejected lines are lines of the file, in order', async () => {
    const field = fc.oneof(fc.constantFrom('u1', 'i1', 'view', '2026-01-01T00:00:00Z', '1767225600000', '', '4.5', '"quoted, with comma"', '"a ""b"""', '"open'), garbageText.map((s) => s.replace(/[\r\n]/g, '')));
    const row = fc.array(field, { minLength: 0, maxLength: 6 }).map((fs) => fs.join(','));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('events', 'items') as fc.Arbitrary<'events' | 'items'>, fc.array(row, { minLength: 1, maxLength: 20 }), fc.constantFrom('\n', '\r\n'), async (kind, rows, eol) => {
        const header = kind === 'events' ? 'user_id,item_id,event_type,timestamp,rating,context.device' : 'id,title,price,available,tags,createdAt';
        const text = [header, ...rows].join(eol);
        const file = join(dir, `${kind}-${runs++}.csv`);
        writeFileSync(file, text);
        const physicalLines = text.split(/\r?\n/).length;
        const report = await withStore((services) => importFile(services, { kind, file, batchSize: 3 }));
        expect(report.imported + report.duplicates + report.rejected.length).toBe(report.read);
        const numbers = report.rejected.map((r) => r.line);
        expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
        for (const r of report.rejected) {
          expect(r.line).toBeGreaterThanOrEqual(2);
          expect(r.line).toBeLessThanOrEqual(physicalLines);
          expect(DOCUMENTED.has(r.code), r.code).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('JSONL of every other kind (items, users, scenarios, recommendations): never throws; counts add up; rejected lines are lines of the file', async () => {
    const line = fc.oneof(garbageText, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.constant(''), fc.record({ id: fc.constantFrom('i1', 'constructor', '__proto__', ''), properties: fc.dictionary(fc.constantFrom('price', 'constructor', 'tags', 'toString'), fc.jsonValue({ maxDepth: 1 })) }).map((v) => JSON.stringify(v)), fc.record({ name: fc.constantFrom('cheap', 'homepage', 'constructor'), extends: fc.constantFrom('homepage', 'nope'), filters: fc.array(fc.constantFrom('item.price < 5', 'item.constructor == "x"', 'bad (', 'user.toString > 1')) }).map((v) => JSON.stringify(v)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('items', 'users', 'scenarios', 'recommendations') as fc.Arbitrary<'items' | 'users' | 'scenarios' | 'recommendations'>, fc.array(line, { minLength: 1, maxLength: 15 }), async (kind, lines) => {
        const file = join(dir, `${kind}-${runs++}.jsonl`);
        writeFileSync(file, lines.join('\n'));
        const report = await withStore((services, store) => importFile(services, { kind, file, batchSize: 3, scenarios: scenariosFor(store), recommendationLog: store }));
        expect(report.imported + report.duplicates + report.rejected.length).toBe(report.read);
        expect(report.read).toBe(lines.filter((l) => l.trim() !== '').length);
        for (const r of report.rejected) {
          expect(r.line).toBeGreaterThanOrEqual(1);
          expect(r.line).toBeLessThanOrEqual(lines.length);
          expect(DOCUMENTED.has(r.code), r.code).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });
});
