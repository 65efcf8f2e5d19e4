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
  qscoreRows(codes: number, rows: number, stride: number, scales: number, l1s: number, qc: number, t: number, qL1: number, qMax: number, slack: number, dim: number, outL: number, outU: number): void;
  filterAtLeast(u: number, n: number, thr: number, skip: number, outIdx: number): number;
}

export interface FactorMatrixOptions {
  /**
   * Also keep an int8 copy of the rows (a quarter of the bytes) so topK can sweep that and rescore
   * only the rows whose error bounds reach the k-th best: still exact, about 3× less memory
   * traffic on large matrices. Costs rows×(dim+20) more bytes; call quantize() after filling data.
   */
  quantized?: boolean;
}

/** Above this dim the int32 sums of int8×int16 products could overflow; such matrices sweep f32. */
const QUANTIZED_MAX_DIM = 512;

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
  private readonly quant: {
    stride: number;
    codes: Int8Array;
    scales: Float32Array;
    l1s: Float32Array;
    qcodes: Int16Array;
    lower: Float32Array;
    upper: Float32Array;
    cand: Int32Array;
    ptr: { codes: number; scales: number; l1s: number; qcodes: number; lower: number; upper: number; cand: number };
  } | null;
  /** quantize() ran and every value was finite */
  private quantReady = false;
  /** rows rescored exactly by the last topK through the int8 sweep, or −1 when it swept f32 */
  lastCandidates = -1;

  constructor(
    readonly rows: number,
    readonly dim: number,
    opts: FactorMatrixOptions = {},
  ) {
    if (!Number.isInteger(rows) || !Number.isInteger(dim) || rows < 0 || dim < 0) throw new RangeError(`bad shape ${rows}×${dim}`);
    const data = 0;
    const query = align16(rows * dim * 4);
    const scores = align16(query + dim * 4);
    const skip = align16(scores + rows * 4);
    const topIdx = align16(skip + rows);
    const topVal = align16(topIdx + SORTED_RUN_MAX_K * 4);
    const gram = align16(topVal + SORTED_RUN_MAX_K * 4);
    let end = gram + dim * dim * 4;
    this.ptr = { data, query, scores, skip, topIdx, topVal, gram };
    const wantQuant = opts.quantized === true && dim <= QUANTIZED_MAX_DIM && useWasm('factor');
    const qStride = Math.ceil(dim / 8) * 8;
    const qp = { codes: 0, scales: 0, l1s: 0, qcodes: 0, lower: 0, upper: 0, cand: 0 };
    if (wantQuant) {
      qp.codes = align16(end);
      qp.scales = align16(qp.codes + rows * qStride);
      qp.l1s = align16(qp.scales + rows * 4);
      qp.qcodes = align16(qp.l1s + rows * 4);
      qp.lower = align16(qp.qcodes + qStride * 2);
      qp.upper = align16(qp.lower + rows * 4);
      qp.cand = align16(qp.upper + rows * 4);
      end = qp.cand + rows * 4;
    }
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
    this.quant =
      inst && wantQuant
        ? {
            stride: qStride,
            codes: new Int8Array(buf, qp.codes, rows * qStride),
            scales: new Float32Array(buf, qp.scales, rows),
            l1s: new Float32Array(buf, qp.l1s, rows),
            qcodes: new Int16Array(buf, qp.qcodes, qStride),
            lower: new Float32Array(buf, qp.lower, rows),
            upper: new Float32Array(buf, qp.upper, rows),
            cand: new Int32Array(buf, qp.cand, rows),
            ptr: qp,
          }
        : null;
  }

  /**
   * Rebuilds the int8 copy of rows [from, to) from `data` (matrices built with `quantized`). Call
   * after filling or editing data: topK trusts the copy for its bounds. A non-finite value turns
   * the int8 sweep off until the next full quantize().
   */
  quantize(from = 0, to = this.rows): void {
    const q = this.quant;
    if (!q) return;
    const { dim, data } = this;
    const { codes, stride } = q;
    let finite = from === 0 && to === this.rows ? true : this.quantReady;
    for (let r = from; r < to; r++) {
      const off = r * dim;
      let m = 0;
      let nan = false;
      for (let i = 0; i < dim; i++) {
        const v = Math.abs(data[off + i] as number);
        if (v > m) m = v;
        else if (v !== v) nan = true;
      }
      // the scale is rounded to f32 first: the kernel's bounds use the stored (f32) scale
      const scale = Math.fround(m / 127);
      // near-denormal rows would lose the bound's precision in f32: such matrices sweep f32
      if (nan || m === Infinity || (m > 0 && m < 1e-30)) finite = false;
      const inv = scale > 0 ? 1 / scale : 0;
      let l1 = 0;
      const co = r * stride;
      for (let i = 0; i < dim; i++) {
        let c = Math.round((data[off + i] as number) * inv);
        c = c > 127 ? 127 : c < -127 ? -127 : c;
        codes[co + i] = c;
        l1 += c < 0 ? -c : c;
      }
      q.scales[r] = scale;
      // rounded up so the stored L1 norm never understates the bound (nor do the rounding slips
      // of multiplying by 1/scale instead of dividing, a few ulps, far inside the slack term)
      q.l1s[r] = Math.fround(scale * l1 * (1 + 1e-6));
    }
    this.quantReady = finite;
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
    this.lastCandidates = -1;
    if (this.quant && this.quantReady && this.usesWasm && k <= SORTED_RUN_MAX_K && k > 0) {
      const fast = this.topKQuantized(query, Math.floor(k), skip, exclude);
      if (fast) return fast;
    }
    const scores = this.scoreView(query);
    if (exclude) for (let i = 0; i < exclude.length; i++) {
      const r = exclude[i] as number;
      if (r >= 0 && r < this.rows) scores[r] = Number.NEGATIVE_INFINITY;
    }
    return this.topKOfScratch(k, skip);
  }

  /**
   * Exact top-k via the int8 copy: bounds [L, U] on every row's score, τ = k-th best L among
   * allowed rows, and only rows with U ≥ τ are rescored exactly (every true top-k row qualifies,
   * ties included). Null when the query cannot be quantized (non-finite values).
   */
  private topKQuantized(query: Float32Array, k: number, skip?: Uint8Array, exclude?: ArrayLike<number>): ScoredItems | null {
    const q = this.quant as NonNullable<FactorMatrix['quant']>;
    const kern = this.kernel as FactorKernel;
    this.checkQuery(query);
    const { rows, dim } = this;
    let qMax = 0;
    let qL1 = 0;
    for (let i = 0; i < dim; i++) {
      const v = Math.abs(query[i] as number);
      qMax = Math.max(qMax, v);
      qL1 += v;
    }
    if (!Number.isFinite(qMax) || !Number.isFinite(qL1)) return null;
    const t = Math.fround(qMax / 32767);
    for (let i = 0; i < dim; i++) q.qcodes[i] = t > 0 ? Math.max(-32767, Math.min(32767, Math.round((query[i] as number) / t))) : 0;
    // generous cover for float rounding in both dot products and in the bound arithmetic itself
    const slack = 1e-6 * (dim + 16);
    kern.qscoreRows(q.ptr.codes, rows, q.stride, q.ptr.scales, q.ptr.l1s, q.ptr.qcodes, t, Math.fround(qL1 * (1 + 1e-6)), qMax, slack, dim, q.ptr.lower, q.ptr.upper);
    if (exclude) for (let i = 0; i < exclude.length; i++) {
      const r = exclude[i] as number;
      if (r >= 0 && r < rows) {
        q.lower[r] = Number.NEGATIVE_INFINITY;
        q.upper[r] = Number.NEGATIVE_INFINITY;
      }
    }
    let skipPtr = 0;
    if (skip) {
      if (skip.length >= rows) this.skipView.set(skip.subarray(0, rows));
      else {
        this.skipView.set(skip);
        this.skipView.fill(0, skip.length);
      }
      skipPtr = this.ptr.skip;
    }
    const kept = kern.topK(q.ptr.lower, rows, k, skipPtr, this.ptr.topIdx, this.ptr.topVal);
    const tau = kept === k ? (this.topValView[k - 1] as number) : Number.NEGATIVE_INFINITY;
    const n = kern.filterAtLeast(q.ptr.upper, rows, tau, skipPtr, q.ptr.cand);
    const cand = q.cand.subarray(0, n);
    this.lastCandidates = n;
    const scores = this.scoresView;
    for (let c = 0; c < n; c++) {
      const r = cand[c] as number;
      // excluded rows pass the filter only when τ = −∞; keep them out
      scores[r] = q.upper[r] === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : dotJs(this.data, r * dim, query, 0, dim);
    }
    return topKJs(scores, k, undefined, cand);
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
