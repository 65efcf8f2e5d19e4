import { describe, expect, it } from 'vitest';
import { RequestMemory, type RememberedRequest } from './requestMemory.ts';

const request = (userId: string, shown: number): RememberedRequest => ({
  surface: 'user',
  userId,
  opts: { n: shown, now: 0 },
  shown: Array.from({ length: shown }, (_, k) => `i${k}`),
  page: 1,
  firstId: 'x',
});

describe('RequestMemory', () => {
  it('keeps the newest requests within the count budget', () => {
    const m = new RequestMemory(2);
    m.remember('a', request('u', 1));
    m.remember('b', request('u', 1));
    m.remember('c', request('u', 1));
    expect([m.get('a'), m.get('b')?.userId, m.get('c')?.userId]).toEqual([undefined, 'u', 'u']);
  });

  it('evicts the oldest when the ids held exceed the budget, re-remembering replaces', () => {
    const m = new RequestMemory(100, 25);
    m.remember('a', request('u', 10));
    m.remember('b', request('u', 10));
    m.remember('b', request('u', 10));
    expect(m.get('a')).toBeDefined();
    m.remember('c', request('u', 10));
    expect(m.get('a')).toBeUndefined();
    expect(m.get('c')).toBeDefined();
  });

  it('forgets a deleted user', () => {
    const m = new RequestMemory();
    m.remember('a', request('gone', 1));
    m.remember('b', request('kept', 1));
    m.forget('gone');
    expect([m.get('a'), m.get('b')?.userId]).toEqual([undefined, 'kept']);
  });
});
