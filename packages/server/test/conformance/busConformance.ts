import { describe, expect, it } from 'vitest';
import type { Bus, BusMessages, BusTopic } from '../../src/ports/bus.ts';
import type { StoredEvent } from '../../src/ports/store.ts';

/**
 * The behaviour every Bus adapter must have. A networked bus delivers after publish resolves,
 * so the suite waits for deliveries it expects, and proves an absence with a barrier: a later
 * message that a still-subscribed handler has seen. No assertion depends on timing.
 */
export interface BusConformanceFactory {
  name: string;
  /** a fresh bus of a fresh deployment; subscriber errors go to `onError` */
  create(onError: (err: unknown, topic: BusTopic) => void): Promise<Bus>;
  /** another replica's bus in the same deployment as `bus`; omitted for in-process buses */
  peer?(bus: Bus, onError: (err: unknown, topic: BusTopic) => void): Promise<Bus>;
  /** resolves once `bus`'s subscriptions so far receive everything published from now on, from any replica */
  settle?(bus: Bus): Promise<void>;
  /** removes what the deployment left behind (after close) */
  dispose?(bus: Bus): Promise<void>;
}

/** Retries `check` until it stops throwing; the bound only keeps a broken adapter from hanging the run. */
export async function eventually(check: () => void, waitMs = 15_000): Promise<void> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

function recorder<T extends BusTopic>() {
  const got: Array<BusMessages[T]> = [];
  return { got, handler: (m: BusMessages[T]) => void got.push(m) };
}

const T0 = Date.UTC(2026, 0, 1);

