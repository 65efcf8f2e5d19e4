// Worker-thread side of hogwildNode.ts: runs BPR SGD on shared arrays without locks, either the
// WASM kernel on a shared WebAssembly memory or the JS loop on SharedArrayBuffers. Node-only.
import { parentPort, workerData } from 'node:worker_threads';
import { bprSgd, type BprState } from './sgd.ts';
import { instantiateShared, runSgd, type BprLayout } from './wasmBpr.ts';

export type HogwildInit =
  | { kind: 'wasm'; thread: number; module: WebAssembly.Module; memory: WebAssembly.Memory; layout: BprLayout }
  | {
      kind: 'js';
      rows: number;
      cols: number;
      factors: number;
      /** SharedArrayBuffers behind each array of the BprState */
      buffers: { indptr: SharedArrayBuffer; indices: SharedArrayBuffer; entryUser: SharedArrayBuffer; userFactors: SharedArrayBuffer; itemFactors: SharedArrayBuffer; itemBias: SharedArrayBuffer };
    };

export interface HogwildRequest {
  learningRate: number;
  regularization: number;
  samples: number;
  seed: number;
}

const init = workerData as HogwildInit;
const port = parentPort;
if (!port) throw new Error('hogwild worker started outside a worker thread');
let run: (m: HogwildRequest) => number;
if (init.kind === 'wasm') {
  const k = instantiateShared(init.module, init.memory);
  run = (m) => runSgd(k, init.memory.buffer, init.layout, m, init.thread);
} else {
  const b = init.buffers;
  const state: BprState = {
    matrix: { rows: init.rows, cols: init.cols, indptr: new Int32Array(b.indptr), indices: new Int32Array(b.indices), data: new Float32Array(0) },
    entryUser: new Int32Array(b.entryUser),
    userFactors: new Float32Array(b.userFactors),
    itemFactors: new Float32Array(b.itemFactors),
    itemBias: new Float32Array(b.itemBias),
    factors: init.factors,
  };
  run = (m) => bprSgd(state, m);
}
port.on('message', (m: HogwildRequest) => port.postMessage(run(m)));
port.postMessage('ready');
