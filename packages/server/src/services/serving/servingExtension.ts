import { SqliteStore } from '../../adapters/sqlite/sqliteStore.ts';
import { workerRunner } from '../../jobs/runTraining.ts';
import type { ServerExtension } from '../serverExtensions.ts';
import { createServingServices, type ServingOptions } from './servingServices.ts';

/**
 * Plugs serving into `startServer`: the recommendation service for the routes, and one
 * background service that loads the catalogue and model, follows the bus and runs the
 * trainer. Training runs in a worker thread whenever the store is a SQLite file the worker
 * can open itself; otherwise (in-memory stores) on the server thread.
 */
export const servingExtension: ServerExtension = (ctx) => servingExtensionWith({})(ctx);

/** The same extension with serving options set (benchmarks, tests). */
export function servingExtensionWith(options: Pick<ServingOptions, 'listCacheMs'>): ServerExtension {
  return (ctx) => {
    const { store } = ctx;
    const runner = store instanceof SqliteStore && store.path !== ':memory:' ? workerRunner(store.path) : undefined;
    const serving = createServingServices({ ...options, config: ctx.config, store, bus: ctx.bus, metrics: ctx.metrics, logger: ctx.logger, ...(runner ? { runner } : {}) });
    return {
      deps: { serving },
      services: [{ name: 'serving', start: () => serving.start(), stop: () => serving.stop() }],
    };
  };
}
