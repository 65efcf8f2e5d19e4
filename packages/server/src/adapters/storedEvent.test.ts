import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../ports/store.ts';
import { storedEvent } from './storedEvent.ts';

describe('storedEvent', () => {
  it('carries every field of the new event plus the store-assigned ones, and no absent field as undefined', () => {
    const full: NewEvent = {
      eventId: 'client',
      type: 'purchase',
      userId: 'u',
      itemId: 'i',
      value: 3.5,
      timestamp: 10,
      sessionId: 's',
      recommendationId: 'r',
      context: { device: 'tv' },
      properties: { coupon: 'X' },
    };
    expect(storedEvent(full, 'client', 7, 11)).toStrictEqual({ ...full, seq: 7, receivedAt: 11 });
    const bare: NewEvent = { type: 'search', userId: 'u', timestamp: 1 };
    const s = storedEvent(bare, 'e-1', 1, 2);
    expect(s).toStrictEqual({ eventId: 'e-1', seq: 1, type: 'search', userId: 'u', timestamp: 1, receivedAt: 2 });
    expect(Object.keys(s)).not.toContain('itemId');
  });
});
