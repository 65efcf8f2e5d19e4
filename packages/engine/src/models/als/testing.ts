import { buildInteractionMatrix } from '../../data/events.ts';
import { generateSynthetic } from '../../data/synthetic.ts';
import type { Recommender } from '../model.ts';

/**
 * Planted-structure fixture shared by the factor and rating model tests: the share of a
 * model's top-10 that falls in each user's own taste cluster (most-popular stays near
 * 1/clusters, a collaborative model should be far above).
 */
export function plantedFixture(seed = 7) {
  const data = generateSynthetic({ users: 400, items: 300, clusters: 6, interactionsPerUser: 20, seed });
  const built = buildInteractionMatrix(data.interactions, { typeWeights: { view: 1 } });
  const userCluster = Int32Array.from(built.users.ids(), (id) => data.userCluster.get(id) as number);
  const itemCluster = Int32Array.from(built.items.ids(), (id) => data.itemCluster.get(id) as number);
  return { matrix: built.matrix, userCluster, itemCluster };
}

export function ownClusterShare(model: Recommender, fx: ReturnType<typeof plantedFixture>, n = 10): number {
  let hits = 0;
  let total = 0;
  for (let u = 0; u < fx.matrix.rows; u++) {
    const rec = model.recommend({ user: u }, n);
    for (const i of rec.items) if (fx.itemCluster[i] === fx.userCluster[u]) hits++;
    total += rec.items.length;
  }
  return hits / total;
}
