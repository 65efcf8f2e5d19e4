import type { ScoredItems } from '../models/model.ts';
import { dotJs, gramAccumJs, scoreRowsJs } from './factorJs.ts';
import { SORTED_RUN_MAX_K, selectTopK } from './topkFast.ts';
import { topKJs } from './topk.ts';
import { instantiateWithMemory, useWasm } from './wasm.ts';

/** Exports of factor.wat; pointers are byte offsets into the matrix's own memory. */
interface FactorKernel {
  dot(a: number, b: number, n: number): number;
  scoreRows(m: number, rows: number, dim: number, q: number, out: number): void;
  topK(scores: number, n: number, k: number, skip: number, outIdx: number, outVal: number): number;
  gramAccum(m: number, rows: number, dim: number, g: number): void;
}

/** Rows per f32 Gram partial before it is flushed into the f64 total (bounds f32 rounding). */
const GRAM_CHUNK_ROWS = 256;

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * A row-major rows×dim float32 matrix (item or user factors) with fast scoring. With WASM, the
 * storage lives in a dedicated WebAssembly.Memory sized once at construction, together with
 * scratch for the query, the scores, a skip mask and the top-k run, so the memory never grows and
 * `data` never detaches; queries copy only the query vector in. Models fill `data` in place.
 * Without WASM (or with setKernelBackend('js')) the same methods run in plain TS. The storage is
 * chosen at construction: a matrix built while the backend is 'js' stays in plain JS memory.
 */
export class FactorMatrix {
  /** rows×dim values, row-major; fill in place (views taken from it stay valid). */
  readonly data: Float32Array;
  private readonly kernel: FactorKernel | null;
  private readonly queryView: Float32Array;
  private readonly scoresView: Float32Array;
  private readonly skipView: Uint8Array;
  private readonly topIdxView: Int32Array;
  private readonly topValView: Float32Array;
  private readonly gramView: Float32Array;
  private readonly ptr: { data: number; query: number; scores: number; skip: number; topIdx: number; topVal: number; gram: number };

  constructor(
    readonly rows: number,
    readonly dim: number,
  ) {
    if (!Number.isInteger(rows) || !Number.isInteger(dim) || rows < 0 || dim < 0) throw new RangeError(`bad shape ${rows}×${dim}`);
    const data = 0;
    const query = align16(rows * dim * 4);
    const scores = align16(query + dim * 4);
    const skip = align16(scores + rows * 4);
    const topIdx = align16(skip + rows);
    const topVal = align16(topIdx + SORTED_RUN_MAX_K * 4);
    const gram = align16(topVal + SORTED_RUN_MAX_K * 4);
    const end = gram + dim * dim * 4;
    this.ptr = { data, query, scores, skip, topIdx, topVal, gram };
    const inst = useWasm('factor') ? instantiateWithMemory<FactorKernel>('factor', end) : null;
    this.kernel = inst?.exports ?? null;
    const buf = inst ? inst.memory.buffer : new ArrayBuffer(end);
    this.data = new Float32Array(buf, data, rows * dim);
    this.queryView = new Float32Array(buf, query, dim);
    this.scoresView = new Float32Array(buf, scores, rows);
    this.skipView = new Uint8Array(buf, skip, rows);
    this.topIdxView = new Int32Array(buf, topIdx, SORTED_RUN_MAX_K);
    this.topValView = new Float32Array(buf, topVal, SORTED_RUN_MAX_K);
    this.gramView = new Float32Array(buf, gram, dim * dim);
  }

  /** A matrix holding a copy of `values` (row-major rows×dim). */
  static from(values: ArrayLike<number>, rows: number, dim: number): FactorMatrix {
    if (values.length !== rows * dim) throw new RangeError(`expected ${rows * dim} values, got ${values.length}`);
    const m = new FactorMatrix(rows, dim);
    m.data.set(values);
    return m;
  }

  /** Whether queries run in WebAssembly (the matrix has a kernel and the backend is not forced to JS). */
  get usesWasm(): boolean {
    return this.kernel !== null && useWasm('factor');
  }

  /** A live view of row r. */
  row(r: number): Float32Array {
    return this.data.subarray(r * this.dim, (r + 1) * this.dim);
  }

