import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { CsrMatrix } from '../../data/csr.ts';
import { call, startTsWorker } from './nodeWorker.ts';
import { trainAlsDefault, type AlsJob, type AlsTrainer } from './train.ts';
import { addDiagonal, sliceRows, wasmAlsAvailable, type AlsSide, type RowSlice } from './wasmAls.ts';
import type { AlsWorkerInit } from './alsWorker.ts';

export interface AlsNodeOptions {
  /** worker threads (default: available parallelism, at most 2 halves per side each) */
  threads?: number;
}

/**
 * ALS over worker threads (Node only; a Node host passes it to ImplicitAls.useTrainer, as
 * bench/speed/als.ts does). Each worker owns a contiguous range of users and of items, balanced
 * by entries and rows (balancedCuts), and solves them with the WASM CG kernel in its own memory;
 * the factors are exchanged through SharedArrayBuffers and the Gram matrices are summed from
 * per-worker partial sums. Falls back to the single-thread trainer when WASM is unavailable or
 * one thread is asked for.
 */
export function alsNodeTrainer(opts: AlsNodeOptions = {}): AlsTrainer {
  return async (job: AlsJob) => {
    const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), job.userItems.rows, job.itemUsers.rows));
    if (threads === 1 || job.cgSteps === 0 || !wasmAlsAvailable(job.factors)) return trainAlsDefault(job);
    const f = job.factors;
    const sharedUsers = new SharedArrayBuffer(job.userFactors.byteLength);
    const sharedItems = new SharedArrayBuffer(job.itemFactors.byteLength);
    new Float32Array(sharedUsers).set(job.userFactors);
    new Float32Array(sharedItems).set(job.itemFactors);
    const userCuts = balancedCuts(job.userItems, threads);
    const itemCuts = balancedCuts(job.itemUsers, threads);
    const workers: Worker[] = [];
    try {
      for (let t = 0; t < threads; t++) {
        const init: AlsWorkerInit = {
          numUsers: job.userItems.rows,
          numItems: job.itemUsers.rows,
          f,
          alpha: job.alpha,
          steps: job.cgSteps,
          users: ownedCopy(sliceRows(job.userItems, userCuts[t] as number, userCuts[t + 1] as number)),
          items: ownedCopy(sliceRows(job.itemUsers, itemCuts[t] as number, itemCuts[t + 1] as number)),
          sharedUsers,
          sharedItems,
        };
        const w = startTsWorker(new URL('./alsWorker.ts', import.meta.url), init, [init.users.indices.buffer as ArrayBuffer, init.users.data.buffer as ArrayBuffer, init.items.indices.buffer as ArrayBuffer, init.items.data.buffer as ArrayBuffer]);
        workers.push(w);
      }
      await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))));
      const half = async (side: AlsSide): Promise<void> => {
        const other: AlsSide = side === 'users' ? 'items' : 'users';
        const parts = await Promise.all(workers.map((w) => call<Float32Array>(w, { op: 'gram', side: other })));
        const g = new Float32Array(f * f);
        for (const p of parts) for (let k = 0; k < g.length; k++) g[k] += p[k] as number;
        addDiagonal(g, f, job.regularization);
        await Promise.all(workers.map((w) => call<boolean>(w, { op: 'solve', side, gram: g })));
      };
      for (let it = 0; it < job.iterations; it++) {
        await half('items');
        await half('users');
        job.onProgress?.((it + 1) / job.iterations, `ALS iteration ${it + 1}/${job.iterations}`);
      }
      job.userFactors.set(new Float32Array(sharedUsers));
      job.itemFactors.set(new Float32Array(sharedItems));
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  };
}

/**
 * A row's own cost in entries: its f×f products with YᵀY + λI (one per CG step and the residual)
 * take about as long as the sparse passes over 8 entries (64 factors, measured). Cutting by entries
 * alone would give the worker with the many short rows (when popular items cluster at one end of
 * the index range) most of the dense work.
 */
export const ROW_COST = 8;

/** Row boundaries splitting a matrix in `parts` ranges of about equal entries + ROW_COST·rows. */
export function balancedCuts(m: CsrMatrix, parts: number): Int32Array {
  const cuts = new Int32Array(parts + 1);
  const total = m.indices.length + ROW_COST * m.rows;
  let r = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (r < m.rows && (m.indptr[r] as number) + ROW_COST * r < target) r++;
    cuts[p] = r;
  }
  cuts[parts] = m.rows;
  return cuts;
}

/** A slice whose arrays own their buffers, so posting it copies only the slice. */
function ownedCopy(s: RowSlice): RowSlice {
  return { start: s.start, end: s.end, indptr: s.indptr, indices: s.indices.slice(), data: s.data.slice() };
}
