import { gramAccumJs } from './factorJs.ts';
import { instantiateWithMemory, useWasm } from './wasm.ts';

interface GramKernel {
  gramAccum(m: number, rows: number, dim: number, g: number): void;
}

/** Rows copied into the kernel's memory per pass; also the f32 partial length before f64 flush. */
const CHUNK_ROWS = 256;

/**
 * MᵀM (dim×dim, float64) of a row-major rows×dim float32 matrix held in an ordinary array, e.g.
 * YᵀY for ALS. The WASM path streams 256-row chunks through a small dedicated memory, so nothing
 * the caller holds is detached and the copy is negligible next to the dim² work per row. For a
 * FactorMatrix, use its gram() method, which needs no copy.
 */
export function gram(values: Float32Array, rows: number, dim: number): Float64Array {
  if (values.length < rows * dim) throw new RangeError(`expected ${rows * dim} values, got ${values.length}`);
  const out = new Float64Array(dim * dim);
  const inst = useWasm('factor') && rows > 0 && dim > 0 ? instantiateWithMemory<GramKernel>('factor', (CHUNK_ROWS * dim + dim * dim) * 4) : null;
  if (!inst) {
    gramAccumJs(values, rows, dim, out);
    return out;
  }
  const gPtr = CHUNK_ROWS * dim * 4;
  const chunk = new Float32Array(inst.memory.buffer, 0, CHUNK_ROWS * dim);
  const g = new Float32Array(inst.memory.buffer, gPtr, dim * dim);
  for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - r0);
    chunk.set(values.subarray(r0 * dim, (r0 + n) * dim));
    g.fill(0);
    inst.exports.gramAccum(0, n, dim, gPtr);
    for (let i = 0; i < g.length; i++) out[i] += g[i] as number;
  }
  return out;
}
