import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { call, startTsWorker } from '../als/nodeWorker.ts';
import type { HogwildInit, HogwildRequest } from './hogwildWorker.ts';
import { trainBprDefault, type BprJob, type BprTrainer } from './train.ts';
import { bprLayout, bprWasmAvailable, copyIn, copyOut, MAX_THREADS, sharedBprModule } from './wasmBpr.ts';

export interface HogwildOptions {
  /** worker threads (default: available parallelism) */
  threads?: number;
  /** use the WASM kernel on a shared memory when available (default true); false forces JS */
  wasm?: boolean;
}

/**
 * BPR with Hogwild (Recht et al. 2011) over worker threads, Node only: every worker runs SGD on
 * the same SharedArrayBuffer-backed factors without locks, each with its share of the epoch's
 * samples and its own seed. Sparse updates rarely collide, so this converges like the serial
 * run; results are not bit-reproducible across runs. Uses the WASM kernel on a shared
 * WebAssembly memory when it can, else the JS loop on SharedArrayBuffers; one thread falls back
 * to the single-thread default trainer.
 */
export function hogwildTrainer(opts: HogwildOptions = {}): BprTrainer {
  return async (job: BprJob) => {
    const threads = Math.min(MAX_THREADS, Math.max(1, opts.threads ?? availableParallelism()));
    if (threads === 1) return trainBprDefault(job);
    const s = job.state;
    const inits: HogwildInit[] = [];
    let finish: () => void;
    const layout = bprWasmAvailable(s.factors) && opts.wasm !== false ? bprLayout(s) : null;
    const shared = layout ? sharedBprModule(layout) : null;
    if (layout && shared) {
      copyIn(shared.memory.buffer, layout, s);
      for (let t = 0; t < threads; t++) inits.push({ kind: 'wasm', thread: t, module: shared.module, memory: shared.memory, layout });
      finish = () => copyOut(shared.memory.buffer, layout, s);
    } else {
      const share = <T extends Int32Array | Float32Array>(a: T): SharedArrayBuffer => {
        const sab = new SharedArrayBuffer(a.byteLength);
        new (a.constructor as { new (b: SharedArrayBuffer): T })(sab).set(a);
        return sab;
      };
      const buffers = {
        indptr: share(s.matrix.indptr),
        indices: share(s.matrix.indices),
        entryUser: share(s.entryUser),
        userFactors: share(s.userFactors),
        itemFactors: share(s.itemFactors),
        itemBias: share(s.itemBias),
      };
      for (let t = 0; t < threads; t++) inits.push({ kind: 'js', rows: s.matrix.rows, cols: s.matrix.cols, factors: s.factors, buffers });
      finish = () => {
        s.userFactors.set(new Float32Array(buffers.userFactors));
        s.itemFactors.set(new Float32Array(buffers.itemFactors));
        s.itemBias.set(new Float32Array(buffers.itemBias));
      };
    }
    const workers: Worker[] = [];
    try {
      for (const init of inits) workers.push(startTsWorker(new URL('./hogwildWorker.ts', import.meta.url), init));
      await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))));
      const per = Math.ceil(job.samplesPerEpoch / workers.length);
      for (let e = 0; e < job.epochs; e++) {
        const correct = await Promise.all(
          workers.map((w, t) => call<number>(w, { learningRate: job.learningRate, regularization: job.regularization, samples: per, seed: (job.seed * 7919 + e + 1) * 31 + t } satisfies HogwildRequest)),
        );
        const avg = correct.reduce((a, b) => a + b, 0) / correct.length;
        job.onProgress?.((e + 1) / job.epochs, `BPR epoch ${e + 1}/${job.epochs}: ${(100 * avg).toFixed(1)} % of samples ranked correctly`);
      }
      finish();
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  };
}
