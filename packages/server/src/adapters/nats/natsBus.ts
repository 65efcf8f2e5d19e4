import { DiscardPolicy, JetStreamApiError, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Bus, BusHandler, BusMessages, BusTopic } from '../../ports/bus.ts';
import { BusConsumer, type ConsumerMode } from './busConsumer.ts';

export interface NatsBusOptions {
  /** nats://host:port, several separated by commas */
  url: string;
  /** deployment prefix: the stream's name and every subject's first token. Default 'attune' */
  prefix?: string;
  /**
   * Worker roles set a group (e.g. 'trainer'): every bus of the group shares one DURABLE
   * consumer, so each message is handled once by one member, and messages published
   * while no member runs wait in the stream (up to maxAgeMs). Without a group (API nodes) each
   * bus gets its own EPHEMERAL ordered consumer: every node sees every message
   * published after it subscribed, which is what per-node caches need. Members of a group
   * subscribe to the same topics: a message of a topic the receiving member does not handle is
   * acknowledged and dropped.
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
  /** subscriber failures; never thrown to the publisher */
  onError?: (err: unknown, topic: BusTopic) => void;
  /** the consumer could not be set up or failed; default: a process warning */
  onConsumerError?: (err: unknown) => void;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const STREAM_NAME_IN_USE = 10058;

/**
 * The Bus over NATS JetStream: one stream per deployment prefix holding every topic
 * (`<prefix>.<topic>`); publish resolves after the server has stored the message (its ack).
 * Each bus consumes every topic through one consumer and delivers asynchronously (after
 * publish resolves), one message at a time, so a publisher's order is kept across topics.
 */
export class NatsBus implements Bus {
  /** created at the first subscribe, stopped when the last handler leaves */
  private consumer: BusConsumer | undefined;
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    private readonly mode: ConsumerMode,
    private readonly onError: (err: unknown, topic: BusTopic) => void,
    private readonly onConsumerError: (err: unknown) => void,
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
      const mode: ConsumerMode = group === undefined ? { kind: 'fanout' } : { kind: 'durable', name: group, ackWaitMs };
      const onConsumerError = opts.onConsumerError ?? ((err: unknown) => process.emitWarning(`NATS bus consumer failed: ${String(err)}`));
      return new NatsBus(nc, jetstream(nc), jsm, prefix, mode, opts.onError ?? (() => {}), onConsumerError);
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
    // a consumer still being set up: wait, so that subscribe-then-publish in this process delivers
    if (this.consumer) await this.consumer.ready;
    await this.js.publish(this.subject(topic), JSON.stringify(message));
  }

  subscribe<T extends BusTopic>(topic: T, handler: BusHandler<T>): () => void {
    if (this.closed) return () => {};
    const consumer = (this.consumer ??= new BusConsumer({
      js: this.js,
      jsm: this.jsm,
      stream: this.stream,
      mode: this.mode,
      onError: this.onError,
      onConsumerError: this.onConsumerError,
    }));
    let set = consumer.handlers.get(topic);
    if (!set) consumer.handlers.set(topic, (set = new Set()));
    const h = handler as unknown as BusHandler<BusTopic>;
    set.add(h);
    const handlers = set;
    return () => {
      handlers.delete(h);
      // the last handler left: stop consuming (a later subscribe starts afresh)
      if (consumer.size === 0 && this.consumer === consumer) {
        this.consumer = undefined;
        void consumer.stop().catch((err: unknown) => this.onConsumerError(err));
      }
    };
  }

  /** Resolves once the subscriptions made so far receive what any replica publishes from now on. */
  async ready(): Promise<void> {
    await this.consumer?.ready;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop().catch(() => {});
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
