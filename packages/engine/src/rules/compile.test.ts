import { describe, expect, it } from 'vitest';
import type { CatalogItem, UserProfile } from '../pipeline/types.ts';
import { compileBoost, compileFilter } from './compile.ts';
import type { ItemSchema, RuleEnv } from './env.ts';
import { buildHistoryIndex } from './history.ts';
import { evaluateRule } from './interpret.ts';
import { parseRule } from './parse.ts';

const DAY = 86_400_000;
// Saturday 28 Nov 2026, 12:00 UTC
const NOW = Date.UTC(2026, 10, 28, 12);

const item: CatalogItem = {
  id: 'i1',
  index: 0,
  available: true,
  createdAt: NOW - 3 * DAY,
  properties: { inStock: true, price: 50, category: 'shoes', brand: 'acme', tags: ['sale', 'summer'], sizes: [40, 41], launched: '2026-11-01T00:00:00Z', rating: 4.5 },
};
const current: CatalogItem = { id: 'cur', index: 1, available: true, properties: { category: 'shoes', price: 80, tags: ['winter'] } };
const cart: CatalogItem[] = [
  { id: 'c1', index: 2, available: true, properties: { category: 'socks', tags: ['sale'] } },
  { id: 'c2', index: 3, available: true, properties: { category: 'hats', tags: [] } },
];
const user: UserProfile = {
  id: 'u1',
  index: 0,
  attributes: { segment: 'vip', age: 34 },
  preferences: { likedCategories: ['shoes', 'bags'], hiddenCategories: ['toys'] },
  history: [
    { itemId: 'i1', type: 'view', timestamp: NOW - 2 * DAY },
    { itemId: 'p1', type: 'purchase', timestamp: NOW - 10 * DAY },
    { itemId: 'p2', type: 'purchase', timestamp: NOW - 60 * DAY },
    { itemId: 'k1', type: 'cart', timestamp: NOW - 1 * DAY },
  ],
};
const schema: ItemSchema = { inStock: 'boolean', price: 'number', category: 'string', brand: 'string', tags: 'string-set', sizes: 'number-set', launched: 'timestamp', rating: 'number', color: 'string' };

function env(overrides: Partial<RuleEnv> = {}): RuleEnv {
  return {
    item,
    user,
    context: { now: NOW, device: 'mobile', country: 'DE', item: current, cart },
    params: { maxPrice: 60, brands: ['acme', 'zeta'], window: 30 * DAY, flag: true },
    history: buildHistoryIndex(user, NOW),
    ...overrides,
  };
}

