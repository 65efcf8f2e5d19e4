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

/**
 * One row of the recommendation log: a list as it was shown. Written in batches off the request
 * path; read by GET /v1/recommendations/{id} (attribution), its /next page (on any node, also
 * after a restart) and the trainer (exploration's impression counts).
 */
export interface ShownList {
  recommendationId: string;
  userId?: string;
  /** e.g. 'user', 'similar', 'popular', 'trending', 'session', 'rerank' */
  surface: string;
  modelVersion?: number;
  /** epoch ms the list was served (a next page carries its first page's time) */
  timestamp: number;
  /** the shown items, in order */
  itemIds: string[];
  /** what reruns the request for its next page: opaque JSON owned by the serving layer; absent when it cannot be paged */
  request?: unknown;
  /** the chain's first recommendationId (its own for a first list) */
  firstId: string;
  /** 1 for a first list, 2 for its first next page … */
  page: number;
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

  /** appends shown lists in one transaction; a recommendationId already logged keeps its first row */
  logShownLists(lists: readonly ShownList[]): Promise<void>;
  getShownList(recommendationId: string): Promise<ShownList | undefined>;
  /** the newest `limit` lists by timestamp, newest first, without their `request` (the trainer's read) */
  newestShownLists(limit: number): Promise<ShownList[]>;
  /** removes a user's lists (erasure) or every list served before a time (retention); returns how many */
  deleteShownLists(filter: { userId: string } | { before: number }): Promise<number>;
  /** every shown list with its request, in pages (export); lists logged during the scan may or may not appear */
  scanShownLists(opts?: { batchSize?: number }): AsyncIterable<ShownList[]>;
}
