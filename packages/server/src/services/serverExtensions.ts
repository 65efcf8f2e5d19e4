import type { AttuneConfig } from '../config/schema.ts';
import type { AppExtensions } from '../appContext.ts';
import type { Bus } from '../ports/bus.ts';
import type { OnlineState } from '../ports/onlineState.ts';
import type { Store } from '../ports/store.ts';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import type { CoreServices } from './coreServices.ts';
import { feedbackExtension } from './feedbackExtension.ts';
import { servingExtension } from './serving/servingExtension.ts';

/** What a server extension gets: the open store, the bus, config, logger, metrics, core services. */
export interface ServerContext extends CoreServices {
  config: AttuneConfig;
  store: Store;
  bus: Bus;
  logger: Logger;
  metrics: Metrics;
  /** the configured online state (startServer opens it; absent: the extension makes its own) */
  online?: OnlineState;
}

/** A background service (trainer, real-time updater …): started after listen, stopped before the store closes. */
export interface BackgroundService {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface ServerExtensionResult {
  /** values for the app's route plugins (see AppExtensions in appContext.ts) */
  deps?: Partial<AppExtensions>;
  services?: BackgroundService[];
}

export type ServerExtension = (ctx: ServerContext) => Promise<ServerExtensionResult> | ServerExtensionResult;

/**
 * Everything `attune serve` runs besides the core API. Add yours here: it is called once per
 * startServer with the open store, and its services are started in order (stopped in reverse).
 */
export const serverExtensions: ServerExtension[] = [servingExtension, feedbackExtension];
