import type { CoreServices } from '../services/coreServices.ts';
import type { ShopData } from './shopData.ts';

export const DEMO_SCHEMA = {
  properties: {
    title: { type: 'string' },
    category: { type: 'string' },
    brand: { type: 'string' },
    price: { type: 'number' },
    tags: { type: 'string-set' },
    inStock: { type: 'boolean' },
  },
};

/** Loads the demo shop through the same services (and validators) the API uses. */
export async function loadDemo(services: CoreServices, data: ShopData): Promise<{ items: number; users: number; events: number; duplicates: number }> {
  await services.catalogue.putSchema(DEMO_SCHEMA);
  let items = 0;
  for (let i = 0; i < data.items.length; i += 5_000) items += await services.catalogue.putItemsAtomic(data.items.slice(i, i + 5_000), '$.items');
  for (const u of data.users) await services.users.write(u);
  let events = 0;
  let duplicates = 0;
  for (let i = 0; i < data.events.length; i += 10_000) {
    const report = await services.ingest.ingest(data.events.slice(i, i + 10_000), '$');
    if (report.rejected.length) throw new Error(`demo data rejected: ${report.rejected[0]!.message}`);
    events += report.accepted;
    duplicates += report.duplicates;
  }
  return { items, users: data.users.length, events, duplicates };
}
