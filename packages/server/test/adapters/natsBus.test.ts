import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { NatsBus, type NatsBusOptions } from '../../src/adapters/nats/natsBus.ts';
import type { Bus, BusTopic } from '../../src/ports/bus.ts';
import { busConformance, eventually } from '../conformance/busConformance.ts';

/**
 * Runs the Bus conformance suite against a real NATS JetStream (NATS_URL), in both consumer
 * modes. Each bus gets a stream (prefix) unique to this run, deleted afterwards.
 */
const url = process.env.NATS_URL;
const run = `attune_t_${process.pid}_${randomBytes(3).toString('hex')}`;
let n = 0;

async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: url! });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

function suite(name: string, extra: Partial<NatsBusOptions>): void {
  busConformance({
    name,
    create: (onError) => NatsBus.connect({ url: url!, prefix: `${run}_${n++}`, onError, ...extra }),
    // replicas of a worker group share messages instead of each getting all: no fan-out test there
    ...(extra.group === undefined
      ? { peer: (bus: Bus, onError: (err: unknown, topic: BusTopic) => void) => NatsBus.connect({ url: url!, prefix: (bus as NatsBus).stream, onError }) }
      : {}),
    settle: (bus) => (bus as NatsBus).ready(),
    dispose: (bus) => deleteStream((bus as NatsBus).stream),
  });
}

describe.skipIf(!url)('NatsBus', () => {
  suite('NatsBus (API node: ephemeral fan-out)', {});

  const collect = (bus: Bus, topic: BusTopic, into: string[]) =>
    bus.subscribe(topic, (m) => void into.push(JSON.stringify(m)));

  it('a worker group shares a durable consumer: each message handled once, kept while no member runs', async () => {
    const prefix = `${run}_${n++}`;
    // a member leaving may have been handed a message: the group gets it again after ackWaitMs
    const worker = { url: url!, prefix, group: 'trainer', ackWaitMs: 3000 };
    const publisher = await NatsBus.connect({ url: url!, prefix });
    const members = await Promise.all([0, 1].map(() => NatsBus.connect(worker)));
    const got: string[][] = [[], []];
    try {
      members.forEach((m, i) => collect(m, 'items.changed', got[i]!));
      await Promise.all(members.map((m) => m.ready()));
      const sent = Array.from({ length: 40 }, (_, i) => JSON.stringify({ ids: [`m${i}`] }));
      for (let i = 0; i < 40; i++) await publisher.publish('items.changed', { ids: [`m${i}`] });
      await eventually(() => expect([...got[0]!, ...got[1]!].sort()).toEqual([...sent].sort()));

      // every member gone: messages wait in the stream for the group's next member
      await Promise.all(members.map((m) => m.close()));
      await publisher.publish('users.changed', { userId: 'while-away' });
      for (const userId of ['while-away', 'still-away']) {
        if (userId !== 'while-away') await publisher.publish('users.changed', { userId });
        const next = await NatsBus.connect(worker);
        const nextGot: string[] = [];
        try {
          collect(next, 'users.changed', nextGot);
          await eventually(() => expect(nextGot).toEqual([JSON.stringify({ userId })]));
        } finally {
          await next.close();
        }
      }
    } finally {
      await Promise.all(members.map((m) => m.close()));
      await publisher.close();
      await deleteStream(prefix);
    }
  });

  it('rejects names that are not valid stream or consumer names', async () => {
    await expect(NatsBus.connect({ url: url!, prefix: 'a.b' })).rejects.toThrow(/prefix/);
    await expect(NatsBus.connect({ url: url!, group: 'x y' })).rejects.toThrow(/group/);
  });
});

// a worker group of one behaves like any bus
describe.skipIf(!url)('NatsBus (worker group)', () => {
  suite('NatsBus (worker role: durable group consumer)', { group: 'worker' });
});
