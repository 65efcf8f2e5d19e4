import { row, type CsrMatrix } from '../../data/csr.ts';
import { cgScratch, cgUpdateRows } from './cg.ts';
import { exactSolve } from './exact.ts';
import { regularizedGram } from './gram.ts';
import { trainAlsWasm } from './wasmAls.ts';

/** Everything one ALS fit needs; factor matrices are updated in place. */
export interface AlsJob {
  /** users × items confidence values (raw values; confidence = 1 + α·value) */
  userItems: CsrMatrix;
  /** the transpose: items × users */
  itemUsers: CsrMatrix;
  /** users × factors, row-major, initialised by the caller */
  userFactors: Float32Array;
  /** items × factors, row-major, initialised by the caller */
  itemFactors: Float32Array;
  factors: number;
  iterations: number;
  regularization: number;
  alpha: number;
  /** CG steps per row and half step; 0 solves each row exactly (Cholesky) */
  cgSteps: number;
  onProgress?: (fraction: number, message?: string) => void;
}

/**
 * Runs the alternating half steps. Injected so that the Node server can run them over worker
 * threads and WASM while the pure core keeps this single-thread JS reference.
 */
export type AlsTrainer = (job: AlsJob) => void | Promise<void>;

/**
 * Single-thread JS trainer. Each iteration solves the items, then the users, so the final user
 * factors are consistent with the final item factors (a user's fold-in reproduces its row).
 */
/** The default trainer: WASM SIMD in this thread when available, the plain JS reference otherwise. */
export function trainAlsDefault(job: AlsJob): void {
  if (!trainAlsWasm(job)) trainAlsJs(job);
}

export function trainAlsJs(job: AlsJob): void {
  for (let it = 0; it < job.iterations; it++) {
    solveSide(job, job.itemUsers, job.userFactors, job.itemFactors);
    solveSide(job, job.userItems, job.itemFactors, job.userFactors);
    job.onProgress?.((it + 1) / job.iterations, `ALS iteration ${it + 1}/${job.iterations}`);
  }
}

/** Solves every row of `x` against the fixed `y` (rows of `m` index rows of `x`). */
export function solveSide(job: AlsJob, m: CsrMatrix, y: Float32Array, x: Float32Array): void {
  const f = job.factors;
  const gram = regularizedGram(y, m.cols, f, job.regularization);
  if (job.cgSteps > 0) {
    cgUpdateRows(m, y, x, gram, f, job.alpha, job.cgSteps, 0, m.rows, cgScratch(f));
    return;
  }
  for (let u = 0; u < m.rows; u++) x.set(exactSolve(row(m, u), y, gram, f, job.alpha, m.cols), u * f);
}
