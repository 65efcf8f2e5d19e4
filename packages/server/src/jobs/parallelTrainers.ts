import { getFactory, registerModel } from '@attune/engine/models/registry';
import { ImplicitAls } from '@attune/engine/models/als/als';
import { alsNodeTrainer } from '@attune/engine/models/als/alsNode';
import { trainAlsDefault, type AlsTrainer } from '@attune/engine/models/als/train';
import { Bpr } from '@attune/engine/models/bpr/bpr';
import { hogwildTrainer } from '@attune/engine/models/bpr/hogwildNode';
import { trainBprDefault, type BprTrainer } from '@attune/engine/models/bpr/train';

/**
 * Below this many stored interactions a fit stays on its thread: starting workers and copying
 * the matrices to them costs more than the second core saves (an ALS iteration over 1M entries
 * takes ~0.3 s on one core).
 */
export const PARALLEL_MIN_ENTRIES = 1_000_000;

/** ALS over worker threads for large matrices, the engine's single-thread trainer otherwise. */
export function parallelAlsTrainer(minEntries = PARALLEL_MIN_ENTRIES, parallel: AlsTrainer = alsNodeTrainer()): AlsTrainer {
  return (job) => (job.userItems.indices.length >= minEntries ? parallel(job) : trainAlsDefault(job));
}

/** BPR with Hogwild over worker threads for large matrices, single-thread SGD otherwise. */
export function parallelBprTrainer(minEntries = PARALLEL_MIN_ENTRIES, parallel: BprTrainer = hogwildTrainer()): BprTrainer {
  return (job) => (job.samplesPerEpoch >= minEntries ? parallel(job) : trainBprDefault(job));
}

let installed = false;

/**
 * Makes every ALS and BPR model created on this Node host (CLI, server trainer, blends and tuning
 * trials, which all create through the registry) fit over both cores when the data is large.
 * The engine's own factories stay single-threaded so the engine runs in a browser unchanged.
 * Idempotent: the CLI and the training worker both call it.
 */
export function installParallelTrainers(): void {
  if (installed) return;
  installed = true;
  const als = getFactory('als');
  const bpr = getFactory('bpr');
  const alsTrainer = parallelAlsTrainer();
  const bprTrainer = parallelBprTrainer();
  registerModel({ ...als, create: (params) => withTrainer(als.create(params), alsTrainer, bprTrainer) });
  registerModel({ ...bpr, create: (params) => withTrainer(bpr.create(params), alsTrainer, bprTrainer) });
}

function withTrainer<T>(model: T, als: AlsTrainer, bpr: BprTrainer): T {
  if (model instanceof ImplicitAls) model.useTrainer(als);
  else if (model instanceof Bpr) model.useTrainer(bpr);
  return model;
}
