import type { CsrMatrix } from '../../data/csr.ts';
import { instantiateWithMemory, useWasm } from '../../kernels/wasm.ts';
import type { AlsJob } from './train.ts';

interface AlsExports {
  cgRows(y: number, x: number, indptr: number, indices: number, cm1: number, g: number, f: number, start: number, end: number, steps: number, scratch: number): void;
  gramAdd(y: number, start: number, end: number, f: number, out: number): void;
}

export type AlsSide = 'users' | 'items';

/** A contiguous range of rows of one side, with its entries (indptr rebased to the range). */
export interface RowSlice {
  start: number;
  end: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/** Rows [start, end) of a CSR matrix as a slice (views where possible). */
export function sliceRows(m: CsrMatrix, start: number, end: number): RowSlice {
  const lo = m.indptr[start] as number;
  const hi = m.indptr[end] as number;
  const indptr = new Int32Array(end - start + 1);
  for (let r = start; r <= end; r++) indptr[r - start] = (m.indptr[r] as number) - lo;
  return { start, end, indptr, indices: m.indices.subarray(lo, hi), data: m.data.subarray(lo, hi) };
}

/** Whether the WASM solver can run here for this factor count (SIMD path needs f % 8 = 0). */
export function wasmAlsAvailable(f: number): boolean {
  return f % 8 === 0 && useWasm('als');
}

/**
 * Both factor matrices and a slice of each side's entries in one dedicated WASM memory, so the
 * CG inner loops (kernels/wat/als.wat) run over them without copies. A single-thread fit holds
 * the full slices; each worker of the Node trainer holds its half.
 */
export class AlsWasmState {
  readonly users: Float32Array;
  readonly items: Float32Array;
  private readonly gram: Float32Array;
  private readonly ptr: Record<string, number>;

  private constructor(
    private readonly k: AlsExports,
    memory: WebAssembly.Memory,
    layout: Record<string, number>,
    readonly numUsers: number,
    readonly numItems: number,
    readonly f: number,
    readonly userSlice: { start: number; end: number },
    readonly itemSlice: { start: number; end: number },
  ) {
    this.ptr = layout;
    const buf = memory.buffer;
    this.users = new Float32Array(buf, layout.users, numUsers * f);
    this.items = new Float32Array(buf, layout.items, numItems * f);
    this.gram = new Float32Array(buf, layout.gram, f * f);
  }

  /** Null when the kernel is unavailable or the data does not fit a 4 GiB memory. */
  static create(numUsers: number, numItems: number, f: number, alpha: number, users: RowSlice, items: RowSlice): AlsWasmState | null {
    if (!wasmAlsAvailable(f)) return null;
    const layout: Record<string, number> = {};
    // every array starts on a cache line: a 256-byte factor row that straddles five lines instead
    // of four costs a fifth random fetch (and the kernel's prefetch touches only four), ~17 % of
    // the kernel's time at 64 factors
    let at = 64;
    const take = (name: string, bytes: number): void => {
      layout[name] = at;
      at += (bytes + 63) & ~63;
    };
    take('users', numUsers * f * 4);
    take('items', numItems * f * 4);
    for (const [side, s] of [['u', users], ['i', items]] as const) {
      take(`${side}Indptr`, s.indptr.length * 4);
      take(`${side}Indices`, s.indices.length * 4);
      take(`${side}Cm1`, s.data.length * 4);
    }
    take('gram', f * f * 4);
    take('scratch', 3 * f * 4);
    const inst = instantiateWithMemory<AlsExports>('als', at);
    if (!inst) return null;
    const buf = inst.memory.buffer;
    for (const [side, s] of [['u', users], ['i', items]] as const) {
      new Int32Array(buf, layout[`${side}Indptr`], s.indptr.length).set(s.indptr);
      new Int32Array(buf, layout[`${side}Indices`], s.indices.length).set(s.indices);
      const cm1 = new Float32Array(buf, layout[`${side}Cm1`], s.data.length);
      for (let q = 0; q < cm1.length; q++) cm1[q] = alpha * (s.data[q] as number);
    }
    return new AlsWasmState(inst.exports, inst.memory, layout, numUsers, numItems, f, users, items);
  }

  factorsOf(side: AlsSide): Float32Array {
    return side === 'users' ? this.users : this.items;
  }

  /** Σ yyᵀ over rows [start, end) of one side (f×f, a fresh copy). */
  partialGram(side: AlsSide, start: number, end: number): Float32Array {
    this.gram.fill(0);
    this.k.gramAdd(this.ptr[side] as number, start, end, this.f, this.ptr.gram as number);
    const g = this.gram.slice();
    const f = this.f;
    // the kernel fills the lower triangle (and a few entries above it); mirror it exactly
    for (let i = 0; i < f; i++) for (let j = i + 1; j < f; j++) g[i * f + j] = g[j * f + i] as number;
    return g;
  }

  /** Solves this state's row slice of `side` against the other side, given G = YᵀY + λI. */
  solve(side: AlsSide, gram: ArrayLike<number>, steps: number): void {
    this.gram.set(gram);
    const s = side === 'users' ? this.userSlice : this.itemSlice;
    const pre = side === 'users' ? 'u' : 'i';
    const other: AlsSide = side === 'users' ? 'items' : 'users';
    // the kernel indexes indptr by absolute row, so shift the pointer back by the slice start
    const indptr = (this.ptr[`${pre}Indptr`] as number) - s.start * 4;
    this.k.cgRows(this.ptr[other] as number, this.ptr[side] as number, indptr, this.ptr[`${pre}Indices`] as number, this.ptr[`${pre}Cm1`] as number, this.ptr.gram as number, this.f, s.start, s.end, steps, this.ptr.scratch as number);
  }
}

/** Adds λ to the diagonal of an f×f Gram matrix in place. */
export function addDiagonal(g: Float32Array | Float64Array, f: number, lambda: number): void {
  for (let i = 0; i < f; i++) g[i * f + i] += lambda;
}

/**
 * Single-thread WASM SIMD trainer (same schedule as trainAlsJs: items, then users). Returns
 * false, without touching the job, when WASM cannot run it (CG steps 0, f not a multiple of 8,
 * no SIMD), so callers fall back to the JS path.
 */
export function trainAlsWasm(job: AlsJob): boolean {
  if (job.cgSteps === 0) return false;
  const { userItems: ui, itemUsers: iu, factors: f } = job;
  const st = AlsWasmState.create(ui.rows, iu.rows, f, job.alpha, sliceRows(ui, 0, ui.rows), sliceRows(iu, 0, iu.rows));
  if (!st) return false;
  st.users.set(job.userFactors);
  st.items.set(job.itemFactors);
  for (let it = 0; it < job.iterations; it++) {
    for (const side of ['items', 'users'] as const) {
      const other = side === 'items' ? 'users' : 'items';
      const g = st.partialGram(other, 0, other === 'users' ? ui.rows : iu.rows);
      addDiagonal(g, f, job.regularization);
      st.solve(side, g, job.cgSteps);
    }
    job.onProgress?.((it + 1) / job.iterations, `ALS iteration ${it + 1}/${job.iterations}`);
  }
  job.userFactors.set(st.users);
  job.itemFactors.set(st.items);
  return true;
}
