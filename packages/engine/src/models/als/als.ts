import { transpose, type CsrMatrix, type SparseVector } from '../../data/csr.ts';
import { pack, unpack } from '../../data/pack.ts';
import { Rng } from '../../data/rng.ts';
import { FactorRecommender } from '../factorRecommender.ts';
import type { FitContext, ModelFactory } from '../model.ts';
import { defaultsOf, readParams } from '../params.ts';
import { deserializeTrain, serializeTrain } from '../popularity.ts';
import { exactSolve } from './exact.ts';
import { regularizedGram } from './gram.ts';
import { trainAlsDefault, type AlsTrainer } from './train.ts';

export const ALS_PARAMS = {
  factors: { type: 'int', default: 64, min: 1, max: 1024 },
  iterations: { type: 'int', default: 15, min: 0, max: 1000 },
  regularization: { type: 'number', default: 10, min: 0 },
  alpha: { type: 'number', default: 1, min: 0 },
  /** CG steps per row and half step; 0 means an exact Cholesky solve per row */
  cgSteps: { type: 'int', default: 3, min: 0, max: 1024 },
  seed: { type: 'int', default: 42 },
} as const;

export interface AlsOptions {
  /** runs the alternating solves (default: WASM SIMD in this thread, else JS); see models/als/alsNode.ts */
  trainer?: AlsTrainer;
}

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008): weighted matrix factorization where every
 * user × item cell is a 0/1 preference with confidence 1 + α·value. Users updated after the fit
 * are folded in exactly (one Cholesky solve against the fixed item factors).
 */
export class ImplicitAls extends FactorRecommender {
  readonly name = 'als';
  private readonly p: ReturnType<typeof readAlsParams>;
  private trainer: AlsTrainer;
  /** YᵀY + λI of the fitted item factors, kept for fold-in */
  private gram: Float64Array = new Float64Array(0);

  constructor(params: Record<string, unknown> = {}, opts: AlsOptions = {}) {
    const p = readAlsParams(params);
    super(p);
    this.p = p;
    this.trainer = opts.trainer ?? trainAlsDefault;
  }

  /** Swaps the trainer (e.g. the worker-thread one on a server) before the next fit. */
  useTrainer(trainer: AlsTrainer): this {
    this.trainer = trainer;
    return this;
  }

  get factors(): number {
    return this.p.factors;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void | Promise<void> {
    const f = this.p.factors;
    this.resetTraining(matrix);
    const rng = new Rng(ctx.seed ?? this.p.seed);
    this.userFactors = randomFactors(matrix.rows, f, rng);
    this.itemFactors = randomFactors(matrix.cols, f, rng);
    const result = this.trainer({
      userItems: matrix,
      itemUsers: transpose(matrix),
      userFactors: this.userFactors,
      itemFactors: this.itemFactors,
      factors: f,
      iterations: this.p.iterations,
      regularization: this.p.regularization,
      alpha: this.p.alpha,
      cgSteps: this.p.cgSteps,
      onProgress: ctx.onProgress,
    });
    if (result instanceof Promise) return result.then(() => this.afterFit());
    this.afterFit();
  }

  private afterFit(): void {
    this.gram = regularizedGram(this.itemFactors, this.train.cols, this.p.factors, this.p.regularization);
  }

  /** Exact solve for one history against the fitted item factors. */
  foldIn(history: SparseVector): Float32Array {
    return exactSolve(history, this.itemFactors, this.gram, this.p.factors, this.p.alpha, this.train.cols);
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] },
      serializeTrain(this.train, { userFactors: this.userFactors, itemFactors: this.itemFactors }),
    );
  }

  static deserialize(bytes: Uint8Array): ImplicitAls {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new ImplicitAls(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.userFactors = arrays.userFactors as Float32Array;
    m.itemFactors = arrays.itemFactors as Float32Array;
    m.afterFit();
    return m;
  }
}

function readAlsParams(params: Record<string, unknown>) {
  return readParams('als', ALS_PARAMS, params);
}

/** Small random start (as implicit does): large values would dominate the first solves. */
export function randomFactors(rows: number, f: number, rng: Rng, scale = 0.01): Float32Array {
  const out = new Float32Array(rows * f);
  for (let i = 0; i < out.length; i++) out[i] = rng.next() * scale;
  return out;
}

export const alsFactory: ModelFactory = {
  name: 'als',
  description: 'implicit ALS (Hu, Koren & Volinsky 2008) with a conjugate-gradient solver and exact fold-in',
  defaults: defaultsOf(ALS_PARAMS),
  grid: { factors: [32, 64, 128], regularization: [1, 10, 50, 200], alpha: [1, 3, 10, 40] },
  create: (params = {}) => new ImplicitAls(params),
  deserialize: (bytes) => ImplicitAls.deserialize(bytes),
};
