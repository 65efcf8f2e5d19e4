import { generateSynthetic, Rng, type PropertyValue } from '@attune/engine';
import type { NewEvent } from '../ports/store.ts';

/**
 * A synthetic shop for `attune demo`: the engine's planted-cluster generator, dressed up. Each
 * taste cluster becomes a category with its own brands and price band, so recommendations are
 * easy to eyeball ("she browses trail shoes, she gets trail shoes"). Views come from the
 * generator; some views lead to a cart, some carts to a purchase. Event ids are derived from
 * the data, so loading the demo twice stores every event once.
 */
export interface ShopItem {
  id: string;
  properties: Record<string, PropertyValue>;
  available: boolean;
  createdAt: number;
}

export interface ShopUser {
  id: string;
  attributes: Record<string, PropertyValue>;
}

export interface ShopData {
  items: ShopItem[];
  users: ShopUser[];
  events: NewEvent[];
}

const CATEGORIES: ReadonlyArray<{ name: string; noun: string; brands: string[]; price: [number, number] }> = [
  { name: 'running-shoes', noun: 'running shoe', brands: ['Stride', 'Fleetfoot', 'Apex'], price: [60, 180] },
  { name: 'backpacks', noun: 'backpack', brands: ['Trailhead', 'Nomad', 'Packwell'], price: [30, 150] },
  { name: 'rain-jackets', noun: 'rain jacket', brands: ['Drizzle', 'Northwind', 'Cloudline'], price: [80, 300] },
  { name: 'watches', noun: 'watch', brands: ['Tempo', 'Meridian', 'Ticker'], price: [50, 600] },
  { name: 'headphones', noun: 'headphones', brands: ['Sonic', 'Hush', 'Bassline'], price: [25, 400] },
  { name: 'coffee', noun: 'coffee blend', brands: ['Roastery 9', 'Bean There', 'Crema'], price: [8, 35] },
  { name: 'board-games', noun: 'board game', brands: ['Meeple', 'Dicey', 'Tabletop Co'], price: [15, 90] },
  { name: 'yoga', noun: 'yoga mat', brands: ['Lotus', 'Balance', 'Zen Gear'], price: [20, 120] },
  { name: 'cookware', noun: 'pan', brands: ['Ironclad', 'Simmer', 'Chef Line'], price: [25, 250] },
  { name: 'cameras', noun: 'camera', brands: ['Aperture', 'Lumen', 'Shutterly'], price: [200, 1800] },
];
const ADJECTIVES = ['classic', 'pro', 'light', 'ultra', 'everyday', 'compact', 'premium', 'eco', 'sport', 'urban', 'limited', 'essential'];
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'NL', 'SE', 'ES', 'IT'];
const DEVICES = ['mobile', 'mobile', 'mobile', 'desktop', 'desktop', 'tablet'];

export function generateShop(opts: { users?: number; items?: number; seed?: number; now?: number } = {}): ShopData {
  const clusters = CATEGORIES.length;
  const now = opts.now ?? Date.now();
  const synthetic = generateSynthetic({
    users: opts.users ?? 1000,
    items: opts.items ?? 500,
    clusters,
    interactionsPerUser: 20,
    seed: opts.seed ?? 7,
  });
  const rng = new Rng((opts.seed ?? 7) + 1);
  // the generator's clock starts in January 2026; shift so the newest event is an hour ago
  let newest = 0;
  for (const e of synthetic.interactions) if ((e.timestamp ?? 0) > newest) newest = e.timestamp ?? 0;
  const shift = now - 3_600_000 - newest;

  const price = new Map<string, number>();
  const items: ShopItem[] = synthetic.items.map((it) => {
    const cat = CATEGORIES[it.cluster % clusters]!;
    const brand = cat.brands[rng.int(cat.brands.length)]!;
    const adjective = ADJECTIVES[rng.int(ADJECTIVES.length)]!;
    const p = Math.round((cat.price[0] + (cat.price[1] - cat.price[0]) * rng.next()) * 100) / 100 - 0.01;
    price.set(it.id, p);
    return {
      id: it.id,
      properties: {
        title: `${brand} ${adjective} ${cat.noun}`,
        category: cat.name,
        brand,
        price: Math.round(p * 100) / 100,
        tags: [adjective, cat.name, brand.toLowerCase()],
        inStock: rng.next() < 0.95,
      },
      // a few items are switched off, to show that unavailable items are never recommended
      available: rng.next() < 0.97,
      createdAt: now - (30 + rng.int(300)) * 86_400_000,
    };
  });

  const users: ShopUser[] = [...synthetic.userCluster.keys()].map((id) => ({
    id,
    attributes: { country: COUNTRIES[rng.int(COUNTRIES.length)]!, tier: rng.next() < 0.15 ? 'gold' : 'standard' },
  }));

  const events: NewEvent[] = [];
  synthetic.interactions.forEach((e, i) => {
    const timestamp = (e.timestamp ?? 0) + shift;
    const device = DEVICES[rng.int(DEVICES.length)]!;
    const base = { userId: e.userId, itemId: e.itemId, context: { device } };
    events.push({ ...base, eventId: `demo-${i}-view`, type: 'view', timestamp });
    if (rng.next() < 0.25) {
      events.push({ ...base, eventId: `demo-${i}-cart`, type: 'cart', timestamp: timestamp + 20_000 });
      if (rng.next() < 0.4) events.push({ ...base, eventId: `demo-${i}-purchase`, type: 'purchase', value: price.get(e.itemId) ?? 0, timestamp: timestamp + 40_000 });
    }
  });
  return { items, users, events };
}
