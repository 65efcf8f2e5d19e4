import { existsSync } from 'node:fs';
import { MemoryBus } from '../adapters/memory/memoryBus.ts';
import { SqliteStore } from '../adapters/sqlite/sqliteStore.ts';
import type { AttuneConfig } from '../config/schema.ts';
import { databasePath } from '../server.ts';
import { createCoreServices, type CoreServices } from '../services/coreServices.ts';
import { CliError } from './cliError.ts';

/**
 * The data directory's store opened by a CLI command (no server needed), with the core services
 * on an in-process bus. A running server on the same directory keeps working (SQLite WAL), but
 * its in-memory caches only see these writes on its next reload.
 */
export async function openLocalStore(config: AttuneConfig, opts: { mustExist?: boolean } = {}): Promise<{ store: SqliteStore; services: CoreServices; close(): Promise<void> }> {
  const path = databasePath(config.dataDir);
  if (opts.mustExist && !existsSync(path)) throw new CliError(`no Attune database at ${path}: pass --data DIR`);
  const store = new SqliteStore({ path, synchronous: config.store.synchronous });
  await store.init();
  const bus = new MemoryBus();
  return {
    store,
    services: createCoreServices({ config, store, bus }),
    async close() {
      await bus.close();
      await store.close();
    },
  };
}
