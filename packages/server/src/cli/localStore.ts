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
import { databaseInUse } from '../adapters/sqlite/databaseInUse.ts';

/**
 * The configured store opened by a CLI command (no server needed), with the core services.
 * Embedded (SQLite): an in-process bus, so a server running on the same directory would not
 * hear of these writes (its catalogue, users and scenarios live in memory): commands that
 * write pass `writes` and are refused while another process has the database open. Reading
 * (export) is safe beside a server (WAL). Scale-out (NATS): writes are announced on the
 * deployment's bus and reach the shared online state, exactly as if an API node had taken them.
 * `readOnly` (export): SQLite writes, if any (a migration at open), run on this thread instead of
 * starting the writer threads a server uses.
 */
export async function openLocalStore(config: AttuneConfig, opts: { mustExist?: boolean; writes?: string; readOnly?: boolean } = {}): Promise<{ store: Store; services: CoreServices; close(): Promise<void> }> {
  if (config.store.kind === 'sqlite') {
    const path = databasePath(config.dataDir);
    if (opts.mustExist && !existsSync(path)) throw new CliError(`no Attune database at ${path}: pass --data DIR`);
    if (opts.writes !== undefined && (await databaseInUse(path))) {
      throw new CliError(
        `${path} is open in another process (a running attune serve?): stop it before you ${opts.writes}, or send the data through its API ` +
          '(PUT /v1/schema/items, POST /v1/items/batch, PUT /v1/users/{id}, PUT /v1/scenarios/{name}, POST /v1/events), which it sees at once. ' +
          'A server does not notice writes made beside it: its catalogue, users and scenarios are held in memory.',
      );
    }
  }
  const storeConfig = storeConfigOf(config);
  // a command that only reads writes nothing worth a writer thread (a migration at open runs inline)
  if (opts.readOnly && storeConfig.kind === 'sqlite') storeConfig.writer = 'inline';
  const store = await createStore(storeConfig);
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
