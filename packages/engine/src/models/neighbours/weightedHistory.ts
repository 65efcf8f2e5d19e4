import type { CsrMatrix, SparseVector } from '../../data/csr.ts';
import { BaseRecommender } from '../base.ts';
import type { FitContext } from '../model.ts';
import { recencyWeights } from './recency.ts';

/**
 * A recommender whose fitted users' histories carry per-entry weights instead of the raw
 * matrix values: with a recency half-life, each user's latest interactions weigh most (users'
 * next interests follow their recent ones). `userHistory` returns these weighted rows, so
 * folding a fitted user's history back in reproduces its recommendations; ad-hoc histories are
 * scored with the values they carry.
 */
export abstract class WeightedHistoryRecommender extends BaseRecommender {
  /** weights aligned with train.data, or undefined to use the raw values */
  protected entryWeights: Float32Array | undefined;

  /**
   * Sets the fitted users' history weights: 0.5^(newer entries / halfLife), times the raw value
   * when `useValues`. A half-life of 0 leaves the raw values; without timestamps every entry
   * counts as equally recent.
   */
  protected fitHistoryWeights(matrix: CsrMatrix, ctx: FitContext, halfLife: number, useValues: boolean): void {
    if (halfLife <= 0) {
      this.entryWeights = undefined;
      return;
    }
    const w = ctx.timestamps ? recencyWeights(matrix, ctx.timestamps, halfLife) : new Float32Array(matrix.data.length).fill(1);
    if (useValues) for (let p = 0; p < w.length; p++) w[p] = (w[p] as number) * (matrix.data[p] as number);
    this.entryWeights = w;
  }

  override userHistory(user: number): SparseVector {
    if (this.entryWeights && !this.overrides.has(user) && user >= 0 && user < this.train.rows) {
      const start = this.train.indptr[user] as number;
      const end = this.train.indptr[user + 1] as number;
      return { indices: this.train.indices.subarray(start, end), values: this.entryWeights.subarray(start, end) };
    }
    return super.userHistory(user);
  }

  /** Arrays to add to the artifact (none without weights). */
  protected historyWeightArrays(): Record<string, Float32Array> {
    return this.entryWeights ? { historyWeights: this.entryWeights } : {};
  }

  protected restoreHistoryWeights(arrays: Record<string, unknown>): void {
    const w = arrays.historyWeights;
    this.entryWeights = w instanceof Float32Array ? w : undefined;
  }
}
