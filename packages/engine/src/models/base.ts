import { row, type CsrMatrix, type SparseVector } from '../data/csr.ts';
import { topKJs } from '../kernels/topk.ts';
import type { FitContext, RecommendOptions, Recommender, ScoredItems, UserQuery } from './model.ts';

const EMPTY: SparseVector = { indices: new Int32Array(0), values: new Float32Array(0) };

/**
 * Shared plumbing for models: keeps the fitted matrix and per-user history overrides (fold-in),
 * and derives recommend / scoreItems / exclusion from `scoreAll`. Subclasses implement the
 * scoring itself.
 */
export abstract class BaseRecommender implements Recommender {
  abstract readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  protected train: CsrMatrix = { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };
  /** histories replaced or added by updateUser since the fit */
  protected readonly overrides = new Map<number, SparseVector>();
  protected extraUsers = 0;

  constructor(params: Record<string, unknown>) {
    this.params = Object.freeze({ ...params });
  }

  get numItems(): number {
    return this.train.cols;
  }

  get numUsers(): number {
    return this.train.rows + this.extraUsers;
  }

  abstract fit(matrix: CsrMatrix, ctx?: FitContext): void | Promise<void>;
  abstract scoreAll(query: UserQuery, out?: Float32Array): Float32Array;
  abstract similarItems(item: number, n: number, opts?: Omit<RecommendOptions, 'excludeHistory'>): ScoredItems;
  abstract serialize(): Uint8Array;

  /** Starts a fit on `matrix`: forgets fold-ins and appended users from the previous fit. */
  protected resetTraining(matrix: CsrMatrix): void {
    this.train = matrix;
    this.overrides.clear();
    this.extraUsers = 0;
  }

  /** Called after a user's history changed; models with user state refresh it here. */
  protected onUserUpdated(_user: number, _history: SparseVector): void {}

  userHistory(user: number): SparseVector {
    const o = this.overrides.get(user);
    if (o) return o;
    if (user >= 0 && user < this.train.rows) return row(this.train, user);
    return EMPTY;
  }

  protected history(query: UserQuery): SparseVector {
    return 'history' in query ? query.history : this.userHistory(query.user);
  }

  updateUser(user: number, history: SparseVector): void {
    if (user < 0 || user > this.numUsers) throw new RangeError(`user ${user} out of range 0..${this.numUsers}`);
    if (user === this.numUsers) this.extraUsers++;
    this.overrides.set(user, history);
    this.onUserUpdated(user, history);
  }

  scoreItems(query: UserQuery, items: ArrayLike<number>): Float32Array {
    const all = this.scoreAll(query);
    const out = new Float32Array(items.length);
    for (let i = 0; i < items.length; i++) out[i] = all[items[i] as number] as number;
    return out;
  }

  recommend(query: UserQuery, n: number, opts: RecommendOptions = {}): ScoredItems {
    const scores = this.scoreAll(query);
    const skip = this.skipMask(opts.exclude, opts.excludeHistory === false ? undefined : this.history(query));
    return topKJs(scores, n, skip, opts.candidates);
  }

  protected skipMask(exclude?: Iterable<number>, history?: SparseVector): Uint8Array | undefined {
    if (!exclude && !history) return undefined;
    const skip = new Uint8Array(this.numItems);
    if (history) for (const i of history.indices) if (i < skip.length) skip[i] = 1;
    if (exclude) for (const i of exclude) if (i >= 0 && i < skip.length) skip[i] = 1;
    return skip;
  }
}
