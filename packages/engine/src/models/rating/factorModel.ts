import { pack, unpack } from '../../data/pack.ts';
import { Rng } from '../../data/rng.ts';
import { restoreBiases, scale, type ScaleMeta } from './baseline.ts';
import { baselineOf, clip, type Biases } from './biases.ts';
import { extent, type RatingModel, type RatingTriples } from './types.ts';

/**
 * The fitted state every factor rating model ends with — biases plus one user and one item
 * vector — so biased MF and SVD++ (whose user vector folds in its implicit item sum) share
 * prediction and serialization and differ only in `fit`.
 */
export abstract class FactorRatingModel implements RatingModel {
  abstract readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  protected f = 0;
  biases: Biases = { mean: 0, user: new Float32Array(0), item: new Float32Array(0), min: 0, max: 0 };
  userVectors: Float32Array = new Float32Array(0);
  itemVectors: Float32Array = new Float32Array(0);

  constructor(params: Record<string, unknown>, factors: number) {
    this.params = Object.freeze({ ...params });
    this.f = factors;
  }

  abstract fit(train: RatingTriples): void;

  /** Keeps the outcome of a fit. */
  protected fitted(biases: Biases, userVectors: Float32Array, itemVectors: Float32Array): void {
    this.biases = biases;
    this.userVectors = userVectors;
    this.itemVectors = itemVectors;
  }

  predict(user: number, item: number): number {
    let v = baselineOf(this.biases, user, item);
    if (user >= 0 && item >= 0 && user < this.biases.user.length && item < this.biases.item.length) {
      const f = this.f;
      const uo = user * f;
      const io = item * f;
      for (let k = 0; k < f; k++) v += (this.userVectors[uo + k] as number) * (this.itemVectors[io + k] as number);
    }
    return clip(this.biases, v);
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, factors: this.f, ...scale(this.biases) },
      { userBias: this.biases.user, itemBias: this.biases.item, userVectors: this.userVectors, itemVectors: this.itemVectors },
    );
  }

  /** Restores the state written by `serialize` into a freshly constructed model. */
  static restore<M extends FactorRatingModel>(bytes: Uint8Array, make: (params: Record<string, unknown>) => M): M {
    const { meta, arrays } = unpack<ScaleMeta & { params: Record<string, unknown>; factors: number }>(bytes);
    const m = make(meta.params);
    m.f = meta.factors;
    m.biases = restoreBiases(meta, arrays);
    m.userVectors = arrays.userVectors as Float32Array;
    m.itemVectors = arrays.itemVectors as Float32Array;
    return m;
  }
}

/** The hyper-parameters every SGD factor model reads (each model keeps its own defaults). */
export interface SgdParams {
  factors: number;
  epochs: number;
  learningRate: number;
  regularization: number;
  regBias: number;
  decay: number;
  initStd: number;
  seed: number;
}

/** Where every SGD fit starts: zero biases on the observed scale, then user and item vectors drawn in that order. */
export interface SgdStart {
  users: number;
  items: number;
  rng: Rng;
  biases: Biases;
  userVectors: Float32Array;
  itemVectors: Float32Array;
}

export function startSgd(t: RatingTriples, p: SgdParams): SgdStart {
  const { users, items } = extent(t);
  const rng = new Rng(p.seed);
  const biases = zeroBiases(t, users, items);
  const userVectors = normalFactors(users, p.factors, p.initStd, rng);
  const itemVectors = normalFactors(items, p.factors, p.initStd, rng);
  return { users, items, rng, biases, userVectors, itemVectors };
}

/** Runs `epoch` p.epochs times with the learning rate decayed after each. */
export function sgdEpochs(p: SgdParams, epoch: (learningRate: number) => void): void {
  let lr = p.learningRate;
  for (let e = 0; e < p.epochs; e++) {
    epoch(lr);
    lr *= p.decay;
  }
}

/** μ + bᵤ + bᵢ for known indices (the SGD loops only visit observed pairs). */
export function biasOf(b: Biases, user: number, item: number): number {
  return b.mean + (b.user[user] as number) + (b.item[item] as number);
}

/** One SGD step on a rating's user and item biases, given its prediction error. */
export function stepBiases(b: Biases, user: number, item: number, err: number, lr: number, regBias: number): void {
  b.user[user] += lr * (err - regBias * (b.user[user] as number));
  b.item[item] += lr * (err - regBias * (b.item[item] as number));
}

/** Normal(0, std²) start for factor matrices. */
export function normalFactors(rows: number, f: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(rows * f);
  for (let k = 0; k < out.length; k++) out[k] = rng.normal() * std;
  return out;
}

/** Mean rating and observed scale, with zero biases (SGD models learn the offsets themselves). */
export function zeroBiases(t: RatingTriples, users: number, items: number): Biases {
  let mean = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < t.ratings.length; k++) {
    const r = t.ratings[k] as number;
    mean += r;
    if (r < min) min = r;
    if (r > max) max = r;
  }
  const n = t.ratings.length;
  return { mean: n ? mean / n : 0, min: n ? min : 0, max: n ? max : 0, user: new Float32Array(users), item: new Float32Array(items) };
}

/** A seeded random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = Int32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    const t = p[k] as number;
    p[k] = p[j] as number;
    p[j] = t;
  }
  return p;
}
