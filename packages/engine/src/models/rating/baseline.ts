import { pack, unpack } from '../../data/pack.ts';
import { defaultsOf, readParams } from '../params.ts';
import { baselineOf, clip, fitBiases, type Biases } from './biases.ts';
import { extent, type RatingModel, type RatingModelFactory, type RatingTriples } from './types.ts';

export const BASELINE_PARAMS = {
  regUser: { type: 'number', default: 15, min: 0 },
  regItem: { type: 'number', default: 10, min: 0 },
  iterations: { type: 'int', default: 10, min: 1, max: 1000 },
} as const;

/** Baseline predictor: global mean plus regularized user and item offsets. */
export class BaselinePredictor implements RatingModel {
  readonly name = 'baseline';
  readonly params: Readonly<Record<string, unknown>>;
  private readonly p;
  biases: Biases = { mean: 0, user: new Float32Array(0), item: new Float32Array(0), min: 0, max: 0 };

  constructor(params: Record<string, unknown> = {}) {
    this.p = readParams('baseline', BASELINE_PARAMS, params);
    this.params = Object.freeze({ ...this.p });
  }

  fit(t: RatingTriples): void {
    const { users, items } = extent(t);
    this.biases = fitBiases(t, users, items, this.p.regUser, this.p.regItem, this.p.iterations);
  }

  predict(user: number, item: number): number {
    return clip(this.biases, baselineOf(this.biases, user, item));
  }

  serialize(): Uint8Array {
    return pack({ name: this.name, params: this.params, ...scale(this.biases) }, { userBias: this.biases.user, itemBias: this.biases.item });
  }

  static deserialize(bytes: Uint8Array): BaselinePredictor {
    const { meta, arrays } = unpack<ScaleMeta & { params: Record<string, unknown> }>(bytes);
    const m = new BaselinePredictor(meta.params);
    m.biases = restoreBiases(meta, arrays);
    return m;
  }
}

export interface ScaleMeta {
  mean: number;
  min: number;
  max: number;
}

export function scale(b: Biases): ScaleMeta {
  return { mean: b.mean, min: b.min, max: b.max };
}

export function restoreBiases(meta: ScaleMeta, arrays: Record<string, unknown>): Biases {
  return { mean: meta.mean, min: meta.min, max: meta.max, user: arrays.userBias as Float32Array, item: arrays.itemBias as Float32Array };
}

export const baselineFactory: RatingModelFactory = {
  name: 'baseline',
  description: 'global mean + regularized user and item biases (alternating least squares)',
  defaults: defaultsOf(BASELINE_PARAMS),
  create: (params) => new BaselinePredictor(params),
  deserialize: (bytes) => BaselinePredictor.deserialize(bytes),
};
