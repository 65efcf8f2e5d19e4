import { Rng } from '../data/rng.ts';
import type { ModelFactory } from '../models/model.ts';

/**
 * The parameter sets a tuner tries for one model: its defaults first (so a model without a grid
 * is still evaluated), then the grid — every combination in order ('grid') or seeded random
 * combinations ('random'); 'auto' takes the whole grid when it fits in maxTrials and samples
 * it at random otherwise (a truncated grid would only ever vary the last parameters).
 * Duplicates are dropped; at most maxTrials sets are returned.
 */
export type SearchKind = 'grid' | 'random' | 'auto';

export function candidateParams(factory: Pick<ModelFactory, 'defaults' | 'grid'>, search: SearchKind = 'auto', maxTrials = Infinity, seed = 42): Record<string, unknown>[] {
  const defaults = { ...factory.defaults };
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const push = (p: Record<string, unknown>): boolean => {
    const key = canonicalKey(p);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
    return out.length >= maxTrials;
  };
  if (push(defaults)) return out;
  const grid = Object.entries(factory.grid ?? {}).filter(([, values]) => values.length > 0);
  if (grid.length === 0) return out;
  const total = grid.reduce((n, [, values]) => n * values.length, 1);
  if (search === 'grid' || (search === 'auto' && total + 1 <= maxTrials)) {
    for (let c = 0; c < total; c++) if (push({ ...defaults, ...combination(grid, c) })) break;
  } else {
    const rng = new Rng(seed);
    // sample without replacement over combination numbers; bounded tries keep it finite
    for (let tries = 0; tries < total * 4 && out.length < Math.min(maxTrials, total + 1); tries++) {
      if (push({ ...defaults, ...combination(grid, rng.int(total)) })) break;
    }
  }
  return out;
}

/** The c-th combination of the grid (mixed-radix digits, first parameter varies slowest). */
function combination(grid: [string, readonly unknown[]][], c: number): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  for (let g = grid.length - 1; g >= 0; g--) {
    const [name, values] = grid[g] as [string, readonly unknown[]];
    p[name] = values[c % values.length];
    c = Math.floor(c / values.length);
  }
  return p;
}

/** A stable key for a parameter set (keys sorted), for de-duplication and display. */
export function canonicalKey(p: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]])));
}
