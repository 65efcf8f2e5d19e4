import type { CsrMatrix, SparseVector } from '../data/csr.ts';
import { FactorMatrix } from '../kernels/factorMatrix.ts';
import { topKJs } from '../kernels/topk.ts';
import { cosineSimilarItems, scoreAgainst } from './als/scoring.ts';
import { BaseRecommender } from './base.ts';
import type { RecommendOptions, ScoredItems, UserQuery } from './model.ts';

/**
 * The serving side shared by matrix-factorization models (ALS, BPR): a user's vector is the
 * fitted one, the one folded in after an update, or one solved for an ad-hoc history; scores are
 * dot products with the item factors (plus an item bias when the model has one); similar items
 * are cosine neighbours in factor space. Subclasses train the factors and define fold-in.
 */
export abstract class FactorRecommender extends BaseRecommender {
  userFactors: Float32Array = new Float32Array(0);
  itemFactors: Float32Array = new Float32Array(0);
  /** vectors of users updated since the fit */
  protected readonly foldedIn = new Map<number, Float32Array>();
  /** the item factors in a FactorMatrix (fast scoring) and what recommendTop needs besides; built on first use */
  private serving: ServingCopy | undefined;

  abstract get factors(): number;

  /** A vector for a history the model was not fitted on, against the fixed item factors. */
  abstract foldIn(history: SparseVector): Float32Array;

  /** Added to every item's score (BPR's item bias); none by default. */
  protected itemOffsets(): Float32Array | undefined {
    return undefined;
  }

  protected override resetTraining(matrix: CsrMatrix): void {
    super.resetTraining(matrix);
    this.foldedIn.clear();
    this.serving = undefined;
  }

  protected override onUserUpdated(user: number, history: SparseVector): void {
    this.foldedIn.set(user, this.foldIn(history));
  }

  /** The user's latent vector: fitted, folded in after an update, or solved for a history. */
  userVector(query: UserQuery): Float32Array {
    const f = this.factors;
    if ('history' in query) return this.foldIn(query.history);
    const folded = this.foldedIn.get(query.user);
    if (folded) return folded;
    if (query.user >= 0 && query.user < this.train.rows) return this.userFactors.subarray(query.user * f, (query.user + 1) * f);
    return new Float32Array(f);
  }

  scoreAll(query: UserQuery, out?: Float32Array): Float32Array {
    return scoreAgainst(this.itemFactors, this.numItems, this.factors, this.userVector(query), out, this.itemOffsets());
  }

  /**
   * recommend(query, n) without scoring the catalogue in plain JS: the item factors are scored
   * by the FactorMatrix kernel (WASM SIMD, float32), every row whose approximate score comes
   * within a proven error margin of the n-th best is rescored exactly as scoreAll does (float64
   * sums, bias first, stored as float32), and the top n is taken over those. The margin covers
   * float32 rounding in the kernel, so the exact top n (ties included) is always among the
   * rescored rows: items, scores and tie order are identical to recommend's.
   */
  recommendTop(query: UserQuery, n: number): ScoredItems {
    const f = this.factors;
    const m = this.numItems;
    const c = this.servingCopy();
    const u = this.userVector(query);
    let qMax = 0;
    for (let k = 0; k < f; k++) qMax = Math.max(qMax, Math.abs(u[k] as number));
    if (!Number.isFinite(qMax) || c.matrix.rows !== m) return this.recommend(query, n);
    const approx = c.matrix.scoreView(u);
    const bias = this.itemOffsets();
    if (bias) for (let i = 0; i < m; i++) approx[i] = (approx[i] as number) + (bias[i] as number);
    const history = this.history(query).indices;
    for (let h = 0; h < history.length; h++) {
      const i = history[h] as number;
      if (i >= 0 && i < m) approx[i] = Number.NEGATIVE_INFINITY;
    }
    const kth = c.matrix.topKOfScratch(n);
    // |approx − exact| ≤ (f + 4)·2⁻²⁴·(Σ|item·u| + |bias|) for any summation order; twice that
    // bounds how far the exact n-th best can sit below the approximate one, with room to spare
    const margin = (2 * (f + 8) * (c.maxL1 * qMax + c.maxBias)) / 2 ** 23;
    const floor = kth.items.length === n && n > 0 ? (kth.scores[n - 1] as number) - margin : Number.NEGATIVE_INFINITY;
    const cand = c.candidates;
    let count = 0;
    for (let i = 0; i < m; i++) {
      const a = approx[i] as number;
      // history rows are −∞; a non-finite score elsewhere is rescored rather than trusted
      if (a >= floor ? a !== Number.NEGATIVE_INFINITY : a !== a || a === Number.POSITIVE_INFINITY) cand[count++] = i;
    }
    const items = this.itemFactors;
    const exact = c.exact;
    for (let j = 0; j < count; j++) {
      const i = cand[j] as number;
      // scoreAgainst's arithmetic, term for term
      const o = i * f;
      let s = bias ? (bias[i] as number) : 0;
      for (let k = 0; k < f; k++) s += (items[o + k] as number) * (u[k] as number);
      exact[i] = s;
    }
    return topKJs(exact, n, undefined, cand.subarray(0, count));
  }

  private servingCopy(): ServingCopy {
    const f = this.factors;
    const m = this.numItems;
    const items = this.itemFactors;
    if (this.serving && this.serving.source === items && this.serving.matrix.rows === m) return this.serving;
    const matrix = new FactorMatrix(m, f);
    matrix.data.set(items.subarray(0, m * f));
    let maxL1 = 0;
    for (let i = 0; i < m; i++) {
      let l1 = 0;
      for (let k = 0; k < f; k++) l1 += Math.abs(items[i * f + k] as number);
      if (l1 > maxL1) maxL1 = l1;
    }
    let maxBias = 0;
    const bias = this.itemOffsets();
    if (bias) for (let i = 0; i < m; i++) maxBias = Math.max(maxBias, Math.abs(bias[i] as number));
    this.serving = { source: items, matrix, maxL1, maxBias, candidates: new Int32Array(m), exact: new Float32Array(m) };
    return this.serving;
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    const scores = cosineSimilarItems(this.itemFactors, this.numItems, this.factors, item);
    return topKJs(scores, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }
}

interface ServingCopy {
  /** the itemFactors array copied (a refit assigns new arrays; resetTraining also clears the copy) */
  source: Float32Array;
  matrix: FactorMatrix;
  /** largest L1 norm of an item row, and largest |bias|: scale of the kernel's rounding error */
  maxL1: number;
  maxBias: number;
  /** per-request scratch: rows to rescore, and their exact scores */
  candidates: Int32Array;
  exact: Float32Array;
}
