import { csrFromTriplets } from '../../data/csr.ts';
import { defaultsOf, readParams } from '../params.ts';
import { biasOf, FactorRatingModel, normalFactors, permutation, sgdEpochs, startSgd, stepBiases } from './factorModel.ts';
import type { RatingModelFactory, RatingTriples } from './types.ts';

export const SVDPP_PARAMS = {
  factors: { type: 'int', default: 50, min: 1, max: 1024 },
  epochs: { type: 'int', default: 40, min: 0, max: 10000 },
  learningRate: { type: 'number', default: 0.005, min: 0 },
  regularization: { type: 'number', default: 0.05, min: 0 },
  regBias: { type: 'number', default: 0.02, min: 0 },
  /** L2 weight on the implicit item vectors yⱼ */
  regImplicit: { type: 'number', default: 0.05, min: 0 },
  decay: { type: 'number', default: 0.95, min: 0, max: 1 },
  initStd: { type: 'number', default: 0.05, min: 0 },
  seed: { type: 'int', default: 42 },
} as const;

/**
 * SVD++ (Koren 2008): r̂ = μ + bᵤ + bᵢ + qᵢ·(pᵤ + |N(u)|^-½ Σⱼ∈N(u) yⱼ), where N(u) is the set of
 * items u rated (which items, not how). SGD visits users in random order and each user's
 * ratings in random order; the implicit sum is held fixed during a user's pass and the yⱼ
 * receive the pass's accumulated gradient at its end, which makes an epoch O(ratings·f)
 * instead of O(Σ|N(u)|²·f). After the fit the implicit sum is folded into the user vectors.
 */
export class SvdPlusPlus extends FactorRatingModel {
  readonly name = 'svdpp';
  private readonly p;

  constructor(params: Record<string, unknown> = {}) {
    const p = readParams('svdpp', SVDPP_PARAMS, params);
    super(p, p.factors);
    this.p = p;
  }

  fit(t: RatingTriples): void {
    const f = this.p.factors;
    const { users: nu, items: ni, rng, biases: b, userVectors: pu, itemVectors: qi } = startSgd(t, this.p);
    const yj = normalFactors(ni, f, this.p.initStd, rng);
    // per user: positions of its ratings (the data), and its rated items (the indices)
    const byUser = csrFromTriplets({ rows: nu, cols: ni }, { rows: t.users, cols: t.items, values: t.ratings }, 'latest');
    const { reg, regB, regY } = { reg: this.p.regularization, regB: this.p.regBias, regY: this.p.regImplicit };
    const z = new Float64Array(f);
    const gz = new Float64Array(f);
    sgdEpochs(this.p, (lr) => {
      const users = permutation(nu, rng);
      for (let s = 0; s < nu; s++) {
        const u = users[s] as number;
        const lo = byUser.indptr[u] as number;
        const hi = byUser.indptr[u + 1] as number;
        if (lo === hi) continue;
        const norm = 1 / Math.sqrt(hi - lo);
        implicitSum(byUser.indices, lo, hi, yj, f, norm, z);
        gz.fill(0);
        const uo = u * f;
        const order = permutation(hi - lo, rng);
        for (let q = 0; q < order.length; q++) {
          const at = lo + (order[q] as number);
          const i = byUser.indices[at] as number;
          const io = i * f;
          let pred = biasOf(b, u, i);
          for (let c = 0; c < f; c++) pred += (qi[io + c] as number) * ((pu[uo + c] as number) + (z[c] as number));
          const err = (byUser.data[at] as number) - pred;
          stepBiases(b, u, i, err, lr, regB);
          for (let c = 0; c < f; c++) {
            const pc = pu[uo + c] as number;
            const qc = qi[io + c] as number;
            pu[uo + c] = pc + lr * (err * qc - reg * pc);
            qi[io + c] = qc + lr * (err * (pc + (z[c] as number)) - reg * qc);
            gz[c] += err * qc;
          }
        }
        for (let q = lo; q < hi; q++) {
          const jo = (byUser.indices[q] as number) * f;
          for (let c = 0; c < f; c++) yj[jo + c] += lr * (norm * (gz[c] as number) - regY * (yj[jo + c] as number));
        }
      }
    });
    // fold |N(u)|^-½ Σ yⱼ into pᵤ so prediction is a plain dot product
    for (let u = 0; u < nu; u++) {
      const lo = byUser.indptr[u] as number;
      const hi = byUser.indptr[u + 1] as number;
      if (lo === hi) continue;
      implicitSum(byUser.indices, lo, hi, yj, f, 1 / Math.sqrt(hi - lo), z);
      for (let c = 0; c < f; c++) pu[u * f + c] += z[c] as number;
    }
    this.fitted(b, pu, qi);
  }

  static deserialize(bytes: Uint8Array): SvdPlusPlus {
    return FactorRatingModel.restore(bytes, (params) => new SvdPlusPlus(params));
  }
}

function implicitSum(items: Int32Array, lo: number, hi: number, y: Float32Array, f: number, norm: number, out: Float64Array): void {
  out.fill(0);
  for (let q = lo; q < hi; q++) {
    const jo = (items[q] as number) * f;
    for (let c = 0; c < f; c++) out[c] += y[jo + c] as number;
  }
  for (let c = 0; c < f; c++) out[c] *= norm;
}

export const svdppFactory: RatingModelFactory = {
  name: 'svdpp',
  description: 'SVD++: biased MF plus an implicit-feedback term from the set of rated items, trained by SGD',
  defaults: defaultsOf(SVDPP_PARAMS),
  create: (params) => new SvdPlusPlus(params),
  deserialize: (bytes) => SvdPlusPlus.deserialize(bytes),
};
