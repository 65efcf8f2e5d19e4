import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/memory/memoryBus.ts';

describe('MemoryBus', () => {
  it('delivers to every subscriber of a topic before publish resolves, and stops after unsubscribe', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    const off = bus.subscribe('items.changed', (m) => void seen.push(`a:${m.ids.join(',')}`));
    bus.subscribe('items.changed', async (m) => {
      await Promise.resolve();
      seen.push(`b:${m.ids.join(',')}`);
    });
    bus.subscribe('users.deleted', (m) => void seen.push(`user:${m.userId}`));
    await bus.publish('items.changed', { ids: ['x', 'y'] });
    expect(seen).toEqual(['a:x,y', 'b:x,y']);
    off();
    await bus.publish('items.changed', { ids: ['z'] });
    expect(seen).toEqual(['a:x,y', 'b:x,y', 'b:z']);
  });

  it('a failing subscriber is reported, never thrown at the publisher, and others still run', async () => {
    const errors: string[] = [];
    const bus = new MemoryBus((err, topic) => errors.push(`${topic}: ${(err as Error).message}`));
    let delivered = 0;
    bus.subscribe('users.merged', () => {
      throw new Error('cache broke');
    });
    bus.subscribe('users.merged', () => void delivered++);
    await expect(bus.publish('users.merged', { fromUserId: 'a', intoUserId: 'b', movedEvents: 1 })).resolves.toBeUndefined();
    expect(delivered).toBe(1);
    expect(errors).toEqual(['users.merged: cache broke']);
    await bus.close();
    await bus.publish('users.merged', { fromUserId: 'a', intoUserId: 'b', movedEvents: 1 });
    expect(delivered).toBe(1);
  });
});