  /** M[r]·query. */
  dot(r: number, query: Float32Array): number {
    return dotJs(this.data, r * this.dim, query, 0, this.dim);
  }

  /** scores = M·query into `out` (allocated when omitted). */
  score(query: Float32Array, out?: Float32Array): Float32Array {
    const target = out ?? new Float32Array(this.rows);
    if (target.length < this.rows) throw new RangeError(`out has ${target.length} slots for ${this.rows} rows`);
    target.set(this.scoreView(query));
    return target;
  }

  /**
   * scores = M·query, returned as a view of the matrix's scratch: no copy, but overwritten by the
   * next score/topK call. Callers may edit it (e.g. set excluded items to -Infinity) before topK.
   */
  scoreView(query: Float32Array): Float32Array {
    this.checkQuery(query);
    const k = this.kernel;
    if (k && useWasm('factor')) {
      this.queryView.set(query.subarray(0, this.dim));
      k.scoreRows(this.ptr.data, this.rows, this.dim, this.ptr.query, this.ptr.scores);
    } else {
      scoreRowsJs(this.data, this.rows, this.dim, query, this.scoresView);
    }
    return this.scoresView;
  }

  /** Scores for the given rows only. */
  scoreItems(query: Float32Array, items: ArrayLike<number>, out?: Float32Array): Float32Array {
    this.checkQuery(query);
    const target = out ?? new Float32Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const r = items[i] as number;
      target[i] = r >= 0 && r < this.rows ? dotJs(this.data, r * this.dim, query, 0, this.dim) : Number.NaN;
    }
    return target;
  }

  /**
   * Exact top-k rows by M·query, best first, ties to the smaller index (topKJs semantics): rows
   * with skip[r] != 0 and the rows listed in `exclude` are never returned, nor non-finite scores.
   */
  topK(query: Float32Array, k: number, skip?: Uint8Array, exclude?: ArrayLike<number>): ScoredItems {
    const scores = this.scoreView(query);
    if (exclude) for (let i = 0; i < exclude.length; i++) {
      const r = exclude[i] as number;
      if (r >= 0 && r < this.rows) scores[r] = Number.NEGATIVE_INFINITY;
    }
    return this.topKOfScratch(k, skip);
  }

  /** Top-k over the scores left in the scratch by the last scoreView (after caller edits). */
  topKOfScratch(k: number, skip?: Uint8Array): ScoredItems {
    const kk = Math.max(0, Math.floor(k));
    const kern = this.kernel;
    if (!kern || !useWasm('factor') || kk > SORTED_RUN_MAX_K) {
      return kk > SORTED_RUN_MAX_K ? topKJs(this.scoresView, kk, skip) : selectTopK(this.scoresView, kk, skip);
    }
    let skipPtr = 0;
    if (skip) {
      // the mask must sit in the instance's memory; a byte copy is cheap next to the scoring sweep
      if (skip.length >= this.rows) this.skipView.set(skip.subarray(0, this.rows));
      else {
        this.skipView.set(skip);
        this.skipView.fill(0, skip.length);
      }
      skipPtr = this.ptr.skip;
    }
    const cnt = kern.topK(this.ptr.scores, this.rows, kk, skipPtr, this.ptr.topIdx, this.ptr.topVal);
    return { items: this.topIdxView.slice(0, cnt), scores: this.topValView.slice(0, cnt) };
  }

  /** MᵀM (dim×dim, float64), e.g. YᵀY for ALS; f32 partials over 256 rows, summed in f64. */
  gram(): Float64Array {
    const { rows, dim } = this;
    const out = new Float64Array(dim * dim);
    const kern = this.kernel;
    if (!kern || !useWasm('factor')) {
      gramAccumJs(this.data, rows, dim, out);
      return out;
    }
    const g = this.gramView;
    for (let r0 = 0; r0 < rows; r0 += GRAM_CHUNK_ROWS) {
      g.fill(0);
      kern.gramAccum(this.ptr.data + r0 * dim * 4, Math.min(GRAM_CHUNK_ROWS, rows - r0), dim, this.ptr.gram);
      for (let i = 0; i < g.length; i++) out[i] += g[i] as number;
    }
    return out;
  }

  private checkQuery(query: Float32Array): void {
    if (query.length < this.dim) throw new RangeError(`query has ${query.length} values for dim ${this.dim}`);
  }
}
