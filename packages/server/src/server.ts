import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { MemoryBus } from './adapters/memory/memoryBus.ts';
import { SqliteStore } from './adapters/sqlite/sqliteStore.ts';
import { buildApp } from './app.ts';
import type { AppExtensions } from './appContext.ts';
import type { AttuneConfig } from './config/schema.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import type { Bus } from './ports/bus.ts';
import type { Store } from './ports/store.ts';
import { createCoreServices } from './services/coreServices.ts';
import { serverExtensions, type BackgroundService, type ServerContext, type ServerExtension } from './services/serverExtensions.ts';

export type { BackgroundService, ServerContext, ServerExtension } from './services/serverExtensions.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  app: FastifyInstance;
  /** the store, bus, services … the server runs with (the demo loads data through them) */
  context: ServerContext;
  services: BackgroundService[];
  /** stops accepting, finishes in-flight requests, stops services, closes bus and store */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** use this store instead of opening <dataDir>/attune.db (it must be init()ed; it is closed on close) */
  store?: Store;
  bus?: Bus;
  /** defaults to the registered serverExtensions */
  extensions?: ServerExtension[];
}

/** The SQLite file inside a data directory. */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'attune.db');
}

/** Opens the store and bus, builds the app, starts background services and listens. */
export async function startServer(config: AttuneConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  let store = opts.store;
  if (!store) {
    store = new SqliteStore({ path: databasePath(config.dataDir), synchronous: config.store.synchronous });
    await store.init();
  }
  const bus = opts.bus ?? new MemoryBus((err, topic) => logger.error({ err, topic }, 'bus subscriber failed'));
  const context: ServerContext = { config, store, bus, logger, metrics, ...createCoreServices({ config, store, bus, metrics }) };

  const services: BackgroundService[] = [];
  let extensionDeps: Partial<AppExtensions> = {};
  const started: BackgroundService[] = [];
  let app: FastifyInstance | undefined;
  const close = async (): Promise<void> => {
    // 1. stop accepting and let in-flight requests finish
    if (app) await app.close();
    // 2. background services, newest first
    for (const s of [...started].reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.error({ err, service: s.name }, 'service failed to stop');
      }
    }
    // 3. then the bus and the database
    await bus.close();
    await store.close();
  };

  try {
    for (const extend of opts.extensions ?? serverExtensions) {
      const result = await extend(context);
      if (result.deps) extensionDeps = { ...extensionDeps, ...result.deps };
      if (result.services) services.push(...result.services);
    }
    // the app shares the core services the extensions and the demo see
    const core = { catalogue: context.catalogue, users: context.users, ingest: context.ingest };
    app = await buildApp({ ...extensionDeps, config, store, bus, logger, metrics, core });
    await app.listen({ port: config.port, host: config.host });
    for (const s of services) {
      await s.start();
      started.push(s);
    }
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, dataDir: config.dataDir, services: services.map((s) => s.name) }, 'attune is serving');
  return { url, port, app, context, services, close };
}
