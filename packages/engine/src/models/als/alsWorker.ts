// Worker-thread side of alsNode.ts: holds one half of the users and one half of the items in
// its own WASM memory and solves them on request. Node-only.
import { parentPort, workerData } from 'node:worker_threads';
import { AlsWasmState, type AlsSide, type RowSlice } from './wasmAls.ts';

export interface AlsWorkerInit {
  numUsers: number;
  numItems: number;
  f: number;
  alpha: number;
  steps: number;
  users: RowSlice;
  items: RowSlice;
  /** the authoritative factors, shared by every worker and the caller */
  sharedUsers: SharedArrayBuffer;
  sharedItems: SharedArrayBuffer;
}

export type AlsWorkerRequest = { op: 'gram'; side: AlsSide } | { op: 'solve'; side: AlsSide; gram: Float32Array };

const init = workerData as AlsWorkerInit;
const st = AlsWasmState.create(init.numUsers, init.numItems, init.f, init.alpha, init.users, init.items);
const shared = { users: new Float32Array(init.sharedUsers), items: new Float32Array(init.sharedItems) };
const own = { users: init.users, items: init.items };
const port = parentPort;
if (!st || !port) throw new Error('ALS worker: the WASM ALS kernel is unavailable');
// the starting factors; afterwards each Gram request copies only the rows other workers solved
st.users.set(shared.users);
st.items.set(shared.items);
port.on('message', (m: AlsWorkerRequest) => {
  const s = own[m.side];
  if (m.op === 'gram') {
    // pick up the rows the other workers solved (this worker's own rows are current already),
    // then sum yyᵀ over this worker's rows
    const f = init.f;
    const mine = st.factorsOf(m.side);
    const theirs = shared[m.side];
    mine.set(theirs.subarray(0, s.start * f));
    mine.set(theirs.subarray(s.end * f), s.end * f);
    port.postMessage(st.partialGram(m.side, s.start, s.end));
    return;
  }
  st.solve(m.side, m.gram, init.steps);
  const f = init.f;
  shared[m.side].set(st.factorsOf(m.side).subarray(s.start * f, s.end * f), s.start * f);
  port.postMessage(true);
});
port.postMessage('ready');
