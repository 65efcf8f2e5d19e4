import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../ports/store.ts';
import { collectEvents } from './trainCore.ts';

async function* pages(events: StoredEvent[], size: number): AsyncGenerator<StoredEvent[]> {
  for (let k = 0; k < events.length; k += size) yield events.slice(k, k + size);
}

function event(seq: number, extra: Partial<StoredEvent> = {}): StoredEvent {
  return { eventId: `e${seq}`, seq, receivedAt: 0, type: 'view', userId: `u${seq % 3}`, itemId: `i${seq % 5}`, timestamp: 1_000 * seq, ...extra };
}

describe('collectEvents', () => {
  it('keeps item events as columns, counts item-less ones, and tracks the last seq and time', async () => {
    const events = [event(1), event(2, { itemId: undefined, type: 'search' }), event(3, { type: 'purchase' })];
    const data = await collectEvents(pages(events, 2), 1);
    expect(data.count).toBe(3);
    expect(data.lastSeq).toBe(3);
    expect(data.dataUntil).toBe(3_000);
    expect(data.columns.toInteractions()).toEqual([
      { userId: 'u1', itemId: 'i1', type: 'view', timestamp: 1_000 },
      { userId: 'u0', itemId: 'i3', type: 'purchase', timestamp: 3_000 },
    ]);
  });

  it('keeps the newest events with a context, in scan order, up to the bound', async () => {
    const events = Array.from({ length: 10 }, (_, k) => event(k + 1, k % 2 === 0 ? { context: { device: `d${k + 1}` } } : {}));
    const bounded = await collectEvents(pages(events, 3), 0, { maxContextEvents: 3 });
    expect(bounded.contextEvents?.map((e) => e.context?.device)).toEqual(['d5', 'd7', 'd9']);
    const all = await collectEvents(pages(events, 3), 0, { maxContextEvents: 5 });
    expect(all.contextEvents?.map((e) => e.context?.device)).toEqual(['d1', 'd3', 'd5', 'd7', 'd9']);
    expect((await collectEvents(pages(events, 3), 0, { maxContextEvents: 4 })).contextEvents?.map((e) => e.context?.device)).toEqual(['d3', 'd5', 'd7', 'd9']);
  });

  it('keeps engagements only with lists the trainer read from the log', async () => {
    const events = [event(1, { recommendationId: 'r-old' }), event(2, { recommendationId: 'r-new' }), event(3)];
    const data = await collectEvents(pages(events, 10), 0, { shownLists: new Set(['r-new']) });
    expect(data.recommendedEvents).toEqual([{ recommendationId: 'r-new', itemId: 'i2', type: 'view' }]);
    expect((await collectEvents(pages(events, 10))).recommendedEvents?.map((e) => e.recommendationId)).toEqual(['r-old', 'r-new']);
  });
});