// [rule, expected] — each evaluated with the schema, without it, and by the reference interpreter.
const FILTERS: Array<[string, boolean]> = [
  ['true', true],
  ['item.inStock && item.price < 100 && !(item.id in user.purchased(30d))', true],
  ['item.inStock and item.price < 100 and not (item.id in user.viewed(7d))', false],
  ['item.price == 50', true],
  ['item.price != 50', false],
  ['item.price <= 50 && item.price >= 50 && !(item.price < 50) && !(item.price > 50)', true],
  ["item.category == 'shoes'", true],
  ['item.category == "shoes"', true],
  ["item.category == context.item.category", true],
  ["item.category < 't'", true],
  ['item.price < $maxPrice', true],
  ['item.brand in $brands', true],
  ["item.brand not in ['acme']", false],
  ["item.brand in ['zeta', 'omega']", false],
  ["item.tags contains 'sale'", true],
  ["'sale' in item.tags", true],
  ["item.tags intersects ['winter', 'summer']", true],
  ['item.tags intersects context.item.tags', false],
  ['item.tags intersects context.cart.tags', true],
  ['item.sizes contains 41', true],
  ['42 in item.sizes', false],
  // null-safety: a missing property compares false, except == null; != and not in negate
  ['item.color == null', true],
  ['item.tags != null && context.item.sizes == null', true],
  ['item.color != null', false],
  ["item.color == 'red'", false],
  ["item.color != 'red'", true],
  ["item.color < 'm' || item.color >= 'm'", false],
  ["item.color in ['red']", false],
  ["item.color not in ['red']", true],
  ['$nothing', false],
  ['!$nothing', true],
  ['context.item.sizes contains 40', false],
  // time
  ['item.age < 7d', true],
  ['item.age > 2d && item.age < 4d', true],
  ['item.createdAt > context.now - 1w', true],
  ['context.now - item.createdAt == 3d', true],
  ['context.hourOfDay == 12 && context.dayOfWeek == 6', true],
  ['24h == 1d && 2w == 14d && 90m == 1.5h && 60s == 1m && 1000ms == 1s', true],
  // user
  ["user.segment == 'vip'", true],
  ['user.age >= 18', true],
  ["user.id == 'u1'", true],
  ['item.category in user.likedCategories', true],
  ['item.category in user.hiddenCategories', false],
  ['user.nothing == null', true],
  // history
  ["'p1' in user.purchased(30d)", true],
  ["'p2' in user.purchased(30d)", false],
  ["'p2' in user.purchased(90d)", true],
  ["'p2' in user.purchased()", true],
  ["user.purchased(30d) contains 'p1'", true],
  ["'k1' in user.interacted('cart', 14d)", true],
  ["'k1' in user.interacted('cart')", true],
  ["'p1' in user.interacted('view', 14d)", false],
  ["'p1' in user.interacted(30d)", true],
  ["'p1' in user.purchased($window)", true],
  ["'p1' in user.purchased($window / 4)", false],
  ['item.id in user.viewed(7d)', true],
  // context and cart
  ["context.device == 'mobile' && context.country in ['DE', 'AT']", true],
  ["context.unknownField == null", true],
  ["'c1' in context.cart.ids", true],
  ['item.id in context.cart.ids', false],
  ["context.cart.category contains 'hats'", true],
  ['context.cart.count == 2', true],
  ['context.item.price - item.price == 30', true],
  // params
  ['$flag', true],
  ['$missing == null && !$missing', true],
  ['$maxPrice * 2 > item.price * 2', true],
  // arithmetic
  ['1 + 2 * 3 == 7 && (1 + 2) * 3 == 9 && 7 / 2 == 3.5 && -item.price == -50', true],
  ['1 / 0 == null', true],
  ["item.price + $brands == null", true],
  // precedence: && binds tighter than ||
  ['true || false && false', true],
  ['(true || false) && false', false],
  ['!true || true', true],
];

describe('compileFilter', () => {
  const e = env();
  for (const [source, expected] of FILTERS) {
    it(source, () => {
      expect(compileFilter(source, schema)(e)).toBe(expected);
      expect(compileFilter(source)(e)).toBe(expected);
      expect(evaluateRule(parseRule(source), e, schema) === true).toBe(expected);
    });
  }

  it('reads ISO-string timestamps as timestamps only when the schema says so', () => {
    expect(compileFilter('item.launched < context.now - 20d', schema)(e)).toBe(true);
    expect(compileFilter('item.launched < context.now - 20d')(e)).toBe(false);
  });

  it('treats an absent user as an empty history and null attributes', () => {
    const anonymous = env({ user: undefined, history: buildHistoryIndex(undefined, NOW) });
    expect(compileFilter("!(item.id in user.viewed(7d)) && user.segment == null && user.id == null")(anonymous)).toBe(true);
    expect(compileFilter("item.category in user.likedCategories")(anonymous)).toBe(false);
  });

  it('treats an absent current item and cart as missing and empty', () => {
    const bare = env({ context: { now: NOW } });
    expect(compileFilter('context.item.category == null && context.cart.count == 0 && !(item.id in context.cart.ids)')(bare)).toBe(true);
  });

  it('derives hourOfDay and dayOfWeek in the request timezone, and prefers given values', () => {
    const tokyo = env({ context: { now: NOW, timezone: 'Asia/Tokyo' } });
    expect(compileFilter('context.hourOfDay == 21 && context.dayOfWeek == 6')(tokyo)).toBe(true);
    const given = env({ context: { now: NOW, hourOfDay: 3 } });
    expect(compileFilter('context.hourOfDay == 3')(given)).toBe(true);
  });

  it('re-reads history and cart when a new request brings new ones', () => {
    const f = compileFilter("'p1' in user.purchased(30d) && 'c1' in context.cart.ids");
    expect(f(env())).toBe(true);
    const other: UserProfile = { ...user, history: [] };
    expect(f(env({ user: other, history: buildHistoryIndex(other, NOW) }))).toBe(false);
    expect(f(env({ context: { now: NOW, cart: [] } }))).toBe(false);
    expect(f(env())).toBe(true);
  });
});

