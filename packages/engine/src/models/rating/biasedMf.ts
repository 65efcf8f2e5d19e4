import { defaultsOf, readParams } from '../params.ts';
import { biasOf, FactorRatingModel, permutation, sgdEpochs, startSgd, stepBiases } from './factorModel.ts';
import type { RatingModelFactory, RatingTriples } from './types.ts';

export const BIASED_MF_PARAMS = {
  factors: { type: 'int', default: 100, min: 1, max: 1024 },
  epochs: { type: 'int', default: 60, min: 0, max: 10000 },
  learningRate: { type: 'number', default: 0.005, min: 0 },
  /** L2 weight on the factor vectors */
  regularization: { type: 'number', default: 0.05, min: 0 },
  /** L2 weight on the user and item biases */
  regBias: { type: 'number', default: 0.02, min: 0 },
  /** learning rate multiplier applied after each epoch */
  decay: { type: 'number', default: 0.97, min: 0, max: 1 },
  initStd: { type: 'number', default: 0.05, min: 0 },
  seed: { type: 'int', default: 42 },
} as const;

/**
 * Biased matrix factorization (Funk / Koren): r̂ = μ + bᵤ + bᵢ + pᵤ·qᵢ, fitted by SGD on the
 * squared error with L2 regularization, visiting ratings in a fresh random order each epoch.
 */
export class BiasedMf extends FactorRatingModel {
  readonly name = 'biased-mf';
  private readonly p;

  constructor(params: Record<string, unknown> = {}) {
    const p = readParams('biased-mf', BIASED_MF_PARAMS, params);
    super(p, p.factors);
    this.p = p;
  }

  fit(t: RatingTriples): void {
    const f = this.p.factors;
    const { rng, biases: b, userVectors: pu, itemVectors: qi } = startSgd(t, this.p);
    const reg = this.p.regularization;
    const regB = this.p.regBias;
    sgdEpochs(this.p, (lr) => {
      const order = permutation(t.ratings.length, rng);
      for (let s = 0; s < order.length; s++) {
        const k = order[s] as number;
        const u = t.users[k] as number;
        const i = t.items[k] as number;
        const uo = u * f;
        const io = i * f;
        let pred = biasOf(b, u, i);
        for (let c = 0; c < f; c++) pred += (pu[uo + c] as number) * (qi[io + c] as number);
        const err = (t.ratings[k] as number) - pred;
        stepBiases(b, u, i, err, lr, regB);
        for (let c = 0; c < f; c++) {
          const pc = pu[uo + c] as number;
          const qc = qi[io + c] as number;
          pu[uo + c] = pc + lr * (err * qc - reg * pc);
          qi[io + c] = qc + lr * (err * pc - reg * qc);
        }
      }
    });
    this.fitted(b, pu, qi);
  }

  static deserialize(bytes: Uint8Array): BiasedMf {
    return FactorRatingModel.restore(bytes, (params) => new BiasedMf(params));
  }
}

export const biasedMfFactory: RatingModelFactory = {
  name: 'biased-mf',
  description: 'biased matrix factorization (μ + bᵤ + bᵢ + pᵤ·qᵢ) trained by SGD',
  defaults: defaultsOf(BIASED_MF_PARAMS),
  create: (params) => new BiasedMf(params),
  deserialize: (bytes) => BiasedMf.deserialize(bytes),
};
