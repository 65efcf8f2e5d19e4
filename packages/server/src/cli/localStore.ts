import { existsSync } from 'node:fs';
import { busConfigOf, onlineConfigOf, storeConfigOf } from '../adapters/configured.ts';
import { createBus, createOnlineState, createStore, type OpenedOnlineState } from '../adapters/factory.ts';
import { MemoryBus } from '../adapters/memory/memoryBus.ts';
import type { AttuneConfig } from '../config/schema.ts';
import type { Bus } from '../ports/bus.ts';
import type { Store } from '../ports/store.ts';
import { databasePath } from '../server.ts';
import { createCoreServices, type CoreServices } from '../services/coreServices.ts';
import { CliError } from './cliError.ts';

/**
 * The configured store opened by a CLI command (no server needed), with the core services.
 * Embedded (SQLite): an in-process bus; a running server on the same directory keeps working
 * (WAL), but its in-memory caches only see these writes on its next reload. Scale-out (NATS):
 * writes are announced on the deployment's bus and reach the shared online state, exactly as
 * if an API node had taken them.
 */
export async function openLocalStore(config: AttuneConfig, opts: { mustExist?: boolean } = {}): Promise<{ store: Store; services: CoreServices; close(): Promise<void> }> {
  if (config.store.kind === 'sqlite') {
    const path = databasePath(config.dataDir);
    if (opts.mustExist && !existsSync(path)) throw new CliError(`no Attune database at ${path}: pass --data DIR`);
  }
  const store = await createStore(storeConfigOf(config));
  let bus: Bus = new MemoryBus();
  let online: OpenedOnlineState | undefined;
  try {
    if (config.bus.kind === 'nats') {
      bus = await createBus(busConfigOf(config));
      online = await createOnlineState(onlineConfigOf(config));
    }
  } catch (err) {
    await bus.close().catch(() => {});
    await store.close();
    throw err;
  }
  return {
    store,
    services: createCoreServices({ config, store, bus, ...(online ? { online: online.online } : {}) }),
    async close() {
      await bus.close();
      await online?.close();
      await store.close();
    },
  };
}
