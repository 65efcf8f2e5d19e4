import { setFlagsFromString } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { busConfigOf, databasePath, onlineConfigOf, storeConfigOf } from './adapters/configured.ts';
import { createBus, createOnlineState, createStore, type OpenedOnlineState } from './adapters/factory.ts';
import { MemoryBus } from './adapters/memory/memoryBus.ts';
import { buildApp } from './app.ts';
import { databaseInUse } from './adapters/sqlite/databaseInUse.ts';
import { ConfigError } from './config/configError.ts';
import { deploymentIssues } from './config/schema.ts';
import type { AppExtensions } from './appContext.ts';
import type { AttuneConfig } from './config/schema.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import type { Bus } from './ports/bus.ts';
import type { OnlineState } from './ports/onlineState.ts';
import type { Store } from './ports/store.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/models.ts';
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
  /** use this online state instead of the configured one (not closed on close) */
  online?: OnlineState;
  /** defaults to the registered serverExtensions */
  extensions?: ServerExtension[];
}

export { databasePath } from './adapters/configured.ts';

/** startServer on an embedded database that another process has open. */
export class DataDirInUseError extends ConfigError {}

/** What the worker role serves over HTTP: health, readiness, metrics and the trainer's models API. */
const WORKER_ROUTES = [healthRoutes, modelRoutes];

/**
 * Opens the configured store, bus and online state (SQLite + in-process bus + memory by
 * default; PostgreSQL, NATS and Redis for scale-out), builds the app for the role, starts
 * background services and listens.
 */
export async function startServer(config: AttuneConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const issues = deploymentIssues(config);
  if (issues.length > 0) throw new ConfigError(`invalid configuration: ${issues.join('; ')}`);
  // two servers on one embedded database would each keep their own catalogue, users, scenarios
  // and real-time state in memory, and neither would see what the other was sent
  if (!opts.store && config.store.kind === 'sqlite' && (await databaseInUse(databasePath(config.dataDir)))) {
    throw new DataDirInUseError(
      `${databasePath(config.dataDir)} is open in another process (another attune serve?): stop it or pass another --data. ` +
        'Several API nodes share PostgreSQL, Redis and NATS instead: see docs/deployment.md',
    );
  }
  // V8 reads this flag each time it sets the next full collection's threshold, so it applies
  // from the next collection on (the whole process: a second server in it sets it again)
  setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
  const logger = opts.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const { store, bus, onlineState } = await openAdapters(config, opts, logger);
  const online = onlineState.online;
  // a networked bus runs subscribers after publish resolves: the write paths update the shared
  // online state themselves so a POST's effect is visible on every node when it answers
  const networked = !(bus instanceof MemoryBus);
  const core = createCoreServices({ config, store, bus, metrics, ...(networked ? { online } : {}) });
  const context: ServerContext = { config, store, bus, logger, metrics, online, ...core };

  const services: BackgroundService[] = [];
  let extensionDeps: Partial<AppExtensions> = {};
  const started: BackgroundService[] = [];
  let app: FastifyInstance | undefined;
  const close = async (): Promise<void> => {
    // 1. stop accepting and let in-flight requests finish
    if (app) {
      const server = app.server;
      const closed = app.close();
      // Node closes the connections idle when the close begins; one busy then keeps its
      // keep-alive after its answer and held the shutdown for Fastify's 72 s keepAliveTimeout
      // (past the 30 s a container orchestrator waits by default): reap each once it is idle
      const reaper = setInterval(() => server.closeIdleConnections(), 50);
      try {
        await closed;
      } finally {
        clearInterval(reaper);
      }
    }
    // 2. background services, newest first
    for (const s of [...started].reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.error({ err, service: s.name }, 'service failed to stop');
      }
    }
    // 3. then the bus, the online state and the database
    await bus.close();
    await onlineState.close();
    await store.close();
    metrics.close();
  };

  try {
    for (const extend of opts.extensions ?? serverExtensions) {
      const result = await extend(context);
      if (result.deps) extensionDeps = { ...extensionDeps, ...result.deps };
      if (result.services) services.push(...result.services);
    }
    // the app shares the core services the extensions and the demo see
    const core = { catalogue: context.catalogue, users: context.users, ingest: context.ingest };
    app = await buildApp({ ...extensionDeps, config, store, bus, logger, metrics, core, ...(config.role === 'worker' ? { routes: WORKER_ROUTES } : {}) });
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
  logger.info({ url, role: config.role, store: config.store.kind, bus: config.bus.kind, online: config.online.kind, services: services.map((s) => s.name) }, 'attune is serving');
  return { url, port, app, context, services, close };
}

/** Opens what `opts` does not supply; on a failure closes what it already opened. */
async function openAdapters(config: AttuneConfig, opts: StartOptions, logger: Logger): Promise<{ store: Store; bus: Bus; onlineState: OpenedOnlineState }> {
  const opened: Array<() => Promise<void>> = [];
  try {
    const store = opts.store ?? (await createStore(storeConfigOf(config)));
    if (!opts.store) opened.push(() => store.close());
    const bus = opts.bus ?? (await createBus(busConfigOf(config), (err, topic) => logger.error({ err, topic }, 'bus subscriber failed')));
    if (!opts.bus) opened.push(() => bus.close());
    const onlineState = opts.online ? { online: opts.online, close: async () => {} } : await createOnlineState(onlineConfigOf(config));
    return { store, bus, onlineState };
  } catch (err) {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw err;
  }
}
