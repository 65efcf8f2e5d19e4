import { DiscardPolicy, JetStreamApiError, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Bus, BusHandler, BusMessages, BusTopic } from '../../ports/bus.ts';
import { TopicConsumer, type ConsumerMode } from './topicConsumer.ts';

export interface NatsBusOptions {
  /** nats://host:port, several separated by commas */
  url: string;
  /** deployment prefix: the stream's name and every subject's first token. Default 'attune' */
  prefix?: string;
  /**
   * Worker roles set a group (e.g. 'trainer'): every bus of the group shares one DURABLE
   * consumer per topic, so each message is handled once by one member, and messages published
   * while no member runs wait in the stream (up to maxAgeMs). Without a group (API nodes) each
   * bus gets its own EPHEMERAL ordered consumer per topic: every node sees every message
   * published after it subscribed, which is what per-node caches need.
   */
  group?: string;
  /** how long the stream keeps messages (for durable consumers to catch up). Default 24 h */
  maxAgeMs?: number;
  /**
   * durable mode: a message not acked within this is redelivered to the group: the member died
   * mid-handler, or left just as the server handed it the message (a pull request of a closed
   * connection can still receive one). Keep it above the slowest handler. Default 60 s
   */
  ackWaitMs?: number;
  /** subscriber failures and consumer errors; never thrown to the publisher */
  onError?: (err: unknown, topic: BusTopic) => void;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const STREAM_NAME_IN_USE = 10058;

/**
 * The Bus over NATS JetStream: one stream per deployment prefix holding every topic
 * (`<prefix>.<topic>`); publish resolves after the server has stored the message (its ack).
 * Delivery is asynchronous (after publish resolves), at most one message at a time per topic
 * and bus, so a publisher's order is kept.
 */
export class NatsBus implements Bus {
  private readonly consumers = new Map<BusTopic, TopicConsumer>();
  /** consumers still being set up: publish waits for them so subscribe-then-publish delivers */
  private readonly settling = new Set<Promise<void>>();
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    private readonly mode: (topic: BusTopic) => ConsumerMode,
    private readonly onError: (err: unknown, topic: BusTopic) => void,
  ) {}

  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const prefix = opts.prefix ?? 'attune';
    if (!NAME.test(prefix)) throw new Error(`invalid NATS bus prefix: ${JSON.stringify(prefix)}`);
    const group = opts.group;
    if (group !== undefined && !NAME.test(group)) throw new Error(`invalid NATS bus group: ${JSON.stringify(group)}`);
    // a server process keeps trying to reach NATS rather than giving up after a few attempts
    const nc = await connect({ servers: opts.url.split(','), maxReconnectAttempts: -1, name: `attune-${prefix}${group ? `-${group}` : ''}` });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, prefix, (opts.maxAgeMs ?? 24 * 3_600_000) * 1_000_000);
      const ackWaitMs = opts.ackWaitMs ?? 60_000;
      const mode = (topic: BusTopic): ConsumerMode =>
        group === undefined ? { kind: 'fanout' } : { kind: 'durable', name: `${group}_${topic.replaceAll('.', '_')}`, ackWaitMs };
      return new NatsBus(nc, jetstream(nc), jsm, prefix, mode, opts.onError ?? (() => {}));
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  private subject(topic: BusTopic): string {
    return `${this.stream}.${topic}`;
  }

  async publish<T extends BusTopic>(topic: T, message: BusMessages[T]): Promise<void> {
    if (this.closed) return;
    if (this.settling.size > 0) await Promise.all([...this.settling]);
    await this.js.publish(this.subject(topic), JSON.stringify(message));
  }

  subscribe<T extends BusTopic>(topic: T, handler: BusHandler<T>): () => void {
    if (this.closed) return () => {};
    let consumer = this.consumers.get(topic);
    if (!consumer) {
      consumer = new TopicConsumer({ js: this.js, jsm: this.jsm, stream: this.stream, subject: this.subject(topic), topic, mode: this.mode(topic), onError: this.onError });
      this.consumers.set(topic, consumer);
      const ready = consumer.ready;
      this.settling.add(ready);
      void ready.then(() => this.settling.delete(ready));
    }
    const h = handler as unknown as BusHandler<BusTopic>;
    consumer.handlers.add(h);
    const owner = consumer;
    return () => {
      owner.handlers.delete(h);
      // the topic's last handler left: stop consuming (a later subscribe starts afresh)
      if (owner.handlers.size === 0 && this.consumers.get(topic) === owner) {
        this.consumers.delete(topic);
        void owner.stop().catch((err: unknown) => this.onError(err, topic));
      }
    };
  }

  /** Resolves once every subscription made so far receives what any replica publishes from now on. */
  async ready(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.ready));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    await Promise.all(consumers.map((c) => c.stop().catch(() => {})));
    await this.nc.close();
  }
}

/** Creates the deployment's stream, or brings an existing one to this configuration. */
async function ensureStream(jsm: JetStreamManager, name: string, maxAgeNanos: number): Promise<void> {
  const config = {
    name,
    subjects: [`${name}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: maxAgeNanos,
  };
  try {
    await jsm.streams.add(config);
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NAME_IN_USE) throw err;
    await jsm.streams.update(name, config);
  }
}
