import { IdMap } from '../../data/idMap.ts';
import type { RatingTriples } from './types.ts';

/**
 * Indexes rating records with shared id maps, so that a train and a test set built one after
 * the other (passing the same maps) line up; ids first seen in test get fresh indices, which
 * the models treat as unknown.
 */
export function ratingTriples(
  records: readonly { user: string | number; item: string | number; rating: number }[],
  maps: { users: IdMap; items: IdMap } = { users: new IdMap(), items: new IdMap() },
): RatingTriples & { maps: { users: IdMap; items: IdMap } } {
  const n = records.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  records.forEach((r, k) => {
    users[k] = maps.users.add(String(r.user));
    items[k] = maps.items.add(String(r.item));
    ratings[k] = r.rating;
  });
  return { users, items, ratings, maps };
}
