import { retrievePopular, retrievePopularInSegment } from '../../retrieval/popularity.ts';
import { retrieveTrending } from '../../retrieval/trending.ts';
import type { Retrieved, RetrievalQuery } from '../../retrieval/types.ts';
import type { FallbackType } from '../scenario.ts';
import type { Candidate } from '../types.ts';

const TEXT: Record<FallbackType, string> = {
  'popular-in-segment': 'Popular with people like you',
  trending: 'Trending now',
  popular: 'Popular with everyone',
};

/**
 * Candidates for when relevant ones run out, in the scenario's fallback order (popular in
 * segment → trending → popular), labelled `fallback` with the source as value. They go
 * through the same filter as every candidate (the query's isExcluded plus `allowed`).
 */
export function fallbackCandidates(query: RetrievalQuery, order: readonly FallbackType[], want: number, taken: ReadonlySet<string>, allowed: (c: Retrieved) => boolean): Candidate[] {
  const out: Candidate[] = [];
  const have = new Set(taken);
  for (const kind of order) {
    if (out.length >= want) break;
    const ask = want - out.length + taken.size + 10;
    const list = kind === 'popular-in-segment' ? retrievePopularInSegment(query, ask) : kind === 'trending' ? retrieveTrending(query, ask) : retrievePopular(query, ask);
    for (const r of list) {
      if (out.length >= want) break;
      if (have.has(r.item.id) || !allowed(r)) continue;
      have.add(r.item.id);
      const value = r.reason.value && kind === 'popular-in-segment' ? r.reason.value : kind;
      out.push({ item: r.item, score: 0, parts: { [`fallback:${kind}`]: 1 }, reasons: [{ type: 'fallback', text: kind === 'popular-in-segment' && r.reason.value ? `${TEXT[kind]} (${r.reason.value})` : TEXT[kind], value }], sources: [`fallback:${kind}`] });
    }
  }
  return out;
}
