import { DEFAULT_KNOBS, type Knobs, type Scenario } from './scenario.ts';

function scenario(name: string, description: string, retrievers: Scenario['retrievers'], knobs: Partial<Knobs> = {}, extra: Partial<Scenario> = {}): Scenario {
  return {
    name,
    description,
    retrievers,
    filters: [],
    boosts: [],
    promotions: [],
    caps: [],
    knobs: { ...DEFAULT_KNOBS, ...knobs },
    excludeSeen: true,
    categoryProperty: 'category',
    segmentBy: ['country'],
    ...extra,
  };
}

/** The built-in scenarios; user-defined ones are validated with validateScenario. */
export const BUILTIN_SCENARIOS: Readonly<Record<string, Scenario>> = {
  homepage: scenario(
    'homepage',
    'Personal picks for the front page: collaborative, preferences, trending and new items, diverse.',
    [
      { type: 'collaborative', weight: 1 },
      { type: 'content', weight: 0.5, n: 100 },
      { type: 'preferences', weight: 0.8, n: 50 },
      { type: 'trending', weight: 0.4, n: 50 },
      { type: 'popular-in-segment', weight: 0.3, n: 50 },
    ],
    { diversity: 0.3, exploration: 0.05, rotation: 0.5, context: 0.3 },
  ),
  'product-page': scenario(
    'product-page',
    'Items like the one on screen: neighbours, also bought, content.',
    [
      { type: 'similar', weight: 1 },
      { type: 'also-bought', weight: 0.8 },
      { type: 'content', weight: 0.5 },
    ],
    { diversity: 0.2, context: 0.1 },
  ),
  cart: scenario(
    'cart',
    'Complete the basket: frequently bought together with the cart items.',
    [
      { type: 'bought-together', weight: 1 },
      { type: 'similar', weight: 0.3, n: 50 },
      { type: 'collaborative', weight: 0.3, n: 50 },
    ],
    { diversity: 0.2 },
  ),
  email: scenario(
    'email',
    'A digest: personal picks and new arrivals, nothing shown recently.',
    [
      { type: 'collaborative', weight: 1 },
      { type: 'new-arrivals', weight: 0.5, n: 50 },
      { type: 'preferences', weight: 0.8, n: 50 },
    ],
    { diversity: 0.3, rotation: 1, objectives: { relevance: 1, freshness: 0.2 } },
  ),
  'search-rerank': scenario('search-rerank', "Re-orders a caller's list (search results) for the user; keeps unknown ids at the end.", [], {
    diversity: 0.1,
    context: 0.2,
  }),
};
