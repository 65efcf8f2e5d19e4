import type { Bus, BusHandler, BusMessages, BusTopic } from '../../ports/bus.ts';

/**
 * In-process bus: handlers run in subscription order before publish resolves, so a test (or
 * the ingest path) knows subscribers have seen the message. Handler errors go to `onError`
 * instead of the publisher: ingestion must not fail because a cache refresh did.
 */
export class MemoryBus implements Bus {
  private readonly handlers = new Map<BusTopic, Set<BusHandler<BusTopic>>>();
  private closed = false;

  constructor(private readonly onError: (err: unknown, topic: BusTopic) => void = () => {}) {}

  async publish<T extends BusTopic>(topic: T, message: BusMessages[T]): Promise<void> {
    if (this.closed) return;
    const set = this.handlers.get(topic);
    if (!set || set.size === 0) return;
    for (const handler of [...set]) {
      try {
        await (handler as BusHandler<T>)(message);
      } catch (err) {
        this.onError(err, topic);
      }
    }
  }

  subscribe<T extends BusTopic>(topic: T, handler: BusHandler<T>): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    const h = handler as unknown as BusHandler<BusTopic>;
    set.add(h);
    return () => {
      set.delete(h);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }
}
