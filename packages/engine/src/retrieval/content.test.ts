import { describe, expect, it } from 'vitest';
import { memoryCatalog } from '../pipeline/catalogView.ts';
import type { CatalogItem } from '../pipeline/types.ts';
import { buildContentIndex, contentSimilarity, retrieveContent } from './content.ts';
import type { RetrievalQuery } from './types.ts';

const items: CatalogItem[] = [
  { id: 'espresso', index: 0, properties: { category: 'coffee', title: 'Espresso roast coffee beans', price: 12 }, available: true, createdAt: 1 },
  { id: 'filter', index: 1, properties: { category: 'coffee', title: 'Filter coffee ground', price: 9 }, available: true, createdAt: 2 },
  { id: 'grinder', index: 2, properties: { category: 'kitchen', title: 'Burr grinder for coffee beans', price: 80 }, available: true, createdAt: 3 },
  { id: 'tea', index: 3, properties: { category: 'tea', title: 'Green tea leaves', price: 8 }, available: true, createdAt: 4 },
  { id: 'pan', index: 4, properties: { category: 'kitchen', title: 'Frying pan', price: 40 }, available: true, createdAt: 5 },
  // brand new, never interacted with: only content can find it
  { id: 'new-roast', index: -1, properties: { category: 'coffee', title: 'Espresso roast single origin beans', price: 14 }, available: true, createdAt: 6 },
];
const index = buildContentIndex(items, { categorical: ['category'], text: ['title'], numeric: ['price'] });

function query(seeds: string[], history: string[] = []): RetrievalQuery {
  return { inputs: { catalog: memoryCatalog(items), context: { now: 10 } }, indexes: { content: index }, historyIds: history, seedIds: seeds, segments: [], isExcluded: () => false, categoryProperty: 'category' };
}

describe('content index', () => {
  it('finds the new item most like the seed (categorical + TF-IDF)', () => {
    const got = retrieveContent(query(['espresso']), 3);
    expect(got[0].item.id).toBe('new-roast');
    expect(got.map((g) => g.item.id)).not.toContain('espresso');
    expect(got[0].reason.type).toBe('content-similar');
  });

  it('ranks a same-category item above an unrelated one', () => {
    expect(contentSimilarity(index, 'espresso', 'filter')).toBeGreaterThan(contentSimilarity(index, 'espresso', 'pan'));
    expect(contentSimilarity(index, 'espresso', 'tea')).toBe(0);
  });

  it('uses history when there is no seed, and bring-your-own vectors', () => {
    const got = retrieveContent(query([], ['tea', 'espresso']), 2);
    expect(got[0].item.id).toBe('new-roast');
    const withVectors = buildContentIndex(items, { vectors: { tea: [1, 0], pan: [0.9, 0.1], espresso: [0, 1] } });
    expect(contentSimilarity(withVectors, 'tea', 'pan')).toBeGreaterThan(0.9);
    expect(contentSimilarity(withVectors, 'tea', 'espresso')).toBeCloseTo(0);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(index))).toEqual(index);
  });
});
