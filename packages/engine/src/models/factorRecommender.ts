import type { CsrMatrix, SparseVector } from '../data/csr.ts';
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

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    const scores = cosineSimilarItems(this.itemFactors, this.numItems, this.factors, item);
    return topKJs(scores, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }
}
