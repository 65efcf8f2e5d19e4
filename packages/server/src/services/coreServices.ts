import type { AttuneConfig } from '../config/schema.ts';
import type { Bus } from '../ports/bus.ts';
import type { Store } from '../ports/store.ts';
import type { Metrics } from '../metrics.ts';
import { CatalogueService } from './catalogueService.ts';
import { IngestService } from './ingestService.ts';
import { UserService } from './userService.ts';

export interface CoreServices {
  catalogue: CatalogueService;
  users: UserService;
  ingest: IngestService;
}

/** The write paths every entry point shares: the API, `attune import` and `attune demo`. */
export function createCoreServices(deps: { config: AttuneConfig; store: Store; bus: Bus; metrics?: Metrics }): CoreServices {
  const ingestOpts: { maxBatch: number; metrics?: Metrics } = { maxBatch: deps.config.events.maxBatch };
  if (deps.metrics) ingestOpts.metrics = deps.metrics;
  return {
    catalogue: new CatalogueService(deps.store, deps.bus),
    users: new UserService(deps.store, deps.bus),
    ingest: new IngestService(deps.store, deps.bus, ingestOpts),
  };
}
