import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { Store } from '../ports/store.ts';
import { SCENARIO_COLLECTION } from '../services/scenarios/scenarioService.ts';

/** What `attune export` writes; `attune import` reads each back (see importer.ts). */
export type ExportKind = 'events' | 'items' | 'users' | 'scenarios' | 'schema' | 'recommendations';
export const EXPORT_KINDS: readonly ExportKind[] = ['schema', 'items', 'users', 'scenarios', 'events', 'recommendations'];

/**
 * A whole data directory, one file per kind, in the order an import must replay them: the item
 * schema before the items it types, users and items before the events that name them.
 */
export const DUMP_FILES: ReadonlyArray<{ kind: ExportKind; file: string }> = [
  { kind: 'schema', file: 'schema.json' },
  { kind: 'items', file: 'items.jsonl' },
  { kind: 'users', file: 'users.jsonl' },
  { kind: 'scenarios', file: 'scenarios.jsonl' },
  { kind: 'events', file: 'events.jsonl' },
  // the recommendation log: shown lists, so that events citing a recommendationId stay attributable and pageable
  { kind: 'recommendations', file: 'recommendations.jsonl' },
];

/**
 * Writes a store's events (seq order), items or users (id order), custom scenarios (name
 * order), shown lists of the recommendation log (store order) as JSON Lines, or the item schema as one JSON document, in the shapes `attune import`
 * and the API read back. Streams page by page; honours back-pressure. Returns the records written.
 */
export async function exportJsonl(store: Store, kind: ExportKind, out: Writable): Promise<number> {
  let n = 0;
  const write = async (value: unknown) => {
    n++;
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
  };
  if (kind === 'schema') {
    // the body of PUT /v1/schema/items: declared and inferred properties
    await write((await store.getItemSchema()) ?? { properties: {} });
    return n;
  }
  if (kind === 'scenarios') {
    const docs = await store.listDocuments<{ definition: Record<string, unknown> }>(SCENARIO_COLLECTION);
    docs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // the body of PUT /v1/scenarios/{name}, with the name it is stored under
    for (const d of docs) await write({ ...d.value.definition, name: d.key });
    return n;
  }
  if (kind === 'recommendations') {
    for await (const page of store.scanShownLists({ batchSize: 1_000 })) for (const list of page) await write(list);
    return n;
  }
  if (kind === 'events') {
    for await (const page of store.scanEvents({ batchSize: 10_000 })) {
      // seq and receivedAt are the store's bookkeeping, not part of the importable event
      for (const { seq: _seq, receivedAt: _received, ...event } of page) await write(event);
    }
    return n;
  }
  let cursor: string | undefined;
  do {
    const page = kind === 'items' ? await store.listItems(cursor ? { limit: 1000, cursor } : { limit: 1000 }) : await store.listUsers(cursor ? { limit: 1000, cursor } : { limit: 1000 });
    for (const rec of page.items) {
      if (kind === 'items') {
        const { id, properties, available, createdAt } = rec as { id: string; properties: unknown; available: boolean; createdAt: number };
        await write({ id, properties, available, createdAt });
      } else {
        const { id, attributes, preferences } = rec as { id: string; attributes: unknown; preferences: unknown };
        await write({ id, attributes, preferences });
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

/** Writes every kind into `dir` (DUMP_FILES), creating it; records written per kind. */
export async function exportAll(store: Store, dir: string): Promise<Record<ExportKind, number>> {
  mkdirSync(dir, { recursive: true });
  const counts = {} as Record<ExportKind, number>;
  for (const { kind, file } of DUMP_FILES) {
    const out = fileSink(join(dir, file));
    counts[kind] = await exportJsonl(store, kind, out);
    await closeSink(out);
  }
  return counts;
}

export function fileSink(path: string): Writable {
  return createWriteStream(path, { encoding: 'utf8' });
}

/** Ends a file sink and waits until the file is written and closed (or the write failed). */
export function closeSink(out: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('close', () => resolve());
    out.end();
  });
}
