import type { FastifyInstance } from 'fastify';
import type { AttuneConfig } from './config/schema.ts';
import type { Bus } from './ports/bus.ts';
import type { Store } from './ports/store.ts';
import type { Metrics } from './metrics.ts';
import type { Logger } from './logger.ts';
import type { CatalogueService } from './services/catalogueService.ts';
import type { UserService } from './services/userService.ts';
import type { IngestService } from './services/ingestService.ts';

/**
 * Services other modules add to the app (recommendations, trainer status …). Extend it with
 * declaration merging in your own module, then pass the value in `buildApp(deps)` or return it
 * from a server extension (services/serverExtensions.ts):
 *
 *   declare module '../appContext.ts' { interface AppExtensions { recommender: RecommendationService } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppExtensions {}

/** What buildApp needs; logger and metrics are created when absent. */
export interface AppDeps extends Partial<AppExtensions> {
  config: AttuneConfig;
  store: Store;
  bus: Bus;
  logger?: Logger;
  metrics?: Metrics;
  /** the route modules to register; default every one of routes/index.ts (the worker role serves fewer) */
  routes?: ReadonlyArray<(app: FastifyInstance, ctx: AppContext) => Promise<void> | void>;
  /** the catalogue/users/ingest services, when the caller already made them (startServer) */
  core?: { catalogue: CatalogueService; users: UserService; ingest: IngestService };
}

/** What every route plugin receives: the deps plus the core services built from them. */
export interface AppContext extends Partial<AppExtensions> {
  config: AttuneConfig;
  store: Store;
  bus: Bus;
  logger: Logger;
  metrics: Metrics;
  catalogue: CatalogueService;
  users: UserService;
  ingest: IngestService;
}