export function busConformance(factory: BusConformanceFactory): void {
  const withBus = (fn: (bus: Bus, errors: Array<{ err: unknown; topic: BusTopic }>) => Promise<void>) => async () => {
    const errors: Array<{ err: unknown; topic: BusTopic }> = [];
    const bus = await factory.create((err, topic) => errors.push({ err, topic }));
    try {
      await fn(bus, errors);
    } finally {
      await bus.close();
      await factory.dispose?.(bus);
    }
  };

  describe(`Bus conformance: ${factory.name}`, () => {
    it(
      'delivers a message to every subscriber of its topic and to no other topic',
      withBus(async (bus) => {
        const a = recorder<'items.changed'>();
        const b = recorder<'items.changed'>();
        const other = recorder<'users.changed'>();
        bus.subscribe('items.changed', a.handler);
        bus.subscribe('items.changed', b.handler);
        bus.subscribe('users.changed', other.handler);
        await bus.publish('items.changed', { ids: ['i1', 'i2'] });
        await eventually(() => {
          expect(a.got).toEqual([{ ids: ['i1', 'i2'] }]);
          expect(b.got).toEqual([{ ids: ['i1', 'i2'] }]);
        });
        // barrier: once the later message is seen, an earlier stray delivery would have shown
        await bus.publish('users.changed', { userId: 'u' });
        await eventually(() => expect(other.got).toEqual([{ userId: 'u' }]));
        expect(a.got).toHaveLength(1);
      }),
    );

    it(
      'carries messages intact',
      withBus(async (bus) => {
        const got = recorder<'events.accepted'>();
        bus.subscribe('events.accepted', got.handler);
        const events: StoredEvent[] = [
          { eventId: 'e1', seq: 41, receivedAt: T0 + 5, type: 'purchase', userId: 'ü', itemId: 'a', value: 19.99, timestamp: T0, context: { device: 'mobile', n: [1, 2] } },
          { eventId: 'e2', seq: 42, receivedAt: T0 + 5, type: 'search', userId: 'u2', timestamp: T0 + 1 },
        ];
        await bus.publish('events.accepted', { events });
        await bus.publish('schema.changed', {});
        await eventually(() => expect(got.got).toEqual([{ events }]));
      }),
    );

    it(
      'stops delivering to a handler once unsubscribed, and keeps delivering to the others',
      withBus(async (bus) => {
        const gone = recorder<'users.deleted'>();
        const stays = recorder<'users.deleted'>();
        const unsubscribe = bus.subscribe('users.deleted', gone.handler);
        bus.subscribe('users.deleted', stays.handler);
        await bus.publish('users.deleted', { userId: '1' });
        await eventually(() => expect(gone.got).toHaveLength(1));
        unsubscribe();
        unsubscribe(); // harmless twice
        await bus.publish('users.deleted', { userId: '2' });
        await eventually(() => expect(stays.got.map((m) => m.userId)).toEqual(['1', '2']));
        expect(gone.got.map((m) => m.userId)).toEqual(['1']);
        // the last handler of a topic may leave, and a new one arrive
        const later = recorder<'users.deleted'>();
        bus.subscribe('users.deleted', later.handler);
        await bus.publish('users.deleted', { userId: '3' });
        await eventually(() => expect(later.got.map((m) => m.userId)).toEqual(['3']));
      }),
    );

    it(
      'a failing subscriber fails neither the publisher nor the other subscribers, and stays subscribed',
      withBus(async (bus, errors) => {
        const good = recorder<'users.merged'>();
        let failures = 0;
        bus.subscribe('users.merged', () => {
          failures++;
          throw new Error('sync failure');
        });
        bus.subscribe('users.merged', async () => {
          failures++;
          throw new Error('async failure');
        });
        bus.subscribe('users.merged', good.handler);
        await expect(bus.publish('users.merged', { fromUserId: 'a', intoUserId: 'b', movedEvents: 1 })).resolves.toBeUndefined();
        await bus.publish('users.merged', { fromUserId: 'c', intoUserId: 'd', movedEvents: 2 });
        await eventually(() => expect(good.got.map((m) => m.fromUserId)).toEqual(['a', 'c']));
        await eventually(() => expect(failures).toBe(4));
        await eventually(() => expect(errors).toHaveLength(4));
        expect(errors.every((e) => e.topic === 'users.merged' && e.err instanceof Error)).toBe(true);
      }),
    );

    it(
      "keeps each publisher's order, awaited or not",
      withBus(async (bus) => {
        const got = recorder<'items.changed'>();
        bus.subscribe('items.changed', got.handler);
        for (let i = 0; i < 30; i++) await bus.publish('items.changed', { ids: [`a${i}`] });
        await Promise.all(Array.from({ length: 30 }, (_, i) => bus.publish('items.changed', { ids: [`b${i}`] })));
        const expected = [...Array.from({ length: 30 }, (_, i) => `a${i}`), ...Array.from({ length: 30 }, (_, i) => `b${i}`)];
        await eventually(() => expect(got.got.map((m) => m.ids[0])).toEqual(expected));
      }),
    );

    it(
      "keeps a publisher's order across topics",
      withBus(async (bus) => {
        const log: string[] = [];
        bus.subscribe('users.merged', (m) => void log.push(`merged ${m.fromUserId}`));
        bus.subscribe('events.accepted', (m) => void log.push(`events ${m.events.length}`));
        bus.subscribe('users.deleted', (m) => void log.push(`deleted ${m.userId}`));
        const expected: string[] = [];
        for (let i = 0; i < 10; i++) {
          await bus.publish('users.merged', { fromUserId: `a${i}`, intoUserId: 'k', movedEvents: 0 });
          await bus.publish('events.accepted', { events: [] });
          await bus.publish('users.deleted', { userId: `d${i}` });
          expected.push(`merged a${i}`, 'events 0', `deleted d${i}`);
        }
        await eventually(() => expect(log).toEqual(expected));
      }),
    );

    it(
      'close stops deliveries, publishing afterwards is a no-op, closing twice is harmless',
      withBus(async (bus) => {
        const got = recorder<'items.changed'>();
        bus.subscribe('items.changed', got.handler);
        await bus.publish('items.changed', { ids: ['before'] });
        await eventually(() => expect(got.got).toHaveLength(1));
        await bus.close();
        await expect(bus.publish('items.changed', { ids: ['after'] })).resolves.toBeUndefined();
        await bus.close();
        expect(got.got.map((m) => m.ids[0])).toEqual(['before']);
      }),
    );

    if (factory.peer) {
      const makePeer = factory.peer;
      it(
        'fans a message out to the subscribers of every replica',
        withBus(async (bus) => {
          const peer = await makePeer(bus, () => {});
          try {
            const here = recorder<'items.changed'>();
            const there = recorder<'items.changed'>();
            bus.subscribe('items.changed', here.handler);
            peer.subscribe('items.changed', there.handler);
            await factory.settle?.(bus);
            await factory.settle?.(peer);
            await peer.publish('items.changed', { ids: ['from-peer'] });
            await bus.publish('items.changed', { ids: ['from-bus'] });
            await eventually(() => {
              expect(here.got.map((m) => m.ids[0]).sort()).toEqual(['from-bus', 'from-peer']);
              expect(there.got.map((m) => m.ids[0]).sort()).toEqual(['from-bus', 'from-peer']);
            });
          } finally {
            await peer.close();
          }
        }),
      );
    }
  });
}
