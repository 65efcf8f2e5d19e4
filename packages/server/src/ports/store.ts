import type { PropertyValue, UserPreferences } from '@attune/engine';

/**
 * The durable store port: catalogue, users, events, model versions and named documents
 * (scenarios, settings). Async so that SQLite (default, embedded) and PostgreSQL (scale-out)
 * adapters share one contract and one conformance suite (packages/server/test/conformance/).
 * Times are epoch milliseconds.
 */

export type PropertyType = 'string' | 'number' | 'boolean' | 'timestamp' | 'string-set' | 'vector';

export interface PropertyDefinition {
  type: PropertyType;
  /** vector length, for type 'vector' */
  dimensions?: number;
}

export interface ItemSchema {
  properties: Record<string, PropertyDefinition>;
}

export interface ItemRecord {
  id: string;
  properties: Record<string, PropertyValue>;
  available: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface UserRecord {
  id: string;
  attributes: Record<string, PropertyValue>;
  preferences: UserPreferences;
  createdAt: number;
  updatedAt: number;
}

export interface NewEvent {
  /** client-supplied idempotency key; the store derives one when absent */
  eventId?: string;
  type: string;
  userId: string;
  itemId?: string;
  value?: number;
  timestamp: number;
  sessionId?: string;
  recommendationId?: string;
  context?: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  eventId: string;
  /** store-assigned, strictly increasing in commit order */
  seq: number;
  receivedAt: number;
}

export interface AppendResult {
  /** indices (into the input) of events stored now */
  accepted: number[];
  /** indices whose eventId was already stored (an idempotent retry: not stored twice) */
  duplicates: number[];
  /** the accepted events as stored (eventId, seq, receivedAt filled), in `accepted` order; adapters should fill it */
  stored?: StoredEvent[];
}

export type ModelStatus = 'candidate' | 'serving' | 'rejected' | 'retired';

export interface ModelVersion {
  version: number;
  model: string;
  params: Record<string, unknown>;
  status: ModelStatus;
  createdAt: number;
  /** offline metrics on the temporal hold-out, e.g. ndcg@10 */
  metrics: Record<string, number>;
  trainingEvents: number;
  durationMs: number;
  /** why it was (not) promoted */
  note?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Store {
  /** creates tables / migrates; idempotent */
  init(): Promise<void>;
  close(): Promise<void>;

  getItemSchema(): Promise<ItemSchema | undefined>;
  putItemSchema(schema: ItemSchema): Promise<void>;

  /** upserts, atomically for the whole batch */
  putItems(items: ItemRecord[]): Promise<void>;
  getItem(id: string): Promise<ItemRecord | undefined>;
  getItems(ids: string[]): Promise<ItemRecord[]>;
  listItems(opts: { cursor?: string; limit: number }): Promise<Page<ItemRecord>>;
  deleteItem(id: string): Promise<boolean>;
  countItems(): Promise<number>;

  putUser(user: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  listUsers(opts: { cursor?: string; limit: number }): Promise<Page<UserRecord>>;
  /** deletes the user and every event of theirs */
  deleteUser(id: string): Promise<boolean>;
  /** moves every event of `from` to `into` (keeping `into`'s record; created when missing) and deletes `from` */
  mergeUsers(from: string, into: string): Promise<{ movedEvents: number }>;

  /** appends in one transaction: everything accepted is durable when the promise resolves */
  appendEvents(events: NewEvent[]): Promise<AppendResult>;
  /** a user's events, oldest first, newest `limit` of them */
  userEvents(userId: string, opts?: { limit?: number; since?: number }): Promise<StoredEvent[]>;
  /** every event in seq order, in pages, for training and export */
  scanEvents(opts?: { afterSeq?: number; batchSize?: number }): AsyncIterable<StoredEvent[]>;
  countEvents(): Promise<number>;
  getEventByRecommendation?(recommendationId: string): Promise<StoredEvent[]>;

  saveModelVersion(meta: Omit<ModelVersion, 'version'>, artifact: Uint8Array): Promise<number>;
  updateModelVersion(version: number, patch: Partial<Pick<ModelVersion, 'status' | 'note' | 'metrics'>>): Promise<void>;
  listModelVersions(opts?: { limit?: number }): Promise<ModelVersion[]>;
  getModelArtifact(version: number): Promise<Uint8Array | undefined>;

  /** named JSON documents by collection (scenarios, settings, recommendation logs …) */
  putDocument(collection: string, key: string, value: unknown): Promise<void>;
  getDocument<T = unknown>(collection: string, key: string): Promise<T | undefined>;
  listDocuments<T = unknown>(collection: string): Promise<Array<{ key: string; value: T }>>;
  deleteDocument(collection: string, key: string): Promise<boolean>;
}
