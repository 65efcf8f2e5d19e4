import { describe, expect, it } from 'vitest';
import { modelContract, planted } from './neighbours/contractTests.ts';
import { UserKnn, userKnnFactory } from './userKnn.ts';

describe('user-knn', () => {
  // a fitted user is never its own neighbour, so fold-in is checked on the same row
  modelContract({ create: () => new UserKnn({ k: 30 }), deserialize: userKnnFactory.deserialize, foldIn: 'replace' });
  describe('with shrinkage and sharper weights', () =>
    modelContract({ create: () => new UserKnn({ k: 50, shrinkage: 5, exponent: 2 }), deserialize: userKnnFactory.deserialize, foldIn: 'replace' }));

  it('finds at most k neighbours, never the user itself, most similar first', () => {
    const fx = planted();
    const m = new UserKnn({ k: 10 });
    m.fit(fx.matrix);
    for (const u of [0, 17, 123]) {
      const { users, sims } = m.neighbours(m.userHistory(u), u);
      expect(users.length).toBeLessThanOrEqual(10);
      expect(Array.from(users)).not.toContain(u);
      for (let k = 1; k < sims.length; k++) expect(sims[k - 1]).toBeGreaterThanOrEqual(sims[k] as number);
      // planted clusters: most neighbours share the user's cluster
      const sameCluster = Array.from(users).filter((v) => fx.userCluster[v] === fx.userCluster[u]).length;
      expect(sameCluster).toBeGreaterThanOrEqual(7);
    }
  });
});
