import type { StoredEvent } from './store.ts';

/**
 * The message bus port: services announce committed changes so that caches, the real-time
 * updater and the trainer react without polling. Messages are published only AFTER the store
 * commit, so a subscriber that reads the store sees the change. In one process the memory
 * adapter delivers synchronously; a networked adapter (NATS, Redis) fans out to replicas.
 */
export interface BusMessages {
  /** events stored now (idempotent retries are not repeated here) */
  'events.accepted': { events: StoredEvent[] };
  /** items upserted or deleted: re-read them (a missing one was deleted) */
  'items.changed': { ids: string[] };
  /** the item schema was declared or widened */
  'schema.changed': Record<string, never>;
  /** a user and all their events were erased */
  'users.deleted': { userId: string };
  /** `fromUserId`'s events now belong to `intoUserId`; `fromUserId` no longer exists */
  'users.merged': { fromUserId: string; intoUserId: string; movedEvents: number };
  /** a user's attributes or stated preferences changed */
  'users.changed': { userId: string };
  /** a trainer promoted this model version to serving: other nodes load it from the store */
  'models.promoted': { version: number };
}

export type BusTopic = keyof BusMessages;
export type BusHandler<T extends BusTopic> = (message: BusMessages[T]) => void | Promise<void>;

export interface Bus {
  /** delivers to every subscriber; a failing subscriber never fails the publisher */
  publish<T extends BusTopic>(topic: T, message: BusMessages[T]): Promise<void>;
  /** returns the unsubscribe function */
  subscribe<T extends BusTopic>(topic: T, handler: BusHandler<T>): () => void;
  close(): Promise<void>;
}