const BOOSTS: Array<[string, number]> = [
  ['boost 1.5 if item.category == context.item.category', 1.5],
  ["boost 1.5 if item.category == 'hats'", 1],
  ['boost 2', 2],
  ['boost item.rating / 4.5 if item.inStock', 1],
  ['boost item.rating if item.category in user.likedCategories', 4.5],
  ['boost item.color if true', 1],
  ['boost 1 / 0 if true', 1],
  ['boost $maxPrice / 30 if $flag', 2],
  // plain numeric expressions are score terms
  ['item.rating * 2', 9],
  ['item.color * 2', 0],
  ['1 - item.age / 10d', 0.7],
];

describe('compileBoost', () => {
  const e = env();
  for (const [source, expected] of BOOSTS) {
    it(source, () => {
      expect(compileBoost(source, source.includes('color') ? undefined : schema)(e)).toBeCloseTo(expected, 12);
    });
  }

  it('says whether it is a multiplier or a score term', () => {
    expect(compileBoost('boost 2 if item.inStock').form).toBe('boost');
    expect(compileBoost('item.rating').form).toBe('score');
  });
});

describe('buildHistoryIndex', () => {
  it('answers per type and window, latest event per item', () => {
    const h = buildHistoryIndex(
      {
        history: [
          { itemId: 'a', type: 'view', timestamp: NOW - 10 * DAY },
          { itemId: 'a', type: 'view', timestamp: NOW - 1 * DAY },
          { itemId: 'b', type: 'purchase', timestamp: NOW - 5 * DAY },
        ],
      },
      NOW,
    );
    expect([...h.itemIds('view', 2 * DAY)]).toEqual(['a']);
    expect([...h.itemIds('purchase', 2 * DAY)]).toEqual([]);
    expect([...h.itemIds(null, 7 * DAY)].sort()).toEqual(['a', 'b']);
    expect([...h.itemIds('view', -1)]).toEqual([]);
    expect(h.itemIds('view', 2 * DAY)).toBe(h.itemIds('view', 2 * DAY));
  });
});

describe('README examples', () => {
  const filters = [
    'item.inStock && item.price < 100 && !(item.id in user.purchased(30d))',
    "item.id == 'sku-1'",
    'item.available',
    'item.createdAt > context.now - 1w',
    'item.age < 30d',
    "item.category == 'shoes'",
    'item.id not in context.cart.ids',
    'item.category in context.cart.category',
    'item.tags intersects context.cart.tags',
    "user.segment == 'vip'",
    'item.category in user.likedCategories',
    'item.id in user.viewed(7d)',
    "item.id not in user.interacted('cart', 14d)",
    'item.id in user.interacted(1d)',
    'item.id in user.purchased($days * 1d)',
    'user.purchased() contains item.id',
    "context.device == 'mobile' && context.hourOfDay >= 18",
    "context.channel == 'email'",
    'item.price <= $maxPrice',
    'item.brand in $brands',
  ];
  const boosts = [
    'boost 1.5 if item.category == context.item.category',
    'boost 0.5 if item.id in user.viewed(3d)',
    'boost 1 + item.rating / 10 if item.rating != null',
    '1 - item.age / 30d',
    'boost $weight if item.isNew',
  ];
  const readme: ItemSchema = { ...schema, isNew: 'boolean' };
  for (const source of filters) it(source, () => expect(() => compileFilter(source, readme)).not.toThrow());
  for (const source of boosts) it(source, () => expect(() => compileBoost(source, readme)).not.toThrow());
});
