import { parentPort, workerData } from 'node:worker_threads';
import { createStore, type StoreConfig } from '../adapters/factory.ts';
import { collectEvents, trainOnEvents, type TrainSpec } from '../services/training/trainCore.ts';
import { collectCatalog } from '../services/training/catalogIndexes.ts';
import { collectImpressions } from '../services/training/engagementIndex.ts';
import { fullCollector } from './garbageCollection.ts';
import { installParallelTrainers } from './parallelTrainers.ts';
import type { WorkerReply } from './workerMessages.ts';

/**
 * The training worker: opens its own connection to the store (SQLite's WAL lets it read while
 * the server writes; PostgreSQL gets a small pool of its own), trains, and posts the artifact back. All the CPU-heavy work runs
 * here so the serving thread never stalls.
 */
const { storePath, storeConfig, spec } = workerData as { storePath?: string; storeConfig?: StoreConfig; spec: TrainSpec };
const port = parentPort;
if (!port) throw new Error('trainWorker must run in a worker thread');
// a worker thread has its own module registry: install the host's trainers here too
installParallelTrainers();

const send = (m: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

try {
  // the factory imports only the selected adapter: a PostgreSQL worker never loads better-sqlite3
  const store = await createStore(storeConfig ?? { kind: 'sqlite', path: storePath ?? '' });
  send({ kind: 'progress', fraction: 0, message: 'reading events' });
  // the shown lists first: events engaging with lists outside them are not kept
  const impressions = await collectImpressions(store);
  const shownLists = new Set(impressions.map((i) => i.recommendationId));
  const data = await collectEvents(store.scanEvents({ batchSize: 20_000 }), await store.countEvents(), { shownLists });
  data.catalog = await collectCatalog(store);
  data.impressions = impressions;
  await store.close();
  // the scan's pages of event objects are garbage now: gone before training allocates
  const collectGarbage = fullCollector();
  collectGarbage();
  const outcome = await trainOnEvents(data, spec, (fraction, message) => send({ kind: 'progress', fraction, message }), Date.now, collectGarbage);
  send({ kind: 'done', outcome }, [outcome.artifact.buffer as ArrayBuffer]);
} catch (err) {
  send({ kind: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
