import type { Candidate, UserProfile } from '../types.ts';
import type { CapCounter } from './caps.ts';
import { NEGATIVE_TYPES } from './exclusions.ts';
import { nearestFree } from './promotions.ts';

/** Share of a user's list kept for what they said they like while they have no history. */
export const STATED_SHARE = 0.7;
const STATED_REASONS: ReadonlySet<string> = new Set(['because-you-liked-category', 'because-you-said']);
/** Engaged events after which the history speaks for itself and no slot is kept any more. */
export const WARM_EVENTS = 20;

/**
 * How much of the list stated preferences (liked categories and items) claim: STATED_SHARE for a
 * user without events, shrinking linearly to 0 at WARM_EVENTS engaged events. Relevance alone
 * cannot give a cold user what they asked for: diversity re-ranking spreads the list over the
 * categories on purpose, so a single liked category would get about one slot in three.
 */
export function statedShare(user: UserProfile | undefined): number {
  const p = user?.preferences;
  if (!user || !p || !(p.likedCategories?.length || p.likedItems?.length)) return 0;
  let events = 0;
  for (const e of user.history) if (!NEGATIVE_TYPES.has(e.type)) events++;
  return STATED_SHARE * Math.max(0, 1 - events / WARM_EVENTS);
}

/**
 * Puts the best-scored candidates of the `preferences` retriever in round(share × n) slots,
 * spread evenly down the list (the first slot included), before exploration and diversity
 * fill the rest, so the rest brings the variety. The candidates were filtered like every other
 * (exclusions, hidden categories, rules) and the caps hold. Marks them with the `stated` part
 * and lists their stated reasons first.
 */
export function placeStated(share: number, slots: Array<Candidate | undefined>, pool: Map<string, Candidate>, caps: CapCounter): number {
  const want = Math.round(share * slots.length);
  if (want <= 0) return 0;
  const ranked = [...pool.values()].filter((c) => c.sources.includes('preferences')).sort((a, b) => b.score - a.score || (a.item.id < b.item.id ? -1 : 1));
  let placed = 0;
  for (const c of ranked) {
    if (placed >= want) break;
    if (!caps.allows(c.item)) continue;
    const slot = nearestFree(slots, Math.min(slots.length - 1, Math.floor((placed * slots.length) / want)));
    if (slot < 0) break;
    c.parts.stated = 1;
    // what the user said is the reason they will recognise: it goes before the model's
    c.reasons.sort((a, b) => Number(!STATED_REASONS.has(a.type)) - Number(!STATED_REASONS.has(b.type)));
    slots[slot] = c;
    caps.add(c.item);
    pool.delete(c.item.id);
    placed++;
  }
  return placed;
}
