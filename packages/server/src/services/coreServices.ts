import type { AttuneConfig } from '../config/schema.ts';
import type { Bus } from '../ports/bus.ts';
import type { Store } from '../ports/store.ts';
import type { Metrics } from '../metrics.ts';
import type { OnlineState } from '../ports/onlineState.ts';
import { CatalogueService } from './catalogueService.ts';
import { IngestService } from './ingestService.ts';
import { UserService } from './userService.ts';

export interface CoreServices {
  catalogue: CatalogueService;
  users: UserService;
  ingest: IngestService;
}

/** The write paths every entry point shares: the API, `attune import` and `attune demo`. */
/**
 * `online`: pass the shared online state when the bus is networked (see IngestService's
 * `online`); with the in-process bus the subscribers already run before publish resolves.
 */
export function createCoreServices(deps: { config: AttuneConfig; store: Store; bus: Bus; metrics?: Metrics; online?: OnlineState }): CoreServices {
  const ingestOpts: { maxBatch: number; metrics?: Metrics; online?: OnlineState } = { maxBatch: deps.config.events.maxBatch };
  if (deps.metrics) ingestOpts.metrics = deps.metrics;
  if (deps.online) ingestOpts.online = deps.online;
  return {
    catalogue: new CatalogueService(deps.store, deps.bus),
    users: new UserService(deps.store, deps.bus, deps.online),
    ingest: new IngestService(deps.store, deps.bus, ingestOpts),
  };
}
