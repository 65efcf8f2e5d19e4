import type { Candidate, UserProfile } from '../types.ts';

/**
 * Rotation: items shown to the user in the last `hours` that they did not engage with since
 * lose `strength` × (shown times, saturating) of their score, so the list does not go stale.
 */
export function applyRotation(candidates: readonly Candidate[], user: UserProfile | undefined, now: number, strength: number, hours: number): void {
  const imps = user?.recentImpressions;
  if (!imps || imps.length === 0 || strength === 0) return;
  const from = now - hours * 3_600_000;
  const lastEngaged = new Map<string, number>();
  for (const e of user.history) if (e.timestamp > (lastEngaged.get(e.itemId) ?? -Infinity)) lastEngaged.set(e.itemId, e.timestamp);
  const shown = new Map<string, number>();
  for (const i of imps) {
    if (i.timestamp < from || i.timestamp > now) continue;
    // engaging after the impression means it was not ignored
    if ((lastEngaged.get(i.itemId) ?? -Infinity) >= i.timestamp) continue;
    shown.set(i.itemId, (shown.get(i.itemId) ?? 0) + 1);
  }
  if (shown.size === 0) return;
  for (const c of candidates) {
    const times = shown.get(c.item.id);
    if (!times) continue;
    const factor = strength * (1 - Math.pow(0.5, times));
    const part = -factor * Math.abs(c.score) - factor * 0.5;
    c.parts.rotation = part;
    c.score += part;
  }
}
