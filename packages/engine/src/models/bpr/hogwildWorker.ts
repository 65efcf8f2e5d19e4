// Worker-thread side of hogwildNode.ts: runs BPR SGD on the shared arrays without locks. Node-only.
import { parentPort, workerData } from 'node:worker_threads';
import { bprSgd, type BprState } from './sgd.ts';

export interface HogwildInit {
  rows: number;
  cols: number;
  factors: number;
  /** SharedArrayBuffers behind each array of the BprState */
  buffers: { indptr: SharedArrayBuffer; indices: SharedArrayBuffer; entryUser: SharedArrayBuffer; userFactors: SharedArrayBuffer; itemFactors: SharedArrayBuffer; itemBias: SharedArrayBuffer };
}

export interface HogwildRequest {
  learningRate: number;
  regularization: number;
  samples: number;
  seed: number;
}

const init = workerData as HogwildInit;
const b = init.buffers;
const state: BprState = {
  matrix: { rows: init.rows, cols: init.cols, indptr: new Int32Array(b.indptr), indices: new Int32Array(b.indices), data: new Float32Array(0) },
  entryUser: new Int32Array(b.entryUser),
  userFactors: new Float32Array(b.userFactors),
  itemFactors: new Float32Array(b.itemFactors),
  itemBias: new Float32Array(b.itemBias),
  factors: init.factors,
};
const port = parentPort;
if (!port) throw new Error('hogwild worker started outside a worker thread');
port.on('message', (m: HogwildRequest) => port.postMessage(bprSgd(state, m)));
port.postMessage('ready');
