import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { BusHandler, BusMessages, BusTopic } from '../../ports/bus.ts';

export type ConsumerMode =
  /** every bus instance gets every message: an ephemeral ordered consumer, from now on */
  | { kind: 'fanout' }
  /** bus instances of one group share a durable consumer: each message goes to one of them */
  | { kind: 'durable'; name: string; ackWaitMs: number };

export interface BusConsumerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** the stream, also the first token of every subject */
  stream: string;
  mode: ConsumerMode;
  /** a handler failed */
  onError: (err: unknown, topic: BusTopic) => void;
  /** the consumer itself failed (setup, connection) */
  onConsumerError: (err: unknown) => void;
}

/**
 * One JetStream consumer per bus instance over every topic of the deployment, dispatching
 * each message to the instance's handlers for its topic, one message at a time: a publisher's
 * order is kept across topics too (e.g. users.merged before the events that follow it).
 */
export class BusConsumer {
  readonly handlers = new Map<BusTopic, Set<BusHandler<BusTopic>>>();
  /** settles once messages published from now on will be delivered */
  readonly ready: Promise<void>;
  private messages: ConsumerMessages | undefined;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly deps: BusConsumerDeps) {
    this.ready = this.start().catch((err: unknown) => deps.onConsumerError(err));
  }

  get size(): number {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }

  private async start(): Promise<void> {
    const { js, jsm, stream, mode } = this.deps;
    const subject = `${stream}.>`;
    let messages: ConsumerMessages;
    if (mode.kind === 'fanout') {
      // start right after the stream's current end: nothing older, nothing published from now on missed
      const info = await jsm.streams.info(stream);
      const consumer = await js.consumers.get(stream, {
        filter_subjects: subject,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: info.state.last_seq + 1,
      });
      if (this.stopped) return;
      messages = await consumer.consume();
    } else {
      try {
        await jsm.consumers.add(stream, {
          durable_name: mode.name,
          filter_subject: subject,
          ack_policy: AckPolicy.Explicit,
          // first creation starts at now; later binds resume where the group left off
          deliver_policy: DeliverPolicy.New,
          ack_wait: mode.ackWaitMs * 1_000_000,
        });
      } catch (err) {
        // another member created it at the same moment (or with other settings): bind to it
        if (!(await jsm.consumers.info(stream, mode.name).then(() => true, () => false))) throw err;
      }
      if (this.stopped) return;
      messages = await (await js.consumers.get(stream, mode.name)).consume();
    }
    if (this.stopped) {
      await messages.close();
      return;
    }
    this.messages = messages;
    this.loop = this.run(messages);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        // fetched but stopping: hand a group's message straight back rather than after ack_wait
        if (this.stopped) {
          if (this.deps.mode.kind === 'durable') m.nak();
          continue;
        }
        await this.dispatch(m);
      }
    } catch (err) {
      if (!this.stopped) this.deps.onConsumerError(err);
    }
  }

  private async dispatch(m: JsMsg): Promise<void> {
    const topic = m.subject.slice(this.deps.stream.length + 1) as BusTopic;
    let message: unknown;
    try {
      message = m.json();
    } catch (err) {
      this.deps.onError(err, topic);
      if (this.deps.mode.kind === 'durable') m.term();
      return;
    }
    const set = this.handlers.get(topic);
    for (const handler of set ? [...set] : []) {
      // checked per handler: one unsubscribed while an earlier one ran must not be called
      if (this.stopped || !set!.has(handler)) continue;
      try {
        await handler(message as BusMessages[BusTopic]);
      } catch (err) {
        this.deps.onError(err, topic);
      }
    }
    // acked even when a handler failed: like the in-process bus, no retries of handler errors;
    // redelivery covers a worker that dies (or stalls past ack_wait) before this line
    if (this.deps.mode.kind === 'durable') m.ack();
  }

  /** Stops consuming (a durable consumer stays on the server for the group's next member). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.handlers.clear();
    await this.ready;
    const messages = this.messages;
    this.messages = undefined;
    if (messages) await messages.close();
    await this.loop;
  }
}
