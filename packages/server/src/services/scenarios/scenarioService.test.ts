import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../adapters/sqlite/sqliteStore.ts';
import { ScenarioService } from './scenarioService.ts';

/** Two API nodes on one shared store: a scenario saved on one reaches the other by refresh. */
let store: SqliteStore;
let now = 1_000_000;
const clock = () => now;

beforeEach(async () => {
  store = new SqliteStore({ path: ':memory:' });
  await store.init();
});
afterEach(async () => {
  await store.close();
});

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('ScenarioService', () => {
  it("sees another node's writes once its copy is older than refreshMs", async () => {
    const a = new ScenarioService(store, undefined, clock, 10_000);
    const b = new ScenarioService(store, undefined, clock, 10_000);
    await Promise.all([a.ready(), b.ready()]);
    await a.put('sale', { extends: 'homepage', filters: ['item.price < 50'] });
    expect(Object.keys(a.definitions())).toEqual(['sale']);
    expect(Object.keys(b.definitions())).toEqual([]);
    const before = b.revision;
    now += 10_001;
    b.definitions();
    await settle();
    expect(Object.keys(b.definitions())).toEqual(['sale']);
    expect(b.revision).toBeGreaterThan(before);
    await a.delete('sale');
    now += 10_001;
    expect((await b.list()).map((s) => s.name)).toContain('sale');
    await settle();
    expect((await b.list()).map((s) => s.name)).not.toContain('sale');
  });

  it('a reload finding nothing new keeps the revision (list caches stay warm)', async () => {
    const a = new ScenarioService(store, undefined, clock, 10_000);
    await a.put('x', { extends: 'cart' });
    const rev = a.revision;
    now += 10_001;
    a.definitions();
    await settle();
    expect(a.revision).toBe(rev);
  });

  it('definitions have no prototype: "toString" is not a scenario', async () => {
    const a = new ScenarioService(store, undefined, clock);
    await a.ready();
    expect(a.definitions().toString).toBeUndefined();
    expect(await a.get('toString')).toBeUndefined();
  });
});
