import { entryIndex, type CsrMatrix } from '../data/csr.ts';
import { buildInteractionMatrix, type Interaction, type WeightingOptions } from '../data/events.ts';
import { IdMap } from '../data/idMap.ts';
import { sortedIds } from './order.ts';

/** The users to evaluate and each one's relevant (test) item indices. */
export interface TestSet {
  /** user rows of the train matrix, ascending */
  users: Int32Array;
  /** relevant item indices per evaluated user, aligned with `users` */
  relevant: Int32Array[];
}

/** Everything an evaluation or a tuning run needs, in one index space. */
export interface EvalData {
  users: IdMap;
  /** the catalogue: every item in train ∪ test, in id order (so index ties = id ties) */
  items: IdMap;
  train: CsrMatrix;
  test: TestSet;
  /** latest timestamp per stored train entry (aligned with train.data), when rows have times */
  timestamps?: Float64Array;
  /** newest train timestamp: "now" for time-aware models */
  now?: number;
}

/**
 * Builds the train matrix and the test set over one catalogue = every item of train ∪ test, so
 * items never seen in training are still candidates and still count as relevant test items.
 * Relevance is binary: any test interaction makes the item relevant.
 */
export function buildEvalData(train: readonly Interaction[], test: readonly Interaction[], weighting: WeightingOptions = {}): EvalData {
  const users = new IdMap(sortedIds(function* () {
    for (const e of train) yield e.userId;
    for (const e of test) yield e.userId;
  }()));
  const items = new IdMap(sortedIds(function* () {
    for (const e of train) yield e.itemId;
    for (const e of test) yield e.itemId;
  }()));
  const { matrix } = buildInteractionMatrix(train, weighting, { users, items });

  const perUser = new Map<number, Set<number>>();
  for (const e of test) {
    const u = users.index(e.userId);
    let s = perUser.get(u);
    if (!s) perUser.set(u, (s = new Set()));
    s.add(items.index(e.itemId));
  }
  const evalUsers = [...perUser.keys()].sort((a, b) => a - b);
  const testSet: TestSet = {
    users: Int32Array.from(evalUsers),
    relevant: evalUsers.map((u) => Int32Array.from([...(perUser.get(u) as Set<number>)].sort((a, b) => a - b))),
  };
  const times = entryTimestamps(matrix, train, users, items);
  return { users, items, train: matrix, test: testSet, ...times };
}

/** Latest timestamp of each stored (user, item) entry, for models that weigh recency. */
function entryTimestamps(m: CsrMatrix, rows: readonly Interaction[], users: IdMap, items: IdMap): { timestamps?: Float64Array; now?: number } {
  if (rows.length === 0 || rows.some((e) => e.timestamp === undefined)) return {};
  const timestamps = new Float64Array(m.indices.length).fill(-Infinity);
  let now = -Infinity;
  for (const e of rows) {
    const u = users.index(e.userId);
    const i = items.index(e.itemId);
    const t = e.timestamp as number;
    if (t > now) now = t;
    const k = entryIndex(m, u, i);
    if (k >= 0 && t > (timestamps[k] as number)) timestamps[k] = t;
  }
  return { timestamps, now };
}

/** The same data with only the train part (for fitting on everything, e.g. `recommend`). */
export function buildTrainData(train: readonly Interaction[], weighting: WeightingOptions = {}): EvalData {
  return buildEvalData(train, [], weighting);
}
