import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../ports/store.ts';
import { buildEvalData, columnCounts, DEFAULT_TYPE_WEIGHTS } from '@attune/engine';
import { decodeArtifact } from './artifact.ts';
import { collectEvents, trainOnEvents } from './trainCore.ts';

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

describe('trainOnEvents', () => {
  // 12 users with 6 events each over 8 items: enough for a per-user hold-out
  const events = Array.from({ length: 72 }, (_, k) => event(k + 1, { userId: `u${k % 12}`, itemId: `i${(k * 5) % 8}`, type: k % 4 === 0 ? 'purchase' : 'view' }));
  const spec = { model: 'item-knn', params: {}, typeWeights: { ...DEFAULT_TYPE_WEIGHTS }, defaultWeight: 1 };

  it('takes the events over: their columns are released once trained on', async () => {
    const data = await collectEvents(pages(events, 10), events.length);
    let collections = 0;
    const outcome = await trainOnEvents(data, spec, () => {}, Date.now, () => collections++);
    expect(outcome.metrics['ndcg@10']).toBeGreaterThanOrEqual(0);
    expect(data.columns.length).toBe(0);
    // after the split, the evaluation, the refit data, the refit and the packing
    expect(collections).toBe(5);
  });

  it('packs the refit on every event: the id maps and item popularity of buildEvalData over them, the same bytes run after run', async () => {
    const first = await trainOnEvents(await collectEvents(pages(events, 10), events.length), spec);
    const second = await trainOnEvents(await collectEvents(pages(events, 7), 0), spec);
    expect(Buffer.from(second.artifact).equals(Buffer.from(first.artifact))).toBe(true);
    const all = buildEvalData(events.map((e) => ({ userId: e.userId, itemId: e.itemId ?? '', type: e.type, timestamp: e.timestamp })), [], { typeWeights: spec.typeWeights, defaultWeight: 1 });
    const packed = decodeArtifact(first.artifact);
    expect(packed.users.toJSON()).toEqual(all.users.toJSON());
    expect(packed.items.toJSON()).toEqual(all.items.toJSON());
    expect([...packed.popularity]).toEqual([...columnCounts(all.train)]);
    expect(packed.lastSeq).toBe(72);
  });
});
