import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../ports/store.ts';
import { onlineEventsOf } from './onlineEvents.ts';

const stored = (seq: number, itemId?: string): StoredEvent => ({ eventId: `e${seq}`, seq, type: itemId ? 'view' : 'search', userId: 'u', timestamp: seq, receivedAt: seq, ...(itemId ? { itemId } : {}) });

describe('onlineEventsOf', () => {
  it('keeps the events about an item, in order, and leaves out the others', () => {
    const events = [stored(1, 'a'), stored(2), stored(3, 'b'), stored(4)];
    const out = onlineEventsOf(events);
    expect(out.map((e) => [e.seq, e.itemId])).toEqual([
      [1, 'a'],
      [3, 'b'],
    ]);
    expect(onlineEventsOf([stored(5)])).toEqual([]);
  });
});
