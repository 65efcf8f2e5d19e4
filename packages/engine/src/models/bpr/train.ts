import { bprSgd, type BprState } from './sgd.ts';
import { trainBprWasm } from './wasmBpr.ts';

export interface BprJob {
  state: BprState;
  epochs: number;
  learningRate: number;
  regularization: number;
  /** SGD samples per epoch (default: one per stored interaction) */
  samplesPerEpoch: number;
  seed: number;
  onProgress?: (fraction: number, message?: string) => void;
}

/**
 * Runs the SGD epochs. Injected so that a Node server can run Hogwild over worker threads
 * (models/bpr/hogwildNode.ts) while the pure core keeps this single-thread path.
 */
export type BprTrainer = (job: BprJob) => void | Promise<void>;

export function trainBprJs(job: BprJob): void {
  for (let e = 0; e < job.epochs; e++) {
    const correct = bprSgd(job.state, {
      learningRate: job.learningRate,
      regularization: job.regularization,
      samples: job.samplesPerEpoch,
      seed: job.seed * 7919 + e + 1,
    });
    job.onProgress?.((e + 1) / job.epochs, `BPR epoch ${e + 1}/${job.epochs}: ${(100 * correct).toFixed(1)} % of samples ranked correctly`);
  }
}

/** The default trainer: WASM SIMD in this thread when available, the JS reference otherwise. */
export function trainBprDefault(job: BprJob): void {
  if (!trainBprWasm(job)) trainBprJs(job);
}
