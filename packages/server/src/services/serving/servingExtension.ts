import { SqliteStore } from '../../adapters/sqlite/sqliteStore.ts';
import { workerRunner, type TrainingRunner } from '../../jobs/runTraining.ts';
import type { ServerContext, ServerExtension } from '../serverExtensions.ts';
import { createServingServices, type ServingOptions } from './servingServices.ts';

/**
 * Plugs serving into `startServer`: the recommendation service for the routes, and one
 * background service that loads the catalogue and model, follows the bus and runs the
 * trainer. Training runs in a worker thread whenever the store is one the worker can open
 * itself (a SQLite file, PostgreSQL); otherwise (in-memory stores) on the server thread.
 */
export const servingExtension: ServerExtension = (ctx) => servingExtensionWith({})(ctx);

/** The same extension with serving options set (benchmarks, tests). */
export function servingExtensionWith(options: Pick<ServingOptions, 'listCacheMs'>): ServerExtension {
  return (ctx) => {
    const { store } = ctx;
    const runner = trainingRunnerFor(ctx);
    const serving = createServingServices({
      ...options,
      config: ctx.config,
      store,
      bus: ctx.bus,
      metrics: ctx.metrics,
      logger: ctx.logger,
      role: ctx.config.role,
      ...(runner ? { runner } : {}),
      ...(ctx.online ? { online: ctx.online } : {}),
    });
    return {
      deps: { serving },
      services: [{ name: 'serving', start: () => serving.start(), stop: () => serving.stop() }],
    };
  };
}

/**
 * A worker thread for any store it can open itself: a SQLite file, or the configured PostgreSQL
 * (its own pool of 2: one reads events, one spare). Otherwise (in-memory stores) undefined.
 */
function trainingRunnerFor(ctx: ServerContext): TrainingRunner | undefined {
  const { store, config } = ctx;
  if (store instanceof SqliteStore) return store.path !== ':memory:' ? workerRunner(store.path) : undefined;
  const pg = config.store.postgres;
  if (config.store.kind === 'postgres' && pg.url) return workerRunner({ kind: 'postgres', url: pg.url, schema: pg.schema, poolSize: 2 });
  return undefined;
}
