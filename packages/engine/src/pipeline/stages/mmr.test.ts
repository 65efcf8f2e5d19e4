import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildContentIndex } from '../../retrieval/content.ts';
import type { Candidate, CatalogItem } from '../types.ts';
import { CapCounter } from './caps.ts';
import { itemSimilarity, noveltyWeight, propertySimilarity, rankRelevance, selectMmr } from './mmr.ts';

// planted catalogue: relevance is concentrated in category c0, every fourth item elsewhere
function plantedPool(size = 160): Candidate[] {
  return Array.from({ length: size }, (_, k) => ({
    item: { id: `i${k}`, index: k, properties: { category: k % 4 === 3 ? `c${1 + (k % 5)}` : 'c0' }, available: true },
    score: 100 - k * 0.5,
    parts: {},
    reasons: [],
    sources: ['test'],
  }));
}

const sim = propertySimilarity(['category']);

function run(diversity: number, opts: { pool?: Candidate[]; n?: number; pinned?: Record<number, Candidate>; caps?: Array<{ property: string; max: number }> } = {}): Candidate[] {
  const pool = opts.pool ?? plantedPool();
  const slots: Array<Candidate | undefined> = new Array(opts.n ?? 10).fill(undefined);
  for (const [slot, c] of Object.entries(opts.pinned ?? {})) slots[Number(slot)] = c;
  const rest = pool.filter((c) => !slots.includes(c));
  selectMmr(rest, slots, diversity, sim, new CapCounter(opts.caps ?? []));
  return slots.filter((s): s is Candidate => s !== undefined);
}

const ids = (l: Candidate[]) => l.map((c) => c.item.id);
const cat = (c: Candidate) => c.item.properties.category as string;
function ild(list: Candidate[]): number {
  let s = 0;
  let pairs = 0;
  for (let a = 0; a < list.length; a++) for (let b = a + 1; b < list.length; b++, pairs++) s += cat(list[a]) === cat(list[b]) ? 0 : 1;
  return s / pairs;
}

describe('selectMmr (diversity re-ranking)', () => {
  it('diversity 0 is the score order', () => {
    const pool = plantedPool();
    expect(ids(run(0, { pool: [...pool].reverse() }))).toEqual(ids(pool.slice(0, 10)));
  });

  it('raises intra-list diversity on a planted catalogue, more as the knob rises', () => {
    const d0 = ild(run(0));
    const d3 = ild(run(0.3));
    const d1 = ild(run(1));
    expect(d3).toBeGreaterThan(d0 + 0.2);
    expect(d1).toBeGreaterThanOrEqual(d3);
  });

  it('keeps the head: the top item stays first and the picks are in score order', () => {
    const l = run(0.3);
    expect(l[0].item.id).toBe('i0');
    for (let k = 1; k < l.length; k++) expect(l[k - 1].score).toBeGreaterThanOrEqual(l[k].score);
  });

  it('never moves a pinned item and counts it as part of the list', () => {
    const pool = plantedPool();
    const pin = { ...pool[150], item: { ...pool[150].item, id: 'pinned' } };
    const l = run(0.5, { pool, pinned: { 2: pin } });
    expect(l[2].item.id).toBe('pinned');
    expect(l).toHaveLength(10);
    expect(new Set(ids(l)).size).toBe(10);
  });

  it('respects caps, even when they empty the window', () => {
    // the first 120 by score are all c0: the rest sit past the relevance horizon (rank 127)
    const pool = plantedPool().map((c, k) => ({ ...c, item: { ...c.item, properties: { category: k < 120 ? 'c0' : `c${1 + (k % 5)}` } } }));
    const l = run(0.3, { pool, caps: [{ property: 'category', max: 2 }], n: 12 });
    const counts = new Map<string, number>();
    for (const c of l) counts.set(cat(c), (counts.get(cat(c)) ?? 0) + 1);
    for (const v of counts.values()) expect(v).toBeLessThanOrEqual(2);
    // six categories × 2: the cap allows exactly 12
    expect(l).toHaveLength(12);
  });

  it('is deterministic', () => {
    expect(ids(run(0.4))).toEqual(ids(run(0.4)));
  });

  it('explains the penalty it paid', () => {
    const l = run(0.6);
    expect(l.some((c) => (c.parts.diversity ?? 0) < 0)).toBe(true);
    expect(run(0).every((c) => c.parts.diversity === undefined)).toBe(true);
  });

  it('knob scale: θ = 2d / (1 + d); relevance by rank, 0 at rank 127', () => {
    expect(noveltyWeight(0)).toBe(0);
    expect(noveltyWeight(1)).toBe(1);
    expect(noveltyWeight(0.5)).toBeCloseTo(2 / 3);
    expect(rankRelevance(0)).toBe(1);
    expect(rankRelevance(127)).toBeCloseTo(0);
    expect(rankRelevance(3)).toBeCloseTo(1 - 2 / 7);
  });
});

describe('itemSimilarity.accumulate', () => {
  // small vocabularies so that items share words and categories often, and some share nothing
  const word = fc.constantFrom('red', 'blue', 'green', 'fast', 'slow', 'big', 'tiny', 'night', 'day');
  const itemArb = fc.record({
    words: fc.array(word, { maxLength: 5 }),
    category: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
    vector: fc.option(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), { nil: undefined }),
    indexed: fc.boolean(),
  });

  it('adds exactly (bitwise) what between gives pair by pair, skipping what it is told to', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 2, maxLength: 25 }), fc.array(fc.boolean(), { maxLength: 25 }), fc.boolean(), (specs, skips, withIndex) => {
        const items: CatalogItem[] = specs.map((s, k) => ({ id: `i${k}`, index: k, properties: { title: s.words.join(' '), ...(s.category ? { category: s.category } : {}) }, available: true }));
        const vectors: Record<string, number[]> = {};
        specs.forEach((s, k) => {
          if (s.vector) vectors[`i${k}`] = s.vector;
        });
        // some items are unknown to the index (a new item after the last build)
        const content = withIndex ? buildContentIndex(items.filter((_, k) => specs[k]!.indexed), { text: ['title'], vectors }) : undefined;
        const one = itemSimilarity(content, ['category']);
        const batch = itemSimilarity(content, ['category']);
        const a = items.map((it) => one.prepare(it));
        const b = items.map((it) => batch.prepare(it));
        const skip = Uint8Array.from(items, (_, k) => (skips[k] ? 1 : 0));
        for (let pick = 0; pick < items.length; pick++) {
          const expected = new Float64Array(items.length).fill(0.25);
          const got = new Float64Array(items.length).fill(0.25);
          for (let k = 0; k < items.length; k++) if (!skip[k]) expected[k] += one.between(a[k]!, a[pick]!);
          batch.accumulate!(b, b[pick]!, skip, got);
          expect(Array.from(got)).toEqual(Array.from(expected));
        }
      }),
    );
  });
});
