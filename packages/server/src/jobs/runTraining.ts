import { Worker } from 'node:worker_threads';
import type { StoreConfig } from '../adapters/factory.ts';
import type { Store } from '../ports/store.ts';
import { collectEvents, trainOnEvents, type TrainOutcome, type TrainSpec } from '../services/training/trainCore.ts';
import { collectCatalog } from '../services/training/catalogIndexes.ts';
import { collectImpressions } from '../services/training/engagementIndex.ts';
import { fullCollector } from './garbageCollection.ts';
import type { WorkerReply } from './workerMessages.ts';

export type ProgressListener = (fraction: number, message: string) => void;

/** Runs one training job and resolves with its outcome. */
export type TrainingRunner = (spec: TrainSpec, onProgress: ProgressListener, signal?: AbortSignal) => Promise<TrainOutcome>;

/**
 * Trains in a worker thread that opens the store itself (a SQLite file path, or a store
 * configuration such as PostgreSQL's): the server thread only receives the finished artifact.
 */
export function workerRunner(store: string | StoreConfig): TrainingRunner {
  const storeData = typeof store === 'string' ? { storePath: store } : { storeConfig: store };
  return (spec, onProgress, signal) =>
    new Promise<TrainOutcome>((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('training cancelled'));
      const worker = new Worker(new URL('./tsWorkerBoot.mjs', import.meta.url), {
        workerData: { entry: new URL('./trainWorker.ts', import.meta.url).href, ...storeData, spec },
      });
      let settled = false;
      // shutdown must not wait for a long fit: stop the thread, the run is simply not recorded
      signal?.addEventListener('abort', () => {
        if (settled) return;
        settled = true;
        reject(new Error('training cancelled'));
        void worker.terminate();
      });
      worker.on('message', (m: WorkerReply) => {
        if (m.kind === 'progress') onProgress(m.fraction, m.message);
        else if (m.kind === 'done') {
          settled = true;
          resolve(m.outcome);
        } else {
          settled = true;
          reject(new Error(`training failed: ${m.message}`));
        }
      });
      worker.on('error', (err) => {
        if (!settled) reject(err);
        settled = true;
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new Error(`training worker exited with code ${code}`));
        settled = true;
      });
    });
}

/**
 * Trains on the calling thread, over any Store: for the CLI (nothing to keep responsive) and
 * for stores a worker cannot open by path (in-memory ones).
 */
export function inlineRunner(store: Store): TrainingRunner {
  return async (spec, onProgress, signal) => {
    onProgress(0, 'reading events');
    if (signal?.aborted) throw new Error('training cancelled');
    // the shown lists first: events engaging with lists outside them are not kept
    const impressions = await collectImpressions(store);
    const shownLists = new Set(impressions.map((i) => i.recommendationId));
    const data = await collectEvents(store.scanEvents({ batchSize: 20_000 }), await store.countEvents(), { shownLists });
    data.catalog = await collectCatalog(store);
    data.impressions = impressions;
    // the scan's pages of event objects are garbage now: gone before training allocates
    const collectGarbage = fullCollector();
    collectGarbage();
    return trainOnEvents(data, spec, onProgress, Date.now, collectGarbage);
  };
}
