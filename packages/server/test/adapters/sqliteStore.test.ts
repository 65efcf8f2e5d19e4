import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import type { Store } from '../../src/ports/store.ts';
import { storeConformance } from '../conformance/storeConformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeConformance({
  name: 'SqliteStore (file, WAL)',
  async create() {
    const store = new SqliteStore({ path: join(dir, `db-${n++}.sqlite`) });
    await store.init();
    return store;
  },
  async reopen(store: Store) {
    const path = (store as SqliteStore).path;
    await store.close();
    const again = new SqliteStore({ path });
    await again.init();
    return again;
  },
});

storeConformance({
  name: 'SqliteStore (file, WAL, recommendation log on its writer thread)',
  async create() {
    const store = new SqliteStore({ path: join(dir, `db-${n++}.sqlite`), logWriter: 'worker' });
    await store.init();
    return store;
  },
  async reopen(store: Store) {
    const path = (store as SqliteStore).path;
    await store.close();
    const again = new SqliteStore({ path, logWriter: 'worker' });
    await again.init();
    return again;
  },
});

storeConformance({
  name: 'SqliteStore (:memory:)',
  async create() {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    return store;
  },
});
