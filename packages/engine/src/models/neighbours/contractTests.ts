/**
 * Shared behavioural tests for the recommenders in this folder's models, run from each model's
 * own test file: quality on planted clusters versus most-popular, and fast-check properties
 * (serialize round trip, fold-in, exclusions).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { CsrMatrix } from '../../data/csr.ts';
import { buildInteractionMatrix } from '../../data/events.ts';
import { generateSynthetic } from '../../data/synthetic.ts';
import type { FitContext, Recommender } from '../model.ts';
import { MostPopular } from '../popularity.ts';

export interface Planted {
  matrix: CsrMatrix;
  /** entry timestamps aligned with matrix.data */
  timestamps: Float64Array;
  userCluster: Int32Array;
  itemCluster: Int32Array;
}

export function planted(seed = 7): Planted {
  const data = generateSynthetic({ users: 300, items: 200, clusters: 6, interactionsPerUser: 20, seed });
  const built = buildInteractionMatrix(data.interactions, { typeWeights: { view: 1 } });
  const when = new Map<string, number>();
  for (const e of data.interactions) when.set(`${built.users.index(e.userId)}:${built.items.index(e.itemId)}`, e.timestamp ?? 0);
  const m = built.matrix;
  const timestamps = new Float64Array(m.data.length);
  for (let u = 0; u < m.rows; u++) {
    for (let p = m.indptr[u] as number; p < (m.indptr[u + 1] as number); p++) timestamps[p] = when.get(`${u}:${m.indices[p]}`) as number;
  }
  return {
    matrix: m,
    timestamps,
    userCluster: Int32Array.from(built.users.ids(), (id) => data.userCluster.get(id) as number),
    itemCluster: Int32Array.from(built.items.ids(), (id) => data.itemCluster.get(id) as number),
  };
}

/** Share of the top-n recommendations that fall in each user's own planted cluster. */
export function ownClusterShare(model: Recommender, fx: Planted, n = 10): number {
  let hits = 0;
  let total = 0;
  for (let u = 0; u < fx.matrix.rows; u++) {
    const rec = model.recommend({ user: u }, n);
    for (const i of rec.items) if (fx.itemCluster[i] === fx.userCluster[u]) hits++;
    total += rec.items.length;
  }
  return total ? hits / total : 0;
}

export interface ContractOptions {
  create: () => Recommender;
  deserialize: (bytes: Uint8Array) => Recommender;
  /** the model must put at least this share of its top-10 in the user's own cluster */
  minClusterShare?: number;
  /**
   * fold-in check: 'append' folds a fitted user's history in as a new user; 'replace' folds it
   * back into the same row (for models whose fitted users are not their own neighbours)
   */
  foldIn?: 'append' | 'replace' | 'skip';
}

function same(a: { items: Int32Array; scores: Float32Array }, b: { items: Int32Array; scores: Float32Array }): void {
  expect(Array.from(a.items)).toEqual(Array.from(b.items));
  expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
}

/** Registers the shared tests in the calling describe block. */
export function modelContract(opts: ContractOptions): void {
  const fx = planted();
  const ctx: FitContext = { timestamps: fx.timestamps };
  let fitted: Recommender | undefined;
  const model = async (): Promise<Recommender> => {
    if (!fitted) {
      fitted = opts.create();
      await fitted.fit(fx.matrix, ctx);
    }
    return fitted;
  };

  it('recommends the users’ own planted cluster, which most-popular cannot', async () => {
    const m = await model();
    const pop = new MostPopular();
    pop.fit(fx.matrix);
    const share = ownClusterShare(m, fx);
    const popShare = ownClusterShare(pop, fx);
    expect(popShare).toBeLessThan(0.35);
    expect(share).toBeGreaterThan(opts.minClusterShare ?? 0.7);
    expect(share).toBeGreaterThan(popShare + 0.3);
  });

  it('gives identical recommendations and similar items after serialize → deserialize', async () => {
    const m = await model();
    const copy = opts.deserialize(m.serialize());
    expect(copy.name).toBe(m.name);
    expect(copy.params).toEqual(m.params);
    fc.assert(
      fc.property(fc.nat(fx.matrix.rows - 1), fc.nat(fx.matrix.cols - 1), (u, i) => {
        same(copy.recommend({ user: u }, 10), m.recommend({ user: u }, 10));
        same(copy.similarItems(i, 5), m.similarItems(i, 5));
      }),
      { numRuns: 30 },
    );
  });

  it.skipIf(opts.foldIn === 'skip')('fold-in of a fitted user’s full history reproduces that user’s recommendations', async () => {
    fc.assert(
      fc.property(fc.nat(fx.matrix.rows - 1), (u) => {
        const m = opts.create();
        void m.fit(fx.matrix, ctx);
        const before = m.recommend({ user: u }, 10);
        const history = m.userHistory(u);
        const target = opts.foldIn === 'replace' ? u : m.numUsers;
        m.updateUser(target, { indices: history.indices.slice(), values: history.values.slice() });
        same(m.recommend({ user: target }, 10), before);
        // an ad-hoc history is scored like a new user (who may count the fitted user as a neighbour)
        if (opts.foldIn !== 'replace') same(m.recommend({ history }, 10), before);
      }),
      { numRuns: 5 },
    );
  });

  it('never returns excluded items, history items, or (for similar items) the item itself', async () => {
    const m = await model();
    fc.assert(
      fc.property(fc.nat(fx.matrix.rows - 1), fc.uniqueArray(fc.nat(fx.matrix.cols - 1), { maxLength: 40 }), fc.nat(fx.matrix.cols - 1), (u, excluded, item) => {
        const ex = new Set(excluded);
        const own = new Set(m.userHistory(u).indices);
        const rec = m.recommend({ user: u }, 20, { exclude: excluded });
        for (const i of rec.items) {
          expect(ex.has(i)).toBe(false);
          expect(own.has(i)).toBe(false);
        }
        const sim = m.similarItems(item, 10, { exclude: excluded });
        for (const i of sim.items) {
          expect(i).not.toBe(item);
          expect(ex.has(i)).toBe(false);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('scores an ad-hoc history of one cluster’s items towards that cluster', async () => {
    const m = await model();
    const cluster = 2;
    const items = Array.from(fx.itemCluster.keys()).filter((i) => fx.itemCluster[i] === cluster).slice(0, 5);
    const rec = m.recommend({ history: { indices: Int32Array.from(items), values: new Float32Array(items.length).fill(1) } }, 10);
    const inCluster = Array.from(rec.items).filter((i) => fx.itemCluster[i] === cluster).length;
    expect(inCluster).toBeGreaterThanOrEqual(opts.minClusterShare === undefined ? 7 : Math.floor(opts.minClusterShare * 10));
  });
}
