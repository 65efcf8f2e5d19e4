import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentImpressions, type ShownItem } from './recentImpressions.ts';

type Op = { kind: 'push'; ids: string[]; timestamp: number } | { kind: 'read' } | { kind: 'replace'; items: ShownItem[] };

const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), ids: fc.array(id, { maxLength: 12 }), timestamp: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'read' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      items: fc.array(fc.record({ itemId: id, timestamp: fc.integer({ min: 0, max: 5 }) }), { maxLength: 15 }).map((xs) => xs.sort((x, y) => x.timestamp - y.timestamp)),
    }),
  },
);

describe('RecentImpressions', () => {
  it('holds the newest `max` items oldest first, like an array that appends and drops its front', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.array(op, { maxLength: 40 }), (max, ops) => {
        const ring = new RecentImpressions(max);
        let model: ShownItem[] = [];
        // every view handed out, with a copy of what it held then: a view never changes later
        const views: Array<{ view: readonly ShownItem[]; held: ShownItem[] }> = [];
        let last: readonly ShownItem[] | undefined;
        for (const o of ops) {
          if (o.kind === 'push') {
            ring.push(o.ids, o.timestamp);
            model = max > 0 ? [...model, ...o.ids.map((itemId) => ({ itemId, timestamp: o.timestamp }))].slice(-max) : [];
            if (o.ids.length > 0) last = undefined;
          } else if (o.kind === 'replace') {
            ring.replace(o.items);
            model = max > 0 ? o.items.slice(-max) : [];
            last = undefined;
          } else {
            const view = ring.items();
            expect(view).toEqual(model);
            // unchanged state: the same array again
            if (last) expect(view).toBe(last);
            last = view;
            views.push({ view, held: view.map((x) => ({ ...x })) });
          }
          expect(ring.size).toBe(model.length);
          // no list is kept once its last item is dropped (each held list holds at least one)
          expect(ring.listCount).toBeLessThanOrEqual(ring.size);
        }
        expect(ring.items()).toEqual(model);
        for (const { view, held } of views) expect(view).toEqual(held);
      }),
    );
  });

  it('builds each shown item once: a new view reuses the objects of the previous one it still holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.array(id, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }), (max, lists) => {
        const ring = new RecentImpressions(max);
        let before: readonly ShownItem[] = [];
        let pushed = 0;
        for (const [k, list] of lists.entries()) {
          ring.push(list, k);
          pushed += list.length;
          const after = ring.items();
          // the kept part of the previous view is the start of the new one, object for object
          const kept = before.slice(Math.max(0, before.length + list.length - max));
          for (let j = 0; j < kept.length; j++) expect(after[j]).toBe(kept[j]);
          expect(after.length).toBe(Math.min(max, pushed));
          before = after;
        }
      }),
    );
  });

  it('drops whole lists and the front of a list at the cap, across the ring wrapping and growing', () => {
    const ring = new RecentImpressions(5);
    ring.push(['a', 'b', 'c'], 1);
    ring.push(['d', 'e', 'f'], 2);
    expect(ring.items().map((x) => x.itemId)).toEqual(['b', 'c', 'd', 'e', 'f']);
    for (let t = 3; t < 20; t++) ring.push([`x${t}`], t);
    expect(ring.items()).toEqual([15, 16, 17, 18, 19].map((t) => ({ itemId: `x${t}`, timestamp: t })));
    ring.push(['p', 'q', 'r', 's', 't', 'u', 'v'], 30);
    expect(ring.items().map((x) => x.itemId)).toEqual(['r', 's', 't', 'u', 'v']);
    expect(ring.size).toBe(5);
    expect(ring.listCount).toBe(1);
  });

  it('replacing with nothing empties a view already read', () => {
    const ring = new RecentImpressions(3);
    ring.push(['a'], 1);
    expect(ring.items()).toHaveLength(1);
    ring.replace([]);
    expect(ring.items()).toEqual([]);
    expect(ring.size).toBe(0);
  });
});
