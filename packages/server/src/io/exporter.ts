import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { Store } from '../ports/store.ts';

export type ExportKind = 'events' | 'items' | 'users';

/**
 * Writes a store's events (seq order), items or users (id order) as JSON Lines in the shapes
 * `attune import` reads back. Streams page by page; honours back-pressure.
 */
export async function exportJsonl(store: Store, kind: ExportKind, out: Writable): Promise<number> {
  let n = 0;
  const write = async (value: unknown) => {
    n++;
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
  };
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

export function fileSink(path: string): Writable {
  return createWriteStream(path, { encoding: 'utf8' });
}
