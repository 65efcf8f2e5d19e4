import { binarize, columnCounts, type CsrMatrix } from '../data/csr.ts';
import { pack, unpack } from '../data/pack.ts';
import { invertSpdF32 } from '../kernels/spdInverse.ts';
import { topKJs } from '../kernels/topk.ts';
import type { FitContext, ModelFactory, RecommendOptions, ScoredItems, UserQuery } from './model.ts';
import { denseGram } from './neighbours/denseGram.ts';
import { WeightedHistoryRecommender } from './neighbours/weightedHistory.ts';
import { defaultsOf, readParams, type ParamValues } from './params.ts';
import { deserializeTrain, serializeTrain } from './popularity.ts';

const SPEC = {
  /** L2 penalty on the item-item weights; larger for denser data */
  lambda: { type: 'number', default: 250, min: 0 },
  /** treat every interaction as 1 */
  binary: { type: 'boolean', default: true },
  /** fitted users' history items weigh 0.5^(newer items / recencyHalfLife) (0 = off); see item-knn */
  recencyHalfLife: { type: 'number', default: 0, min: 0 },
  /** items with fewer training users are left out of the model (they score 0); bounds n for big catalogues */
  minItemUsers: { type: 'int', default: 1, min: 1 },
  /** refuse to fit when the dense items² × 8 bytes exceeds this */
  memoryBudgetBytes: { type: 'number', default: 2 * 1024 ** 3, min: 0 },
} as const;

type Params = ParamValues<typeof SPEC>;

export class MemoryBudgetError extends Error {
  readonly code = 'memory_budget_exceeded';
  constructor(
    readonly model: string,
    readonly items: number,
    readonly neededBytes: number,
    readonly budgetBytes: number,
  ) {
    super(
      `model "${model}": ${items} items need a dense ${items}×${items} matrix of ${fmtBytes(neededBytes)}, over the memory budget of ${fmtBytes(budgetBytes)}; raise memoryBudgetBytes, raise minItemUsers, or use item-knn / rp3beta`,
    );
  }
}

function fmtBytes(b: number): string {
  return b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(2)} GB` : `${(b / 1024 ** 2).toFixed(1)} MB`;
}

/**
 * EASE (Steck 2019): a dense item × item linear model with zero diagonal in closed form,
 * B = I − P·diag(1/diag P) with P = (XᵀX + λI)⁻¹. Scores are history · B; like item-kNN it keeps
 * no user state, so fold-in is just replacing the history.
 */
export class Ease extends WeightedHistoryRecommender {
  readonly name = 'ease';
  private readonly p: Params;
  /** global item index → row/column of `weights`, or −1 for items left out */
  private local: Int32Array = new Int32Array(0);
  /** local index → global item index */
  private global: Int32Array = new Int32Array(0);
  /** row-major n×n, row i = weights from history item i to every target */
  private weights: Float32Array = new Float32Array(0);

  constructor(params: Record<string, unknown> = {}) {
    const p = readParams('ease', SPEC, params);
    super(p);
    this.p = p;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void {
    const x = this.p.binary ? binarize(matrix) : matrix;
    const counts = columnCounts(x);
    const global: number[] = [];
    for (let c = 0; c < x.cols; c++) if ((counts[c] as number) >= this.p.minItemUsers) global.push(c);
    const n = global.length;
    const needed = n * n * 8;
    if (needed > this.p.memoryBudgetBytes) throw new MemoryBudgetError('ease', n, needed, this.p.memoryBudgetBytes);
    const local = new Int32Array(x.cols).fill(-1);
    global.forEach((c, l) => (local[c] = l));

    // one n×n float32 buffer goes gram → inverse → weights in place: the WASM SIMD inverse is
    // accurate to ~1e-6 relative in f32 (bench/speed/dense.ts) and the memory budget stays n²·8
    // (this buffer plus the kernel's workspace)
    const weights = denseGram(x, local, n, new Float32Array(n * n));
    for (let i = 0; i < n; i++) weights[i * n + i] = (weights[i * n + i] as number) + this.p.lambda;
    ctx.onProgress?.(0.1, 'gram');
    invertSpdF32(weights, n, { out: weights });
    ctx.onProgress?.(0.9, 'inverse');
    const diag = new Float64Array(n);
    for (let j = 0; j < n; j++) diag[j] = weights[j * n + j] as number;
    for (let i = 0; i < n; i++) {
      const base = i * n;
      for (let j = 0; j < n; j++) weights[base + j] = i === j ? 0 : -(weights[base + j] as number) / (diag[j] as number);
    }
    this.resetTraining(matrix);
    this.local = local;
    this.global = Int32Array.from(global);
    this.weights = weights;
    this.fitHistoryWeights(matrix, ctx, this.p.recencyHalfLife, !this.p.binary);
    ctx.onProgress?.(1);
  }

  scoreAll(query: UserQuery, out?: Float32Array): Float32Array {
    const scores = out ?? new Float32Array(this.numItems);
    scores.fill(0);
    const h = this.history(query);
    const n = this.global.length;
    const dense = new Float64Array(n);
    for (let k = 0; k < h.indices.length; k++) {
      const item = h.indices[k] as number;
      const l = item >= 0 && item < this.local.length ? (this.local[item] as number) : -1;
      if (l < 0) continue;
      const w = this.p.binary && this.p.recencyHalfLife === 0 ? 1 : (h.values[k] as number);
      const base = l * n;
      for (let j = 0; j < n; j++) dense[j] = (dense[j] as number) + w * (this.weights[base + j] as number);
    }
    for (let j = 0; j < n; j++) scores[this.global[j] as number] = dense[j] as number;
    return scores;
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    const scores = new Float32Array(this.numItems).fill(-Infinity);
    const l = item >= 0 && item < this.local.length ? (this.local[item] as number) : -1;
    if (l >= 0) {
      const size = this.global.length;
      for (let j = 0; j < size; j++) scores[this.global[j] as number] = this.weights[l * size + j] as number;
    }
    return topKJs(scores, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] },
      serializeTrain(this.train, { global: this.global, weights: this.weights, ...this.historyWeightArrays() }),
    );
  }

  static deserialize(bytes: Uint8Array): Ease {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new Ease(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.global = arrays.global as Int32Array;
    m.weights = arrays.weights as Float32Array;
    m.local = new Int32Array(meta.shape[1]).fill(-1);
    m.global.forEach((c, l) => (m.local[c] = l));
    m.restoreHistoryWeights(arrays);
    return m;
  }
}

export const easeFactory: ModelFactory = {
  name: 'ease',
  description: 'EASE: closed-form item × item linear autoencoder with zero diagonal (Steck 2019)',
  defaults: defaultsOf(SPEC),
  grid: { lambda: [100, 200, 500, 1000, 2000], recencyHalfLife: [0, 3, 5, 8] },
  create: (params = {}) => new Ease(params),
  deserialize: (bytes) => Ease.deserialize(bytes),
};
