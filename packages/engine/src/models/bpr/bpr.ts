import type { CsrMatrix, SparseVector } from '../../data/csr.ts';
import { pack, unpack } from '../../data/pack.ts';
import { Rng } from '../../data/rng.ts';
import { FactorRecommender } from '../factorRecommender.ts';
import type { FitContext, ModelFactory } from '../model.ts';
import { defaultsOf, readParams } from '../params.ts';
import { deserializeTrain, serializeTrain } from '../popularity.ts';
import { bprFoldIn, entryRows } from './sgd.ts';
import { trainBprDefault, type BprTrainer } from './train.ts';

export const BPR_PARAMS = {
  factors: { type: 'int', default: 64, min: 1, max: 1024 },
  epochs: { type: 'int', default: 100, min: 0, max: 100000 },
  learningRate: { type: 'number', default: 0.05, min: 0 },
  regularization: { type: 'number', default: 0.01, min: 0 },
  /** SGD samples per epoch as a multiple of the number of interactions */
  samplesPerEpoch: { type: 'number', default: 1, min: 0 },
  seed: { type: 'int', default: 42 },
} as const;

export interface BprOptions {
  trainer?: BprTrainer;
}

/**
 * Bayesian personalized ranking (Rendle et al. 2009): matrix factorization with item biases,
 * trained by SGD on (user, interacted item, uniformly sampled other item) triples. Updated
 * users are folded in by SGD on their own vector against the fixed item factors.
 */
export class Bpr extends FactorRecommender {
  readonly name = 'bpr';
  private readonly p: ReturnType<typeof readBprParams>;
  private trainer: BprTrainer;
  itemBias: Float32Array = new Float32Array(0);

  constructor(params: Record<string, unknown> = {}, opts: BprOptions = {}) {
    const p = readBprParams(params);
    super(p);
    this.p = p;
    this.trainer = opts.trainer ?? trainBprDefault;
  }

  useTrainer(trainer: BprTrainer): this {
    this.trainer = trainer;
    return this;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void | Promise<void> {
    const f = this.p.factors;
    this.resetTraining(matrix);
    const seed = ctx.seed ?? this.p.seed;
    const rng = new Rng(seed);
    this.userFactors = centredFactors(matrix.rows, f, rng);
    this.itemFactors = centredFactors(matrix.cols, f, rng);
    this.itemBias = new Float32Array(matrix.cols);
    return this.trainer({
      state: { matrix, entryUser: entryRows(matrix), userFactors: this.userFactors, itemFactors: this.itemFactors, itemBias: this.itemBias, factors: f },
      epochs: this.p.epochs,
      learningRate: this.p.learningRate,
      regularization: this.p.regularization,
      samplesPerEpoch: Math.round(this.p.samplesPerEpoch * matrix.indices.length),
      seed,
      onProgress: ctx.onProgress,
    });
  }

  /** A vector for an unseen history; deterministic (seeded by the history length). */
  foldIn(history: SparseVector): Float32Array {
    const known = history.indices.filter((i) => i >= 0 && i < this.numItems);
    return bprFoldIn(known, this.itemFactors, this.itemBias, this.numItems, this.p.factors, {
      learningRate: this.p.learningRate,
      regularization: this.p.regularization,
      samples: Math.max(2000, 200 * known.length),
      seed: this.p.seed + known.length,
    });
  }

  get factors(): number {
    return this.p.factors;
  }

  protected override itemOffsets(): Float32Array {
    return this.itemBias;
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] },
      serializeTrain(this.train, { userFactors: this.userFactors, itemFactors: this.itemFactors, itemBias: this.itemBias }),
    );
  }

  static deserialize(bytes: Uint8Array): Bpr {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new Bpr(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.userFactors = arrays.userFactors as Float32Array;
    m.itemFactors = arrays.itemFactors as Float32Array;
    m.itemBias = arrays.itemBias as Float32Array;
    return m;
  }
}

function readBprParams(params: Record<string, unknown>) {
  return readParams('bpr', BPR_PARAMS, params);
}

/** Uniform in ±0.5/f, as benfred/implicit starts BPR: small and zero-mean. */
function centredFactors(rows: number, f: number, rng: Rng): Float32Array {
  const out = new Float32Array(rows * f);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() - 0.5) / f;
  return out;
}

export const bprFactory: ModelFactory = {
  name: 'bpr',
  description: 'Bayesian personalized ranking: matrix factorization trained by pairwise SGD with uniform negative sampling',
  defaults: defaultsOf(BPR_PARAMS),
  grid: { factors: [32, 64, 128], learningRate: [0.01, 0.05, 0.1], regularization: [0.001, 0.01, 0.05], epochs: [50, 100, 200] },
  create: (params = {}) => new Bpr(params),
  deserialize: (bytes) => Bpr.deserialize(bytes),
};
