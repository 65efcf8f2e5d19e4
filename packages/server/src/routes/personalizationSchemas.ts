/**
 * OpenAPI schemas of the scenario, rerank, paging, attribution and preference routes. Like
 * openapiSchemas.ts they document the contract; the hand-written checks enforce it.
 */
import { FALLBACK_TYPES, REASON_TYPES, RETRIEVER_TYPES } from '@attune/engine';

const knobsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Re-ranking knobs; every field optional (defaults: the base scenario, else the engine defaults)',
  properties: {
    diversity: { type: 'number', minimum: 0, maximum: 1 },
    diversityProperties: { type: 'array', items: { type: 'string' } },
    exploration: { type: 'number', minimum: 0, maximum: 1 },
    newItemDays: { type: 'number', minimum: 0 },
    rotation: { type: 'number', minimum: 0, maximum: 1 },
    rotationHours: { type: 'number', minimum: 0 },
    minRelevance: { type: 'number', minimum: 0, maximum: 100 },
    fallbacks: { type: 'array', items: { enum: [...FALLBACK_TYPES] } },
    objectives: {
      type: 'object',
      properties: {
        relevance: { type: 'number' },
        novelty: { type: 'number' },
        freshness: { type: 'number' },
        freshnessDays: { type: 'number' },
        margin: { type: 'object', properties: { property: { type: 'string' }, weight: { type: 'number' } } },
      },
    },
    context: { type: 'number', minimum: 0, maximum: 10 },
    candidates: { type: 'integer', minimum: 1, maximum: 10000 },
  },
} as const;

export const scenarioBody = {
  type: 'object',
  additionalProperties: false,
  description: 'A scenario. Fields left out come from `extends` (a built-in), or from the built-in of the same name, else the defaults. Rules use the rule language (docs/recommendations.md).',
  properties: {
    name: { type: 'string', description: 'must equal the name in the URL when given' },
    description: { type: 'string' },
    extends: { enum: ['homepage', 'product-page', 'cart', 'email', 'search-rerank'] },
    retrievers: {
      type: 'array',
      items: { type: 'object', required: ['type'], properties: { type: { enum: [...RETRIEVER_TYPES] }, n: { type: 'integer', minimum: 1 }, weight: { type: 'number', minimum: 0 } } },
    },
    filters: { type: 'array', items: { type: 'string' }, examples: [["item.inStock && item.price < 100"]] },
    boosts: { type: 'array', items: { type: 'object', required: ['rule'], properties: { rule: { type: 'string', examples: ['boost 1.5 if item.brand == \'acme\''] }, weight: { type: 'number' } } } },
    promotions: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'object', required: ['type', 'itemId', 'slot'], properties: { type: { const: 'pin' }, itemId: { type: 'string' }, slot: { type: 'integer', minimum: 0, description: '0-based' }, label: { type: 'string' } } },
          { type: 'object', required: ['type', 'rule', 'share'], properties: { type: { const: 'rule' }, rule: { type: 'string' }, share: { type: 'number', minimum: 0, maximum: 1 }, label: { type: 'string' } } },
        ],
      },
    },
    caps: { type: 'array', items: { type: 'object', required: ['property', 'max'], properties: { property: { type: 'string' }, max: { type: 'integer', minimum: 0 } } } },
    knobs: knobsSchema,
    excludeSeen: { type: 'boolean' },
    categoryProperty: { type: 'string' },
    segmentBy: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const scenarioViewSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    source: { enum: ['built-in', 'custom'] },
    overrides: { type: 'boolean', description: 'a custom scenario replacing the built-in of that name' },
    updatedAt: { type: 'integer' },
    definition: { type: 'object', description: 'the body as saved' },
    scenario: { type: 'object', description: 'the full scenario the pipeline runs' },
  },
} as const;

export const reasonTypes = [...REASON_TYPES];

export const rerankBody = {
  type: 'object',
  required: ['itemIds'],
  additionalProperties: false,
  properties: {
    itemIds: { type: 'array', maxItems: 1000, items: { type: 'string' }, description: "the caller's list (search results …), best first" },
    n: { type: 'integer', minimum: 1, maximum: 1000, description: 'default: every known id' },
    scenario: { type: 'string', description: 'default search-rerank' },
    explain: { type: 'boolean' },
    exclude: { type: 'array', items: { type: 'string' } },
    context: { type: 'object', description: 'device, country, locale, timezone …' },
    knobs: knobsSchema,
    params: { type: 'object', description: "values of the scenario rules' $name parameters (strings, numbers, booleans, arrays of them)" },
  },
} as const;

export const recommendationRecordSchema = {
  type: 'object',
  properties: {
    recommendationId: { type: 'string' },
    userId: { type: 'string' },
    surface: { type: 'string', examples: ['user', 'similar', 'session', 'popular', 'trending', 'rerank'] },
    modelVersion: { type: 'integer' },
    timestamp: { type: 'integer' },
    itemIds: { type: 'array', items: { type: 'string' } },
    page: { type: 'integer', description: 'position in a /next chain (1 = the first list), from the recommendation log' },
    firstRecommendationId: { type: 'string' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: { eventId: { type: 'string' }, type: { type: 'string' }, userId: { type: 'string' }, itemId: { type: 'string' }, value: { type: 'number' }, timestamp: { type: 'integer' }, position: { type: 'integer', description: '0-based position in the shown list' } },
      },
    },
    outcomes: {
      type: 'object',
      properties: { byType: { type: 'object', additionalProperties: { type: 'integer' } }, engagedItems: { type: 'array', items: { type: 'string' } }, engagementRate: { type: 'number' } },
    },
  },
} as const;
