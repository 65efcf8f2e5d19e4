import { MemoryOnlineState } from '../../adapters/memory/onlineState.ts';
import type { AttuneConfig } from '../../config/schema.ts';
import { inlineRunner, type TrainingRunner } from '../../jobs/runTraining.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import type { Bus } from '../../ports/bus.ts';
import type { OnlineState } from '../../ports/onlineState.ts';
import type { Store } from '../../ports/store.ts';
import { CatalogCache } from '../catalogCache.ts';
import { ModelRegistry } from '../modelRegistry.ts';
import { RealtimeUpdater } from '../realtime.ts';
import { RecommendationService } from '../recommendations.ts';
import { Trainer } from '../trainer.ts';
import { scenariosFor, type ScenarioService } from '../scenarios/scenarioService.ts';
import { Attribution } from './attribution.ts';
import { ImpressionLog, migrateLegacyImpressions } from './impressionLog.ts';
import { UserCache } from './userCache.ts';

/** Everything the serving side adds to the app: built once per server, started and stopped with it. */
export interface ServingServices {
  online: OnlineState;
  catalog: CatalogCache;
  registry: ModelRegistry;
  impressions: ImpressionLog;
  recommender: RecommendationService;
  realtime: RealtimeUpdater;
  trainer: Trainer;
  /** user-defined scenarios (shared with the /v1/scenarios routes) */
  scenarios: ScenarioService;
  /** a recommendation's shown list and the events attributed to it */
  attribution: Attribution;
  /** loads the catalogue and the serving model, subscribes to the bus, starts the trainer */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServingOptions {
  config: AttuneConfig;
  store: Store;
  bus: Bus;
  metrics?: Metrics;
  logger?: Logger;
  online?: OnlineState;
  /** how training runs; defaults to the calling thread (server.ts passes the worker runner) */
  runner?: TrainingRunner;
  clock?: () => number;
  /** see RecommendationServiceDeps.listCacheMs */
  listCacheMs?: number;
  /**
   * Scale-out role (config.role; default 'all'). 'api' never trains and leaves 'events.accepted'
   * to the worker group (the ingest path already wrote the shared online state), so event
   * counters and the trainer's event count advance once per deployment, not once per replica.
   * Every role reloads the serving model when another node promotes one ('models.promoted').
   */
  role?: 'all' | 'api' | 'worker';
}

declare module '../../appContext.ts' {
  interface AppExtensions {
    serving: ServingServices;
  }
}

export function createServingServices(opts: ServingOptions): ServingServices {
  const { config, store, bus, metrics, logger } = opts;
  const clock = opts.clock ?? Date.now;
  const onError = (err: unknown): void => logger?.error({ err }, 'serving background task failed');
  const online = opts.online ?? new MemoryOnlineState();
  const catalog = new CatalogCache(store);
  const registry = new ModelRegistry();
  const impressions = new ImpressionLog(store, online, { onError, clock });
  const users = new UserCache(store);
  const scenarios = scenariosFor(store);
  const attribution = new Attribution(store, online, impressions);
  const recommender = new RecommendationService({ registry, catalog, online, impressions, users, scenarios, clock, ...(opts.listCacheMs === undefined ? {} : { listCacheMs: opts.listCacheMs }) });
  const t = config.training;
  const role = opts.role ?? 'all';
  const trainer = new Trainer({
    store,
    registry,
    online,
    runner: opts.runner ?? inlineRunner(store),
    clock,
    settings: {
      enabled: t.enabled && role !== 'api',
      intervalSeconds: t.intervalSeconds,
      afterNewEvents: t.afterNewEvents,
      model: t.model,
      params: t.params,
      typeWeights: config.events.typeWeights,
      defaultWeight: config.events.defaultWeight,
    },
    hooks: {
      onError,
      onRunFinished: (job, outcome, ms) => {
        metrics?.trainingDurationSeconds.set(ms / 1000);
        metrics?.trainingRuns.inc({ outcome: job.status === 'failed' ? 'failed' : outcome?.promote ? 'promoted' : 'rejected' });
        logger?.info({ job: job.id, status: job.status, version: job.version, promoted: job.promoted, note: job.note, error: job.error, ms }, 'training run finished');
        if (job.promoted && job.version !== undefined) bus.publish('models.promoted', { version: job.version }).catch(onError);
      },
    },
  });
  const realtime = new RealtimeUpdater({ online, catalog, onEventsCounted: (n) => trainer.noteEvents(n) });
  const unsubscribe: Array<() => void> = [];
  let ageTimer: NodeJS.Timeout | undefined;
  let modelPoll: NodeJS.Timeout | undefined;
  // one reload at a time, so a slow load never swaps an older version over a newer one
  let reloading: Promise<void> = Promise.resolve();
  const reloadModel = (version: number): Promise<void> =>
    (reloading = reloading
      .then(async () => {
        // our own promotion (already swapped in) comes back too: load only what is newer
        if ((registry.serving?.version ?? 0) < version) await registry.loadServing(store);
      })
      .catch(onError));

  return {
    online,
    catalog,
    registry,
    impressions,
    recommender,
    realtime,
    trainer,
    scenarios,
    attribution,
    async start() {
      if (role !== 'api') unsubscribe.push(bus.subscribe('events.accepted', (m) => realtime.eventsAccepted(m.events)));
      unsubscribe.push(
        bus.subscribe('models.promoted', (m) => reloadModel(m.version)),
        bus.subscribe('items.changed', (m) => realtime.itemsChanged(m.ids)),
        bus.subscribe('schema.changed', () => catalog.schemaChanged()),
        bus.subscribe('users.deleted', (m) => {
          users.forget(m.userId);
          // erasure covers the lists shown to them (idempotent: every node receives this)
          impressions
            .flush()
            .then(() => store.deleteShownLists({ userId: m.userId }))
            .catch(onError);
          return realtime.userDeleted(m.userId);
        }),
        bus.subscribe('users.merged', (m) => {
          users.forget(m.fromUserId);
          users.forget(m.intoUserId);
          return realtime.usersMerged(m.fromUserId, m.intoUserId);
        }),
        bus.subscribe('users.changed', (m) => users.forget(m.userId)),
      );
      await catalog.refresh();
      await scenarios.ready();
      // lists logged as documents by earlier versions move into the recommendation-log table
      const migrated = await migrateLegacyImpressions(store);
      if (migrated > 0) logger?.info({ lists: migrated }, 'recommendation log: legacy documents migrated');
      await trainer.start();
      if (role === 'api') {
        // a backstop for a 'models.promoted' an API node missed (it was reconnecting to NATS)
        modelPoll = setInterval(() => {
          newestServingVersion(store)
            .then((v) => (v !== undefined ? reloadModel(v) : undefined))
            .catch(onError);
        }, MODEL_POLL_MS);
        modelPoll.unref();
      }
      if (metrics) {
        const age = (): void => {
          const sm = registry.serving;
          if (sm) metrics.modelAgeSeconds.set(Math.max(0, (clock() - sm.trainedAt) / 1000));
        };
        age();
        ageTimer = setInterval(age, 5_000);
        ageTimer.unref();
      }
    },
    async stop() {
      for (const u of unsubscribe.splice(0)) u();
      if (ageTimer) clearInterval(ageTimer);
      if (modelPoll) clearInterval(modelPoll);
      await reloading;
      await trainer.stop();
      await impressions.flush();
    },
  };
}

/** How often an API node checks the store for a promoted model it was not told about. */
const MODEL_POLL_MS = 60_000;

async function newestServingVersion(store: Store): Promise<number | undefined> {
  let newest: number | undefined;
  for (const v of await store.listModelVersions()) if (v.status === 'serving' && (newest === undefined || v.version > newest)) newest = v.version;
  return newest;
}
