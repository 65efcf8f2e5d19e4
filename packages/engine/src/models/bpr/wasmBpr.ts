import { wasmBinaries } from '../../kernels/generated/wasmBinaries.ts';
import { instantiateWithMemory, MAX_WASM_BYTES, pagesFor, useWasm, wasmSimdSupported } from '../../kernels/wasm.ts';
import type { BprState, BprStep } from './sgd.ts';
import { withSharedMemoryImport } from './sharedModule.ts';
import type { BprJob } from './train.ts';

interface BprExports {
  sgd(x: number, y: number, b: number, indptr: number, indices: number, entryUser: number, nnz: number, nItems: number, f: number, lr: number, reg: number, samples: number, seed: number, done: number, batch: number): number;
}

/** Byte offsets of each array in the kernel memory, and the memory size. */
export interface BprLayout {
  x: number;
  y: number;
  b: number;
  indptr: number;
  indices: number;
  entryUser: number;
  /** one 16-byte slot per thread for the kernel's step counter */
  scratch: number;
  /** one BATCH_BYTES block per thread for the kernel's batch of drawn samples */
  batch: number;
  bytes: number;
  rows: number;
  cols: number;
  nnz: number;
  f: number;
}

export const MAX_THREADS = 64;
/** the kernel draws 32 samples ahead, 16 bytes each */
const BATCH_BYTES = 32 * 16;

export function bprWasmAvailable(f: number): boolean {
  return f % 4 === 0 && useWasm('bpr');
}

export function bprLayout(s: BprState): BprLayout {
  const { rows, cols } = s.matrix;
  const nnz = s.matrix.indices.length;
  const f = s.factors;
  let at = 16;
  const take = (bytes: number): number => {
    const p = at;
    at += (bytes + 15) & ~15;
    return p;
  };
  const l = { x: take(rows * f * 4), y: take(cols * f * 4), b: take(cols * 4), indptr: take((rows + 1) * 4), indices: take(nnz * 4), entryUser: take(nnz * 4), scratch: take(MAX_THREADS * 16), batch: take(MAX_THREADS * BATCH_BYTES) };
  return { ...l, bytes: at, rows, cols, nnz, f };
}

/** Copies a BprState into kernel memory laid out by `l`. */
export function copyIn(buf: ArrayBufferLike, l: BprLayout, s: BprState): void {
  new Float32Array(buf, l.x, l.rows * l.f).set(s.userFactors);
  new Float32Array(buf, l.y, l.cols * l.f).set(s.itemFactors);
  new Float32Array(buf, l.b, l.cols).set(s.itemBias);
  new Int32Array(buf, l.indptr, l.rows + 1).set(s.matrix.indptr);
  new Int32Array(buf, l.indices, l.nnz).set(s.matrix.indices);
  new Int32Array(buf, l.entryUser, l.nnz).set(s.entryUser);
}

/** Copies the learned arrays back out of kernel memory. */
export function copyOut(buf: ArrayBufferLike, l: BprLayout, s: BprState): void {
  s.userFactors.set(new Float32Array(buf, l.x, l.rows * l.f));
  s.itemFactors.set(new Float32Array(buf, l.y, l.cols * l.f));
  s.itemBias.set(new Float32Array(buf, l.b, l.cols));
}

/** Runs one batch of SGD steps in an instantiated kernel; returns the share ranked correctly. */
export function runSgd(k: BprExports, buf: ArrayBufferLike, l: BprLayout, step: BprStep, thread = 0): number {
  const slot = l.scratch + 16 * thread;
  const correct = k.sgd(l.x, l.y, l.b, l.indptr, l.indices, l.entryUser, l.nnz, l.cols, l.f, step.learningRate, step.regularization, step.samples, step.seed | 0, slot, l.batch + BATCH_BYTES * thread);
  const done = new Int32Array(buf, slot, 1)[0] as number;
  return done > 0 ? correct / done : 0;
}

/** The kernel compiled to import a shared memory (for Hogwild threads), or null. */
export function sharedBprModule(l: BprLayout): { module: WebAssembly.Module; memory: WebAssembly.Memory } | null {
  const b64 = wasmBinaries.bpr;
  if (!b64 || !wasmSimdSupported() || l.bytes > MAX_WASM_BYTES) return null;
  const pages = pagesFor(l.bytes);
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const patched = withSharedMemoryImport(raw, pages);
  if (!patched) return null;
  try {
    const module = new WebAssembly.Module(patched as Uint8Array<ArrayBuffer>);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return { module, memory };
  } catch {
    return null;
  }
}

export function instantiateShared(module: WebAssembly.Module, memory: WebAssembly.Memory): BprExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as BprExports;
}

/**
 * Single-thread WASM SIMD BPR trainer (same sampling and schedule as trainBprJs). Returns false
 * without touching the job when WASM cannot run it, so callers fall back to JS.
 */
export function trainBprWasm(job: BprJob): boolean {
  const s = job.state;
  if (!bprWasmAvailable(s.factors)) return false;
  const l = bprLayout(s);
  const inst = instantiateWithMemory<BprExports>('bpr', l.bytes);
  if (!inst) return false;
  const buf = inst.memory.buffer;
  copyIn(buf, l, s);
  for (let e = 0; e < job.epochs; e++) {
    const correct = runSgd(inst.exports, buf, l, { learningRate: job.learningRate, regularization: job.regularization, samples: job.samplesPerEpoch, seed: job.seed * 7919 + e + 1 });
    job.onProgress?.((e + 1) / job.epochs, `BPR epoch ${e + 1}/${job.epochs}: ${(100 * correct).toFixed(1)} % of samples ranked correctly`);
  }
  copyOut(buf, l, s);
  return true;
}
