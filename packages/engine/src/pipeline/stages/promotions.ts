import type { PinPromotion } from '../scenario.ts';
import type { Candidate, CatalogView } from '../types.ts';
import type { CapCounter } from './caps.ts';
import { addReason } from './score.ts';
import type { ItemPredicate } from './rules.ts';

/**
 * Puts pinned items in their slots. A pin never bypasses the filters: an item that is
 * unavailable, excluded (by the request or the user's feedback), already consumed (when the
 * scenario excludes seen items) or fails a rule is skipped — `allowed` says so — and its slot
 * is filled normally, so promotions cannot leak it. Pinned items count towards caps. Returns
 * the ids placed.
 */
export function placePins(pins: readonly PinPromotion[], slots: Array<Candidate | undefined>, pool: Map<string, Candidate>, catalog: CatalogView, allowed: ItemPredicate, caps: CapCounter): Set<string> {
  const placed = new Set<string>();
  for (const pin of pins) {
    if (pin.slot >= slots.length || slots[pin.slot] || placed.has(pin.itemId)) continue;
    const item = catalog.byId(pin.itemId);
    if (!item || !allowed(item)) continue;
    const c = pool.get(item.id) ?? { item, score: 0, parts: {}, reasons: [], sources: [] };
    c.parts.promoted = 1;
    addReason(c, { type: 'promoted', text: pin.label ?? 'Featured' });
    slots[pin.slot] = c;
    caps.add(item);
    placed.add(item.id);
    pool.delete(item.id);
  }
  return placed;
}

/**
 * Fills round(share × n) slots, spread evenly down the list, with the best-scored candidates
 * matching a promotion rule (already filtered like every other candidate).
 */
export function placeRulePromotion(share: number, label: string | undefined, matches: ItemPredicate, slots: Array<Candidate | undefined>, pool: Map<string, Candidate>, caps: CapCounter): void {
  const want = Math.round(share * slots.length);
  if (want <= 0) return;
  const ranked = [...pool.values()].filter((c) => matches(c.item)).sort((a, b) => b.score - a.score || (a.item.id < b.item.id ? -1 : 1));
  let placed = 0;
  for (const c of ranked) {
    if (placed >= want) break;
    if (!caps.allows(c.item)) continue;
    // the placed-th promoted item goes to the free slot nearest its even share of the list
    const target = Math.min(slots.length - 1, Math.floor(((placed + 0.5) * slots.length) / want));
    const slot = nearestFree(slots, target);
    if (slot < 0) return;
    c.parts.promoted = 1;
    addReason(c, { type: 'promoted', text: label ?? 'Featured' });
    slots[slot] = c;
    caps.add(c.item);
    pool.delete(c.item.id);
    placed++;
  }
}

export function nearestFree(slots: Array<Candidate | undefined>, target: number): number {
  for (let d = 0; d < slots.length; d++) {
    if (target + d < slots.length && !slots[target + d]) return target + d;
    if (target - d >= 0 && !slots[target - d]) return target - d;
  }
  return -1;
}
