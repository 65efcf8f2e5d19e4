import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csrFromTriplets } from '../data/csr.ts';
import { MostPopular } from './popularity.ts';
import { Trending, trendingFactory } from './trending.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1);

/** 40 users; item 0 was popular a month ago, item 1 mildly popular all along, item 2 took off in the last hours. */
function rising() {
  const rows: number[] = [];
  const cols: number[] = [];
  const times: number[] = [];
  const add = (u: number, i: number, t: number): void => {
    rows.push(u);
    cols.push(i);
    times.push(t);
  };
  for (let u = 0; u < 30; u++) add(u, 0, NOW - 30 * 24 * HOUR - u * HOUR);
  for (let u = 0; u < 12; u++) add(u, 1, NOW - u * 12 * HOUR);
  for (let u = 20; u < 30; u++) add(u, 2, NOW - (u - 20) * 0.2 * HOUR);
  for (let u = 30; u < 40; u++) add(u, 3, NOW + HOUR); // in the future: not happened yet
  // csrFromTriplets keeps (user, item) pairs unique here, so entry order is by user then item
  const matrix = csrFromTriplets({ rows: 40, cols: 4 }, { rows, cols, values: rows.map(() => 1) });
  const at = new Map(rows.map((u, k) => [`${u}:${cols[k]}`, times[k] as number]));
  const timestamps = new Float64Array(matrix.data.length);
  for (let u = 0; u < matrix.rows; u++) for (let p = matrix.indptr[u] as number; p < (matrix.indptr[u + 1] as number); p++) timestamps[p] = at.get(`${u}:${matrix.indices[p]}`) as number;
  return { matrix, timestamps };
}

describe('trending', () => {
  it('ranks what is rising now above what was popular before, ignoring the future', () => {
    const { matrix, timestamps } = rising();
    const m = new Trending({ halfLifeHours: 24, windowDays: 7 });
    m.fit(matrix, { timestamps, now: NOW });
    const rec = m.recommend({ user: 39 }, 4);
    // item 0's events are all outside the window; item 3 is the user's own (future) history
    expect(Array.from(rec.items)).toEqual([2, 1, 0]);
    expect(rec.scores[2]).toBe(0);
    expect(m.trendingScores()[3]).toBe(0);
    const pop = new MostPopular();
    pop.fit(matrix);
    expect(pop.recommend({ user: 39 }, 1).items[0]).toBe(0);
    const v = m.velocity();
    expect(v[2]).toBeGreaterThan(v[1] as number);
    expect(v[0]).toBe(0);
    expect(v[3]).toBe(0);
  });

  it('with an earlier "now", shows what was trending then', () => {
    const { matrix, timestamps } = rising();
    const m = new Trending({ halfLifeHours: 24, windowDays: 7 });
    m.fit(matrix, { timestamps, now: NOW - 29 * 24 * HOUR });
    expect(m.recommend({ user: 39 }, 1).items[0]).toBe(0);
  });

  it('falls back to plain counts without timestamps', () => {
    const { matrix } = rising();
    const m = new Trending();
    m.fit(matrix);
    const pop = new MostPopular();
    pop.fit(matrix);
    expect(Array.from(m.scoreAll({ user: 0 }))).toEqual(Array.from(pop.scoreAll({ user: 0 })));
  });

  it('round-trips through bytes and honours exclusions', () => {
    const { matrix, timestamps } = rising();
    const m = new Trending({ halfLifeHours: 6, windowDays: 40 });
    m.fit(matrix, { timestamps, now: NOW });
    const copy = trendingFactory.deserialize(m.serialize());
    fc.assert(
      fc.property(fc.nat(39), fc.uniqueArray(fc.nat(3), { maxLength: 3 }), (u, excluded) => {
        const a = m.recommend({ user: u }, 4, { exclude: excluded });
        const b = copy.recommend({ user: u }, 4, { exclude: excluded });
        expect(Array.from(b.items)).toEqual(Array.from(a.items));
        for (const i of a.items) expect(excluded).not.toContain(i);
        for (const i of a.items) expect(Array.from(m.userHistory(u).indices)).not.toContain(i);
      }),
    );
    expect(Array.from((copy as Trending).velocity())).toEqual(Array.from(m.velocity()));
  });
});
